"""The IAM policy pipedoctor itself needs, per mode, made from the table of calls it makes."""

from __future__ import annotations

from typing import Any

from pipedoctor.operations import (
    ASSUME_ROLE,
    ATHENA_FOR_CALLER,
    COLLECT,
    POLICY_APPLY,
    POLICY_GENERATE,
)

MODES = ["collect", "check", "policy-generate", "policy-apply", "all"]
APPLY_RESOURCES = {
    "policy": "arn:aws:iam::*:policy/pipedoctor/*",
    "any-policy": "arn:aws:iam::*:policy/*",
    "role": "arn:aws:iam::*:role/*",
}


def _read_statements(
    table: dict[tuple[str, str], str | None] | dict[tuple[str, str], str], prefix: str = "Read"
) -> list[dict[str, Any]]:
    by_service: dict[str, set[str]] = {}
    for action in table.values():
        if action:
            by_service.setdefault(action.split(":", 1)[0], set()).add(action)
    return [
        {
            "Sid": prefix + "".join(part.capitalize() for part in service.split("-")),
            "Effect": "Allow",
            "Action": sorted(actions),
            "Resource": "*",
        }
        for service, actions in sorted(by_service.items())
    ]


def _apply_statements() -> list[dict[str, Any]]:
    return [
        {
            "Sid": "Apply" + "".join(part.capitalize() for part in kind.split("-")),
            "Effect": "Allow",
            "Action": sorted(action for action, on in POLICY_APPLY.values() if on == kind),
            "Resource": resource,
        }
        for kind, resource in APPLY_RESOURCES.items()
    ]


def _generate_statements() -> list[dict[str, Any]]:
    statements = _read_statements(POLICY_GENERATE, prefix="Usage")
    statements.append(
        {
            "Sid": "AthenaForCaller",
            "Effect": "Allow",
            "Action": sorted(ATHENA_FOR_CALLER),
            "Resource": "*",
        }
    )
    return statements


def permissions_policy(mode: str) -> dict[str, Any]:
    """`check` on files or a snapshot reads nothing from AWS; `check --pipeline` is `collect`."""
    statements: list[dict[str, Any]] = []
    if mode in ("collect", "check", "all"):
        statements += _read_statements(COLLECT)
    if mode in ("policy-generate", "all"):
        statements += _generate_statements()
    if mode in ("policy-apply", "all"):
        statements += _apply_statements()
    if mode == "all":
        statements += _read_statements(ASSUME_ROLE, prefix="Assume")
    return {"Version": "2012-10-17", "Statement": statements}
