"""The resources a grant must name for a need, where AWS authorizes a call against another ARN
than the obvious one (`authorization_forms.json`, every row cited)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

TABLE_PATH = Path(__file__).with_name("authorization_forms.json")


@cache
def table() -> dict[str, Any]:
    with TABLE_PATH.open(encoding="utf-8") as handle:
        return json.load(handle)


def granted_resources(action: str, resource: str) -> list[str]:
    """What to grant for `action` on `resource` (an ARN or pattern): the row's forms, else it."""
    row = table()["grant"].get(action)
    if row is None or resource == "*":
        return [resource]
    return [form.replace("{arn}", resource) for form in row["resources"]]
