"""What a new policy drops from, and adds to, what a role's current policies grant."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pipedoctor.iam import load_catalog
from pipedoctor.model import Role


@dataclass
class PolicyDiff:
    old_actions: set[str]
    new_actions: set[str]
    old_wildcard_grants: int  # allowed actions on Resource "*"
    new_wildcard_grants: int

    @property
    def dropped(self) -> set[str]:
        return self.old_actions - self.new_actions

    @property
    def added(self) -> set[str]:
        return self.new_actions - self.old_actions

    def summary(self) -> str:
        return (
            f"current policies allow {len(self.old_actions)} actions ({self.old_wildcard_grants} on "
            f'"*"); the new policy allows {len(self.new_actions)} ({self.new_wildcard_grants} on "*"): '
            f"{len(self.dropped)} dropped, {len(self.added)} added"
            + (f" ({', '.join(sorted(self.added))})" if self.added else "")
        )


def _allowed(documents: list[dict[str, Any]]) -> tuple[set[str], set[str]]:
    """Expanded actions of the Allow statements, and those of them granted on "*"."""
    catalog = load_catalog()
    actions: set[str] = set()
    on_wildcard: set[str] = set()
    for document in documents:
        statements = document.get("Statement", [])
        for statement in [statements] if isinstance(statements, dict) else statements:
            if statement.get("Effect") != "Allow" or "Action" not in statement:
                continue
            patterns = statement["Action"]
            expanded = {
                action
                for pattern in ([patterns] if isinstance(patterns, str) else patterns)
                for action in catalog.expand(pattern)
            }
            actions |= expanded
            resources = statement.get("Resource", [])
            if "*" in ([resources] if isinstance(resources, str) else resources):
                on_wildcard |= expanded
    return actions, on_wildcard


def diff_policies(role: Role, new_policy: dict[str, Any]) -> PolicyDiff:
    old, old_wild = _allowed([document for _, document in role.identity_documents()])
    new, new_wild = _allowed([new_policy])
    return PolicyDiff(old, new, len(old_wild), len(new_wild))
