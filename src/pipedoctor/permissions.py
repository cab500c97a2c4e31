"""The IAM policy pipedoctor itself needs, per mode, made from the table of calls it makes."""

from __future__ import annotations

from typing import Any

from pipedoctor.operations import COLLECT, POLICY_APPLY

MODES = ["collect", "check", "policy-apply", "all"]
APPLY_RESOURCES = {"policy": "arn:aws:iam::*:policy/pipedoctor/*", "role": "arn:aws:iam::*:role/*"}


def _read_statements(table: dict[tuple[str, str], str | None]) -> list[dict[str, Any]]:
    by_service: dict[str, set[str]] = {}
    for action in table.values():
        if action:
            by_service.setdefault(action.split(":", 1)[0], set()).add(action)
    return [
        {
            "Sid": "Read" + "".join(part.capitalize() for part in service.split("-")),
            "Effect": "Allow",
            "Action": sorted(actions),
            "Resource": "*",
        }
        for service, actions in sorted(by_service.items())
    ]


def _apply_statements() -> list[dict[str, Any]]:
    return [
        {
            "Sid": f"Apply{kind.capitalize()}",
            "Effect": "Allow",
            "Action": sorted(action for action, on in POLICY_APPLY.values() if on == kind),
            "Resource": resource,
        }
        for kind, resource in APPLY_RESOURCES.items()
    ]


def permissions_policy(mode: str) -> dict[str, Any]:
    """`check` on files or a snapshot reads nothing from AWS; `check --pipeline` is `collect`."""
    statements: list[dict[str, Any]] = []
    if mode in ("collect", "check", "all"):
        statements += _read_statements(COLLECT)
    if mode in ("policy-apply", "all"):
        statements += _apply_statements()
    return {"Version": "2012-10-17", "Statement": statements}
