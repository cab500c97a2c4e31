"""CloudTrail event history (LookupEvents), paged. LookupEvents is throttled to 2 requests/s per
account and region: botocore's retries absorb that."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any


def lookup_events(
    client: Any, start: datetime, end: datetime, attributes: list[dict[str, str]]
) -> Iterator[dict[str, Any]]:
    """Every event between `start` and `end` matching the (at most one) lookup attribute."""
    query: dict[str, Any] = {"StartTime": start, "EndTime": end}
    if attributes:
        query["LookupAttributes"] = attributes
    for page in client.get_paginator("lookup_events").paginate(**query):
        yield from page.get("Events", [])
