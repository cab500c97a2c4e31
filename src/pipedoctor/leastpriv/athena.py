"""Observed usage from a CloudTrail table in Amazon Athena (organisation-scale trails).

The same aggregation as the DuckDB path runs in Athena over the standard CloudTrail table (the
one the CloudTrail console or the AWS docs' CREATE TABLE make: `useridentity` struct,
`requestparameters` JSON text, `resources` array of structs): one row per principal, event and
the request parameters the mapping reads, with count and first/last time. `usage_from_athena`
hands the query to a runner (`collect/athena_query.py` starts, polls and pages it) and maps the
rows like log files.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from pipedoctor.leastpriv.cloudtrail import (
    EventGroup,
    Identity,
    SkipLog,
    cutoff,
    event_of,
    usage_from_groups,
)
from pipedoctor.leastpriv.event_actions import request_parameter_keys
from pipedoctor.leastpriv.usage import Skipped, UsageRecord

_IDENTIFIER = re.compile(r"^[A-Za-z0-9_]+$")
_HEAD = (
    "identity_type", "identity_arn", "issuer_arn", "invoked_by", "event_source", "event_name",
    "event_type", "error_code", "region", "account",
)  # fmt: skip
_TAIL = ("resources", "calls", "first_seen", "last_seen")


class AthenaError(Exception):
    """The table, database or output location is misnamed."""


@dataclass(frozen=True)
class AthenaTable:
    database: str
    table: str
    workgroup: str = "primary"
    output: str | None = None  # s3://bucket/prefix/ for results (None: the workgroup's setting)

    def __post_init__(self) -> None:
        for name in (self.database, self.table):
            if not _IDENTIFIER.match(name):
                raise AthenaError(f"not an Athena database or table name: {name!r}")
        if self.output is not None and not self.output.startswith("s3://"):
            raise AthenaError(f"the Athena output location must be s3://...: {self.output!r}")


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _param_column(key: str) -> str:
    return f"param_{re.sub(r'[^A-Za-z0-9]', '_', key)}"


def aggregation_sql(
    table: AthenaTable, principal: str | None = None, days: int | None = None
) -> str:
    """The aggregate query: one row per (identity, event, request parameters the mapping reads)."""
    issuer = "useridentity.sessioncontext.sessionissuer"
    params = [
        f"json_extract_scalar(requestparameters, {_literal(f'$[{chr(34)}{key}{chr(34)}]')}) AS {_param_column(key)}"
        for key in request_parameter_keys()
    ]
    selected = [
        "useridentity.type AS identity_type",
        f"CASE WHEN {issuer}.arn IS NULL THEN useridentity.arn END AS identity_arn",
        f"{issuer}.arn AS issuer_arn",
        "useridentity.invokedby AS invoked_by",
        "eventsource AS event_source",
        "eventname AS event_name",
        "eventtype AS event_type",
        "errorcode AS error_code",
        "awsregion AS region",
        "coalesce(recipientaccountid, useridentity.accountid) AS account",
        *params,
        "array_join(transform(resources, r -> r.arn), ' ') AS resources",
    ]
    where = ["eventname IS NOT NULL"]
    since = cutoff(days)
    if since:
        where.append(f"eventtime >= {_literal(since)}")
    if principal:
        name = principal.rsplit("/", 1)[-1]
        where.append(
            f"({issuer}.username = {_literal(name)} OR useridentity.username = {_literal(name)}"
            f" OR useridentity.arn LIKE {_literal(f'%:assumed-role/{name}/%')})"
        )
    keys = ", ".join(str(index) for index in range(1, len(selected) + 1))
    return (
        "SELECT " + ",\n       ".join(selected)
        + ",\n       count(*) AS calls, min(eventtime) AS first_seen, max(eventtime) AS last_seen"
        + f'\nFROM "{table.database}"."{table.table}"\nWHERE ' + "\n  AND ".join(where)
        + f"\nGROUP BY {keys}"
    )  # fmt: skip


def usage_from_athena(
    run: Callable[[dict[str, Any]], Iterable[list[str | None]]],
    table: AthenaTable,
    principal: str | None = None,
    days: int | None = 90,
) -> tuple[list[UsageRecord], list[Skipped]]:
    """Runs the aggregate query through `run(request)` (`collect.athena_query.run_query` with a
    client: start, poll, page) and maps its rows (denied calls marked)."""
    request: dict[str, Any] = {
        "QueryString": aggregation_sql(table, principal, days),
        "QueryExecutionContext": {"Database": table.database},
        "WorkGroup": table.workgroup,
    }
    if table.output:
        request["ResultConfiguration"] = {"OutputLocation": table.output}
    return usage_from_groups(_groups(run(request)), principal, SkipLog())


def _groups(rows: Iterable[list[str | None]]) -> Iterator[EventGroup]:
    keys = request_parameter_keys()
    columns = (*_HEAD, *(_param_column(key) for key in keys), *_TAIL)
    for cells in rows:
        values = dict(zip(columns, cells, strict=True))
        params = {key: values[_param_column(key)] for key in keys if values[_param_column(key)]}
        yield EventGroup(
            identity=Identity(
                values["identity_type"], values["identity_arn"], values["issuer_arn"], values["invoked_by"]
            ),
            event=event_of(
                values["event_source"] or "", values["event_name"] or "", values["region"],
                values["account"], values["identity_arn"] or values["issuer_arn"], params,
                tuple((values["resources"] or "").split()),
            ),
            event_type=values["event_type"],
            error_code=values["error_code"],
            count=int(values["calls"] or 0),
            first_seen=values["first_seen"] or "",
            last_seen=values["last_seen"] or "",
        )  # fmt: skip
