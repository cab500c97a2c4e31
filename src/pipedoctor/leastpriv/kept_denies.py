"""The current Deny statements a generated policy must carry, so that replacing the current
policies with it never lifts a Deny: every identity-policy Deny that can apply to an action the
new policy allows, copied as written (only its Sid is renamed)."""

from __future__ import annotations

from typing import Any

from pipedoctor.iam import compile_policy, load_catalog
from pipedoctor.model import Role

KEPT_SID_PREFIX = "KeptDeny"


def _allowed_actions(document: dict[str, Any]) -> set[str]:
    catalog = load_catalog()
    actions: set[str] = set()
    for statement in compile_policy(document).statements:
        if statement.allow and statement.statement.actions is not None:
            for pattern in statement.statement.actions:
                actions.update(action.lower() for action in catalog.expand(pattern) or [pattern])
    return actions


def _statements(document: dict[str, Any]) -> list[dict[str, Any]]:
    statements = document.get("Statement", [])
    return [statements] if isinstance(statements, dict) else list(statements)


def with_kept_denies(document: dict[str, Any], role: Role) -> dict[str, Any]:
    """`document` with the role's identity Deny statements that touch its allowed actions."""
    allowed = _allowed_actions(document)
    kept: list[dict[str, Any]] = []
    for _, current in role.identity_documents():
        compiled = compile_policy(current).statements
        denies = [s for s in compiled if not s.allow and s.action_test is not None]
        raw = _statements(current)
        for statement in denies:
            if not any(statement.action_test.matches(action) for action in allowed):
                continue
            copy = {
                key: value
                for key, value in raw[statement.statement.index].items()
                if key not in ("Sid", "Principal", "NotPrincipal")
            }
            if copy not in [{k: v for k, v in s.items() if k != "Sid"} for s in kept]:
                kept.append({"Sid": f"{KEPT_SID_PREFIX}{len(kept) + 1}", **copy})
    if not kept:
        return document
    return {**document, "Statement": _statements(document) + kept}


def without_kept_denies(document: dict[str, Any]) -> dict[str, Any]:
    statements = [
        s for s in _statements(document) if not str(s.get("Sid", "")).startswith(KEPT_SID_PREFIX)
    ]
    return {**document, "Statement": statements}
