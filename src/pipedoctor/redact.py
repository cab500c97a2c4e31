"""Secrets never leave: values that look secret are replaced before anything is stored or shown.

Used where data enters (the collector) and again where it leaves (every report and snapshot), so
a secret in a snapshot file someone else wrote is not printed either.
"""

from __future__ import annotations

import json
import re

from pipedoctor.knowledge.pipeline_variables import action_environment_variables

REDACTED = "***redacted***"

_SECRET_NAME = re.compile(
    r"PASSWORD|PASSWD|SECRET|TOKEN|PRIVATE_KEY|API_KEY|ACCESS_KEY|CREDENTIAL", re.IGNORECASE
)
_SECRET_VALUE = re.compile(
    r"(?:AKIA|ASIA)[0-9A-Z]{16}"  # AWS access key ids
    r"|(?:IQoJb3JpZ2luX2Vj|FwoGZXIvYXdzE)[A-Za-z0-9/+=]{20,}"  # AWS session tokens
    r"|gh[pousr]_[A-Za-z0-9]{30,}"  # GitHub tokens
    r"|github_pat_[A-Za-z0-9_]{30,}"
    r"|glpat-[A-Za-z0-9_\-]{20,}"  # GitLab tokens
    r"|xox[baprs]-[A-Za-z0-9-]{10,}"  # Slack tokens
    r"|eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+"  # JWTs
    r"|-----BEGIN [A-Z ]*PRIVATE KEY-----"
)
# The secret half of a pair whose first half names it: `Bearer <token>`, `password=<value>`,
# `aws_secret_access_key = <key>`, `https://user:<password>@host`. Quotes and backslashes end a
# value so that redacting inside JSON text keeps it valid JSON.
_NAMED_SECRET = re.compile(
    r"(?P<name>\bBearer\s+"
    r"|(?:aws_secret_access_key|secret_access_key|SecretAccessKey|password|passwd|api[_-]?key|token)"
    r"[\"']?\s*[:=]\s*[\"']?"
    r"|://[^/\s:@\"'\\]+:)"
    r"(?P<value>[^\s\"'\\@&,;]{4,})",
    re.IGNORECASE,
)


def secret_name(name: str) -> bool:
    return bool(_SECRET_NAME.search(name))


def plaintext_value(name: str, value: str, kind: str = "PLAINTEXT") -> str:
    """The value to store for an environment variable (references to SSM/Secrets Manager stay)."""
    if kind == "PLAINTEXT" and secret_name(name) and value:
        return REDACTED
    return text(value)


def text(value: str) -> str:
    value = _SECRET_VALUE.sub(REDACTED, value)
    return _NAMED_SECRET.sub(lambda m: m["name"] + REDACTED, value)


def action_configuration(configuration: dict[str, str]) -> dict[str, str]:
    """Redacts the `EnvironmentVariables` JSON of a CodeBuild action and token-like values."""
    cleaned = {key: text(str(value)) for key, value in configuration.items()}
    variables = action_environment_variables(cleaned)
    if variables:
        changed = False
        for variable in variables:
            if "value" in variable:
                value = str(variable["value"])
                kind = str(variable.get("type", "PLAINTEXT"))
                variable["value"] = plaintext_value(str(variable.get("name", "")), value, kind)
                changed = changed or variable["value"] != value
        if changed:  # keep the text as AWS returned it unless something was redacted
            cleaned["EnvironmentVariables"] = json.dumps(variables)
    return cleaned


_ACCOUNT_CONTEXTS = re.compile(
    r"(?<=:)\d{12}(?=:)"  # ARNs: arn:aws:service:region:ACCOUNT:resource
    r"|\d{12}(?=\.dkr\.ecr\.)"  # ECR registries
    r"|(?<=\"account_id\": \")\d{12}(?=\")"
)


class AccountRedactor:
    """Replaces account ids with stand-ins, the same stand-in for the same account everywhere."""

    def __init__(self) -> None:
        self._stand_ins: dict[str, str] = {}

    def _stand_in(self, account: str) -> str:
        if account not in self._stand_ins:
            self._stand_ins[account] = f"{len(self._stand_ins) + 1:012d}"
        return self._stand_ins[account]

    def __call__(self, value: str) -> str:
        for found in _ACCOUNT_CONTEXTS.finditer(value):
            self._stand_in(found.group(0))
        # Every known account, wherever it stands (bare in messages, in URLs ...).
        for account in sorted(self._stand_ins, key=len, reverse=True):
            value = re.sub(rf"(?<!\d){account}(?!\d)", self._stand_ins[account], value)
        return value
