"""Live CloudTrail reads: the LookupEvents API.

`usage_from_lookup_events(lookup, role_arn)` reads the last `days` (at most 90: all that
LookupEvents keeps) of management events through `lookup` (the paging, with the client, is in
`collect/trail_lookup.py`). LookupEvents takes a single lookup attribute, so:
given the session names a role used (`AWSCodeBuild-<build uuid>` for CodeBuild, see
`codebuild_session_names`), one `Username` lookup per session; else every event, kept client-side
when its principal is the role. Each `CloudTrailEvent` goes through the same mapping as log files.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
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
    lookup: Callable[[datetime, datetime, list[dict[str, str]]], Iterable[dict[str, Any]]],
    role_arn: str,
    days: int = LOOKUP_EVENTS_DAYS,
    session_names: Iterable[str] | None = None,
    now: datetime | None = None,
) -> tuple[list[UsageRecord], list[Skipped]]:
    """Usage records (denied ones marked) of `role_arn` from `lookup(start, end, attributes)`, the
    events LookupEvents returns (`collect.trail_lookup.lookup_events` with a client)."""
    end = now or datetime.now(UTC)
    start = end - timedelta(days=min(days, LOOKUP_EVENTS_DAYS))
    skips = SkipLog()
    lookups: list[list[dict[str, str]]] = [
        [{"AttributeKey": "Username", "AttributeValue": name}] for name in session_names or ()
    ] or [[]]
    groups: list[EventGroup] = []
    for attributes in lookups:
        groups.extend(_groups(lookup(start, end, attributes), skips))
    return usage_from_groups(groups, role_arn, skips)


def _groups(events: Iterable[dict[str, Any]], skips: SkipLog) -> Iterator[EventGroup]:
    for event in events:
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
