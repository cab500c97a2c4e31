"""`requires` conditions over incident facts: true, false, or unknown (None)."""

from __future__ import annotations

import re
from typing import Any


def evaluate_condition(condition: dict[str, Any], facts: dict[str, Any]) -> bool | None:
    name = condition["fact"]
    if name not in facts:
        return None
    if "exists" in condition:
        present = facts[name] not in (None, "", [], {})
        return present == condition["exists"]
    value = facts[name]
    if "equals" in condition:
        return value == condition["equals"]
    if "in" in condition:
        return value in condition["in"]
    if "not_in" in condition:
        return value not in condition["not_in"]
    if "matches" in condition:
        return re.search(condition["matches"], str(value)) is not None
    return None


def describe_condition(condition: dict[str, Any], facts: dict[str, Any]) -> str:
    if condition.get("because"):
        return condition["because"]
    name = condition["fact"]
    return f"{name} = {facts.get(name)!r}" if name in facts else f"{name} is unknown"
