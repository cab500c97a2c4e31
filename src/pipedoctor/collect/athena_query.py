"""One Athena query: started, polled until it finishes, its result rows paged in."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

_FINISHED = ("SUCCEEDED", "FAILED", "CANCELLED")


class QueryFailed(Exception):
    """The query failed or was cancelled; the message says which query and why."""


def run_query(
    client: Any,
    request: dict[str, Any],
    poll_seconds: float = 1.0,
    sleep: Callable[[float], None] = time.sleep,
) -> Iterator[list[str | None]]:
    """The result rows (cell texts) of `start_query_execution(**request)`, header row left out."""
    query_id = client.start_query_execution(**request)["QueryExecutionId"]
    while True:
        status = client.get_query_execution(QueryExecutionId=query_id)["QueryExecution"]["Status"]
        if status["State"] in _FINISHED:
            break
        sleep(poll_seconds)
    if status["State"] != "SUCCEEDED":
        reason = status.get("StateChangeReason") or "no reason given"
        raise QueryFailed(f"Athena query {query_id} {status['State'].lower()}: {reason}")
    header_seen = False
    for page in client.get_paginator("get_query_results").paginate(QueryExecutionId=query_id):
        for row in page["ResultSet"]["Rows"]:
            if not header_seen:
                header_seen = True  # the first row of the first page holds the column names
                continue
            yield [cell.get("VarCharValue") for cell in row["Data"]]
