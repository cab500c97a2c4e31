"""Buildspec commands: which images a build pushes, with variables resolved."""

from __future__ import annotations

import re
from typing import Any

from pipedoctor.textparse import parse_yaml

PHASES = ["install", "pre_build", "build", "post_build"]
_PUSH = re.compile(r"\bdocker\s+(?:image\s+)?push\s+(?:--\S+\s+)*(?P<target>\S+)")
_VARIABLE = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?")
_ECR_URI = re.compile(
    r"^(?P<account>\d{12})\.dkr\.ecr\.(?P<region>[a-z0-9-]+)\.amazonaws\.com(?:\.cn)?/(?P<name>[^:@\s]+)"
)


def parse_buildspec(text: str) -> dict[str, Any]:
    """The buildspec as a mapping ({} for anything else); raises ParseError on invalid YAML."""
    data = parse_yaml(text)
    return data if isinstance(data, dict) else {}


def commands(buildspec: dict[str, Any]) -> list[str]:
    phases = buildspec.get("phases") or {}
    found: list[str] = []
    for phase in PHASES:
        body = phases.get(phase) if isinstance(phases, dict) else None
        if isinstance(body, dict) and isinstance(body.get("commands"), list):
            found += [command for command in body["commands"] if isinstance(command, str)]
    return found


def resolve_variables(command: str, env: dict[str, str]) -> str:
    """Substitute $VAR / ${VAR}; unknown variables stay as written."""
    resolved = command
    for _ in range(3):  # variables defined from other variables
        resolved = _VARIABLE.sub(lambda m: env.get(m.group(1), m.group(0)), resolved)
    return resolved


def pushed_ecr_repositories(buildspec: dict[str, Any], env: dict[str, str]) -> list[tuple[str, str, str]]:
    """(account, region, repository name) of every ECR image `docker push`ed."""
    env = dict(env)
    for command in commands(buildspec):
        # Track simple assignments (REPOSITORY_URI=...) so later pushes resolve.
        if (assignment := re.match(r"^\s*(?:export\s+)?([A-Za-z_]\w*)=(\S+)\s*$", command)) is not None:
            env[assignment.group(1)] = resolve_variables(assignment.group(2).strip("\"'"), env)
    targets = []
    for command in commands(buildspec):
        for push in _PUSH.finditer(command):
            uri = _ECR_URI.match(resolve_variables(push.group("target"), env).strip("\"'"))
            if uri is not None:
                entry = (uri.group("account"), uri.group("region"), uri.group("name"))
                if entry not in targets:
                    targets.append(entry)
    return targets
