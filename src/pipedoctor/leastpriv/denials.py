"""Denials found in build logs, phase contexts and action errors: needs the role does not meet yet."""

from __future__ import annotations

import re
from collections.abc import Iterator

from pipedoctor.leastpriv.usage import Need
from pipedoctor.model import Snapshot

_DENIAL = re.compile(
    r"User: arn:aws[\w-]*:sts::\d{12}:assumed-role/(?P<role>[\w+=,.@-]+)/\S+ is not authorized to "
    r"perform: (?P<action>[\w-]+:\w+)(?: on resource: (?P<resource>arn:[^\s\"',]+|\*))?"
)


def _texts(snapshot: Snapshot) -> Iterator[str]:
    for build in snapshot.builds:
        yield from build.log_excerpt
        for phase in build.phases:
            yield from (context.message for context in phase.contexts)
    for action_execution in snapshot.action_executions:
        yield action_execution.summary


def denied_needs(snapshot: Snapshot, role_arn: str) -> list[Need]:
    """`not authorized to perform: A on resource: R` for sessions of `role_arn`."""
    role_name = role_arn.rsplit("/", 1)[-1]
    needs: list[Need] = []
    for text in _texts(snapshot):
        for found in _DENIAL.finditer(text):
            if found["role"] != role_name:
                continue
            resource = (found["resource"] or "*").rstrip(".")
            need = Need(
                role_arn,
                found["action"],
                resource,
                "denied",
                "denied in a build log or action error",
            )
            if need not in needs:
                needs.append(need)
    return needs
