"""Secrets never leave: plaintext values that look secret are replaced before anything is stored."""

from __future__ import annotations

import json
import re

REDACTED = "***redacted***"

_SECRET_NAME = re.compile(
    r"PASSWORD|PASSWD|SECRET|TOKEN|PRIVATE_KEY|API_KEY|ACCESS_KEY|CREDENTIAL", re.IGNORECASE
)
_SECRET_VALUE = re.compile(
    r"(?:AKIA|ASIA)[0-9A-Z]{16}"  # AWS access key ids
    r"|gh[pousr]_[A-Za-z0-9]{30,}"  # GitHub tokens
    r"|github_pat_[A-Za-z0-9_]{30,}"
    r"|glpat-[A-Za-z0-9_\-]{20,}"  # GitLab tokens
    r"|xox[baprs]-[A-Za-z0-9-]{10,}"  # Slack tokens
    r"|-----BEGIN [A-Z ]*PRIVATE KEY-----"
)


def secret_name(name: str) -> bool:
    return bool(_SECRET_NAME.search(name))


def plaintext_value(name: str, value: str, kind: str = "PLAINTEXT") -> str:
    """The value to store for an environment variable (references to SSM/Secrets Manager stay)."""
    if kind == "PLAINTEXT" and secret_name(name) and value:
        return REDACTED
    return text(value)


def text(value: str) -> str:
    return _SECRET_VALUE.sub(REDACTED, value)


def action_configuration(configuration: dict[str, str]) -> dict[str, str]:
    """Redacts the `EnvironmentVariables` JSON of a CodeBuild action and token-like values."""
    cleaned = {key: text(str(value)) for key, value in configuration.items()}
    raw = cleaned.get("EnvironmentVariables")
    if raw:
        try:
            variables = json.loads(raw)
        except ValueError:
            return cleaned
        if not isinstance(variables, list):
            return cleaned
        changed = False
        for variable in variables:
            if isinstance(variable, dict) and "value" in variable:
                value = str(variable["value"])
                kind = str(variable.get("type", "PLAINTEXT"))
                variable["value"] = plaintext_value(str(variable.get("name", "")), value, kind)
                changed = changed or variable["value"] != value
        if changed:  # keep the text as AWS returned it unless something was redacted
            cleaned["EnvironmentVariables"] = json.dumps(variables)
    return cleaned
