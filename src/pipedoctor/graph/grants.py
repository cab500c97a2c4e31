"""Decided edges before they enter the graph: `can`, `passes_role` and `assumes`, each with the
statements that decided it (provenance)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pipedoctor.iam import CompiledPolicy, StatementRef


@dataclass
class Grant:
    source: str  # principal ARN, service principal, "*" (anyone)
    target: str  # resource ARN, resource-set id or service node id
    relation: str  # "can" | "passes_role" | "assumes"
    service: str = ""  # passes_role: the iam:PassedToService value
    actions: set[str] = field(default_factory=set)
    # (layer, policy, statement) -> {"layer", "policy", "statement", "effect", "conditions", "actions"}
    statements: dict[tuple[str, str, str], dict[str, Any]] = field(default_factory=dict)
    excluded: list[str] = field(default_factory=list)  # set targets: members decided on their own
    conditional: bool = False  # allowed only when the listed conditions hold
    note: str = ""

    def attributes(self) -> dict[str, Any]:
        attributes: dict[str, Any] = {
            "relation": self.relation,
            "actions": sorted(self.actions),
            "statements": [
                {**entry, "actions": sorted(entry["actions"])}
                for _, entry in sorted(self.statements.items())
            ],
        }
        if self.service:
            attributes["service"] = self.service
        if self.excluded:
            attributes["except"] = self.excluded
        if self.conditional:
            attributes["conditional"] = True
        if self.note:
            attributes["note"] = self.note
        return attributes


class ConditionIndex:
    """Condition blocks of compiled statements, looked up by (policy label, JSON pointer)."""

    def __init__(self) -> None:
        self._by_policy: dict[str, dict[str, list[dict[str, Any]]]] = {}

    def register(self, policy: CompiledPolicy) -> None:
        if policy.label in self._by_policy:
            return
        self._by_policy[policy.label] = {
            statement.statement.pointer: [
                {"operator": entry.operator, "key": entry.key, "values": list(entry.values)}
                for entry in statement.statement.conditions
            ]
            for statement in policy.statements
        }

    def conditions(self, ref: StatementRef) -> list[dict[str, Any]]:
        return self._by_policy.get(ref.policy, {}).get(ref.pointer, [])


class GrantBook:
    """Grants merged by (source, target, relation, service)."""

    def __init__(self, conditions: ConditionIndex) -> None:
        self.grants: dict[tuple[str, str, str, str], Grant] = {}
        self.conditions = conditions

    def add(
        self,
        source: str,
        target: str,
        relation: str,
        actions: list[str],
        refs: list[StatementRef],
        service: str = "",
        excluded: list[str] | None = None,
        conditional: bool = False,
        note: str = "",
    ) -> None:
        key = (source, target, relation, service)
        grant = self.grants.get(key)
        if grant is None:
            grant = self.grants[key] = Grant(
                source, target, relation, service, excluded=list(excluded or []), note=note
            )
            grant.conditional = conditional
        elif not conditional:
            grant.conditional = False
        grant.actions.update(actions)
        for ref in refs:
            entry = grant.statements.get((ref.layer, ref.policy, ref.statement))
            if entry is None:
                entry = grant.statements[(ref.layer, ref.policy, ref.statement)] = {
                    "layer": ref.layer,
                    "policy": ref.policy,
                    "statement": ref.statement,
                    "effect": ref.effect,
                    "conditions": self.conditions.conditions(ref),
                    "actions": set(),
                }
            entry["actions"].update(actions)
