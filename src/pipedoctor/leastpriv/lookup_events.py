"""Live CloudTrail reads: the LookupEvents API.

`usage_from_lookup_events(client, role_arn)` pages through the last `days` (at most 90: all that
LookupEvents keeps) of management events. LookupEvents takes a single lookup attribute, so:
given the session names a role used (`AWSCodeBuild-<build uuid>` for CodeBuild, see
`codebuild_session_names`), one `Username` lookup per session; else every event, kept client-side
when its principal is the role. Each `CloudTrailEvent` goes through the same mapping as log files.
LookupEvents is throttled to 2 requests/s per account and region: botocore's retries absorb that.

The client is passed in: this module never imports the SDK.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from pipedoctor.leastpriv.cloudtrail import (
    EventGroup,
    SkipLog,
    group_from_record,
    usage_from_groups,
)
from pipedoctor.leastpriv.usage import Skipped, UsageRecord

LOOKUP_EVENTS_DAYS = 90


def codebuild_session_names(build_ids: Iterable[str]) -> list[str]:
    """CodeBuild assumes its service role as `AWSCodeBuild-<uuid>` for build id `project:uuid`."""
    return [f"AWSCodeBuild-{build_id.rsplit(':', 1)[-1]}" for build_id in build_ids]


def usage_from_lookup_events(
    client: Any,
    role_arn: str,
    days: int = LOOKUP_EVENTS_DAYS,
    session_names: Iterable[str] | None = None,
    now: datetime | None = None,
) -> tuple[list[UsageRecord], list[Skipped]]:
    """Usage records (denied ones marked) of `role_arn` from CloudTrail LookupEvents."""
    end = now or datetime.now(UTC)
    start = end - timedelta(days=min(days, LOOKUP_EVENTS_DAYS))
    skips = SkipLog()
    lookups: list[list[dict[str, str]]] = [
        [{"AttributeKey": "Username", "AttributeValue": name}] for name in session_names or ()
    ] or [[]]
    groups: list[EventGroup] = []
    for attributes in lookups:
        groups.extend(_groups(client, start, end, attributes, skips))
    return usage_from_groups(groups, role_arn, skips)


def _groups(
    client: Any, start: datetime, end: datetime, attributes: list[dict[str, str]], skips: SkipLog
) -> Iterator[EventGroup]:
    query: dict[str, Any] = {"StartTime": start, "EndTime": end}
    if attributes:
        query["LookupAttributes"] = attributes
    for page in client.get_paginator("lookup_events").paginate(**query):
        for event in page.get("Events", []):
            try:
                record = json.loads(event.get("CloudTrailEvent") or "")
            except json.JSONDecodeError:
                skips.add("malformed CloudTrailEvent JSON", 1, event.get("EventId"))
                continue
            group = group_from_record(record)
            if group is None:
                skips.add("not a CloudTrail record", 1, event.get("EventId"))
                continue
            yield group
