"""The last lines of a failed build's CloudWatch log."""

from __future__ import annotations

from typing import Any

from pipedoctor import redact
from pipedoctor.collect.reader import Reader
from pipedoctor.model import Build

MAX_LINES = 10000  # GetLogEvents returns at most 10,000 events per call


def log_tail(reader: Reader, client: Any, build: Build, lines: int) -> list[str]:
    """The last `lines` events of the build's stream, oldest first; one call, never the head."""
    if not (build.log_group and build.log_stream) or lines <= 0:
        return []
    response = reader.call(
        client,
        "get_log_events",
        resource=f"{build.log_group}:{build.log_stream}",
        logGroupName=build.log_group,
        logStreamName=build.log_stream,
        startFromHead=False,
        limit=min(lines, MAX_LINES),
    )
    events = (response or {}).get("events", [])
    return [redact.text(event.get("message", "").rstrip("\n")) for event in events[-lines:]]
