"""Small conversions from boto3 values to the model's plain ones."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any


def iso(value: Any) -> str:
    """An ISO 8601 string for a boto3 timestamp, '' when absent.

    boto3 parses timestamps to datetimes; a Stubber hands back whatever it was given (epoch
    seconds in recorded responses).
    """
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, UTC).isoformat()
    return str(value) if value else ""


def role_name(role_arn: str) -> str:
    """`arn:aws:iam::1:role/service-role/x` -> `x` (a role name is the last path segment)."""
    return role_arn.rsplit("/", 1)[-1]


def chunks(items: list[str], size: int) -> list[list[str]]:
    return [items[start : start + size] for start in range(0, len(items), size)]
