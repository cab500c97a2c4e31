"""Observed usage from CloudTrail log files, aggregated by DuckDB.

`usage_from_cloudtrail(paths)` reads folders (recursively) and files of CloudTrail logs, gzipped or
not: the standard `{"Records": [...]}` files, JSON lines of bare records, a JSON array of records,
or a single record (an `s3://` trail is downloaded first, by `collect/trail_files.py`).

The result is one `UsageRecord` per (principal, action, resource) with count and first/last seen:

- principals are mapped back from sessions: an assumed-role session becomes its role
  (`userIdentity.sessionContext.sessionIssuer.arn`, which keeps the role path; else the role ARN
  rebuilt from `arn:aws:sts::ACCT:assumed-role/ROLE/SESSION`, path unknown); IAM users and the
  root keep their ARN; a call an AWS service made itself keeps the service principal
  (`config.amazonaws.com`); other identities are skipped with a reason;
- calls CloudTrail shows denied (`AccessDenied`, `UnauthorizedOperation` ...) come back as
  records with `denied=True` (a need the principal lacks; `need()` says source "denied"); calls
  that failed authentication (expired or invalid credentials) say nothing about permissions and
  are skipped; calls that failed for any other reason got past authorization and count as used;
- everything that does not become usage is reported in `Skipped` (unreadable files, malformed
  lines, events without an IAM action, identities without a principal), never dropped silently.

How DuckDB reads: every file is read line by line with `read_csv` (DuckDB inflates gzip itself,
in parallel over files); a CloudTrail file is one line, and `from_json` with an explicit schema of
only the fields used parses each line once. Files with no record per line (pretty-printed JSON,
arrays) are re-read with `read_json_objects`. Grouping sets give the usage groups and per-file
line counts in one pass. The event -> action mapping then runs once per distinct group.

With a principal (what `policy generate` asks for), most records are someone else's, and parsing
them is most of the cost. Files in the shape AWS writes (`{"Records":[...]}`) then go to
`trail_prefilter`, over a process pool: inflated with zlib, searched for the principal's name
bytes, and only the records that may be theirs parsed (with Python's json) and grouped as the
SQL groups them. A file it cannot read that way (another shape, a kept record that does not
parse or is no CloudTrail record) goes to DuckDB whole, so it reads and reports as before. The
trade-off: a damaged record of another principal is never parsed, so it is not reported, and the
principal's records in its file count (DuckDB would call the whole file unreadable).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from pipedoctor.leastpriv.event_actions import Event, map_event, request_parameter_keys
from pipedoctor.leastpriv.trail_prefilter import (
    Unreadable,
    log_pieces,
    principal_bytes,
    principal_records,
)
from pipedoctor.leastpriv.usage import Skipped, UsageRecord

LOG_SUFFIXES = (".json", ".json.gz", ".jsonl", ".jsonl.gz")
LINE_BYTES = 32 * 1024 * 1024  # longer lines (files) go to the JSON-object reader
MAX_OBJECT_BYTES = 1024 * 1024 * 1024
EXAMPLES = 5
BATCH_FILES = 1000
PARALLEL_BYTES = 4 * 1024 * 1024  # below this, starting worker processes costs more than it saves
_DENIED = re.compile(r"AccessDenied|Unauthorized|^Forbidden|^AuthorizationError", re.IGNORECASE)
_AUTH_FAILED = frozenset(
    {
        "ExpiredToken",
        "ExpiredTokenException",
        "InvalidClientTokenId",
        "InvalidAccessKeyId",
        "RequestExpired",
        "SignatureDoesNotMatch",
        "IncompleteSignature",
        "MissingAuthenticationToken",
        "UnrecognizedClientException",
        "CloudTrailInvalidClientTokenIdException",
    }
)
_NOT_API_CALLS = frozenset(
    {"AwsServiceEvent", "AwsConsoleSignIn", "AwsCloudTrailInsight", "AwsVpceEvent"}
)
_SESSION = re.compile(
    r"^arn:(?P<partition>aws[\w-]*):sts::(?P<account>\d{12}):assumed-role/(?P<role>[^/]+)/"
)


@dataclass(frozen=True)
class Identity:
    """The `userIdentity` fields that decide the principal."""

    type: str | None
    arn: str | None = None
    issuer_arn: str | None = None
    invoked_by: str | None = None


@dataclass
class EventGroup:
    """Events identical in everything the mapping looks at, with how many and when."""

    identity: Identity
    event: Event
    event_type: str | None
    error_code: str | None
    count: int
    first_seen: str | None  # None: no record of the group had an eventTime
    last_seen: str | None


@dataclass
class SkipLog:
    """Skipped input, merged by reason."""

    by_reason: dict[str, Skipped] = field(default_factory=dict)

    def add(self, reason: str, count: int = 1, example: str | None = None) -> None:
        entry = self.by_reason.setdefault(reason, Skipped(reason, 0, []))
        entry.count += count
        if example and len(entry.examples) < EXAMPLES and example not in entry.examples:
            entry.examples.append(example)

    def as_list(self) -> list[Skipped]:
        return sorted(self.by_reason.values(), key=lambda item: (-item.count, item.reason))


def principal_of(identity: Identity) -> tuple[str | None, str]:
    """(principal ARN or service principal, "") or (None, why there is none)."""
    kind = identity.type or ""
    if kind == "AssumedRole":
        if identity.issuer_arn and ":role/" in identity.issuer_arn:
            return identity.issuer_arn, ""
        match = _SESSION.match(identity.arn or "")
        if match:
            return f"arn:{match['partition']}:iam::{match['account']}:role/{match['role']}", ""
        return None, "assumed-role session without a role ARN"
    if kind in ("IAMUser", "Root") and identity.arn:
        return identity.arn, ""
    if kind == "FederatedUser" and (identity.issuer_arn or identity.arn):
        return identity.issuer_arn or identity.arn, ""
    if kind == "AWSService" and identity.invoked_by:
        return identity.invoked_by, ""
    return None, f"no principal for identity type {kind or 'missing'!r}"


def principal_matches(principal_arn: str, wanted: str) -> bool:
    """`wanted` is a role (or user) name, or an ARN; a role path is ignored (sessions lack it)."""
    if not wanted.startswith("arn:"):
        return principal_arn.rsplit("/", 1)[-1] == wanted
    if ":assumed-role/" in wanted:
        wanted = principal_of(Identity("AssumedRole", wanted))[0] or wanted
    return _without_path(principal_arn) == _without_path(wanted)


def _without_path(arn: str) -> str:
    head, _, tail = arn.partition(":role/")
    return f"{head}:role/{tail.rsplit('/', 1)[-1]}" if tail else arn


def usage_from_groups(
    groups: Iterable[EventGroup], principal: str | None = None, skips: SkipLog | None = None
) -> tuple[list[UsageRecord], list[Skipped]]:
    """Maps groups to IAM needs and merges them per (principal, action, resource, denied)."""
    skips = skips or SkipLog()
    merged: dict[tuple[str, str, str, bool], UsageRecord] = {}
    for group in groups:
        principal_arn, why = principal_of(group.identity)
        if principal and (principal_arn is None or not principal_matches(principal_arn, principal)):
            continue
        described = f"{group.event.event_source} {group.event.event_name}"
        if group.event_type in _NOT_API_CALLS:
            skips.add(f"not an API call ({group.event_type})", group.count, described)
            continue
        if group.error_code in _AUTH_FAILED:
            skips.add(f"failed authentication ({group.error_code})", group.count, described)
            continue
        if principal_arn is None:
            skips.add(why, group.count, described)
            continue
        mapped = map_event(group.event)
        if mapped.skip_reason:
            skips.add(mapped.skip_reason, group.count, described)
            continue
        denied = bool(group.error_code and _DENIED.search(group.error_code))
        for action, resource in mapped.needs:
            key = (principal_arn, action, resource, denied)
            record = merged.get(key)
            if record is None:
                merged[key] = UsageRecord(
                    principal_arn,
                    action,
                    resource,
                    group.count,
                    group.first_seen,
                    group.last_seen,
                    denied,
                )
            else:
                record.count += group.count
                # A record without eventTime has no time: it neither starts nor ends the span.
                times = [t for t in (record.first_seen, group.first_seen) if t]
                record.first_seen = min(times, default=record.first_seen)
                times = [t for t in (record.last_seen, group.last_seen) if t]
                record.last_seen = max(times, default=record.last_seen)
    records = sorted(
        merged.values(), key=lambda r: (r.principal_arn, r.action, r.resource, r.denied)
    )
    return records, skips.as_list()


def _mapping(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _text(value: object) -> str | None:
    """A field CloudTrail gives as a string; anything else in its place counts as absent."""
    return value if isinstance(value, str) and value else None


def is_record(record: object) -> bool:
    """A parsed value with what makes a CloudTrail record: an event source and name."""
    return (
        isinstance(record, dict)
        and _text(record.get("eventSource")) is not None
        and _text(record.get("eventName")) is not None
    )


def identity_of(record: dict[str, Any]) -> Identity:
    """A parsed record's `userIdentity` fields that decide the principal."""
    user = _mapping(record.get("userIdentity"))
    issuer = _text(_mapping(_mapping(user.get("sessionContext")).get("sessionIssuer")).get("arn"))
    return Identity(
        _text(user.get("type")), _text(user.get("arn")), issuer, _text(user.get("invokedBy"))
    )


def group_from_record(record: dict[str, Any]) -> EventGroup | None:
    """One parsed CloudTrail record as a group of one (None: not a CloudTrail record)."""
    if not is_record(record):
        return None
    identity = identity_of(record)
    parameters = record.get("requestParameters") or {}
    params = {}
    if isinstance(parameters, dict):
        for key in request_parameter_keys():
            value = parameters.get(key)
            if value is not None:
                params[key] = value if isinstance(value, str) else _json_text(value)
    listed = record.get("resources")
    resources = tuple(
        arn
        for item in (listed if isinstance(listed, list) else [])
        if (arn := _text(_mapping(item).get("ARN")) or _text(_mapping(item).get("arn")))
    )
    when = _text(record.get("eventTime")) or ""
    account = _text(_mapping(record.get("userIdentity")).get("accountId"))
    return EventGroup(
        identity=identity,
        event=event_of(
            record["eventSource"],
            record["eventName"],
            _text(record.get("awsRegion")),
            _text(record.get("recipientAccountId")) or account,
            identity.arn,
            params,
            resources,
        ),
        event_type=_text(record.get("eventType")),
        error_code=_text(record.get("errorCode")),
        count=1,
        first_seen=when,
        last_seen=when,
    )


def _json_text(value: object) -> str:
    return json.dumps(value, separators=(",", ":"))


def event_of(
    source: str,
    name: str,
    region: str | None,
    account: str | None,
    caller_arn: str | None,
    params: dict[str, str],
    resources: tuple[str, ...],
) -> Event:
    partition = (
        caller_arn.split(":", 2)[1] if caller_arn and caller_arn.startswith("arn:") else "aws"
    )
    return Event(source, name, region or "", account or "", partition, params, resources)


def cutoff(days: int | None, now: datetime | None = None) -> str | None:
    """The ISO time `days` ago (CloudTrail eventTime compares as text)."""
    if days is None:
        return None
    moment = (now or datetime.now(UTC)) - timedelta(days=days)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def usage_from_cloudtrail(
    paths: list[str],
    principal: str | None = None,
    days: int | None = None,
    *,
    prefilter: bool = True,
) -> tuple[list[UsageRecord], list[Skipped]]:
    """Usage records (denied ones marked) and what was skipped, from CloudTrail log files.

    With a principal, files in the shape AWS writes are read by `trail_prefilter` (the other
    principals' records unparsed); `prefilter=False` parses every record (the reference)."""
    skips = SkipLog()
    files = list(_log_files(paths, skips))
    since = cutoff(days)
    groups: list[EventGroup] = []
    if principal and prefilter and files:
        groups, files = _prefiltered(files, principal, since)
    if files:
        groups.extend(_scan(files, since, skips))
    return usage_from_groups(groups, principal, skips)


def _prefiltered(
    files: list[str], principal: str, since: str | None
) -> tuple[list[EventGroup], list[str]]:
    """The principal's groups from the files in the AWS shape, and the files to read whole.

    Files go to a process pool (inflating and searching them is CPU-bound); each worker returns
    its files' groups already aggregated."""
    jobs = [(path, principal, since) for path in files]
    workers = min(os.cpu_count() or 1, len(files))
    if workers > 1 and sum(_size(path) for path in files) >= PARALLEL_BYTES:
        with ProcessPoolExecutor(workers) as pool:
            results = list(pool.map(_principal_groups, jobs, chunksize=_chunk(len(jobs), workers)))
    else:
        results = [_principal_groups(job) for job in jobs]
    merged: dict[tuple[Any, ...], EventGroup] = {}
    whole: list[str] = []
    for path, groups in zip(files, results, strict=True):
        if groups is None:
            whole.append(path)
            continue
        for group in groups:
            _merge(merged, group)
    return list(merged.values()), whole


def _size(path: str) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0


def _chunk(jobs: int, workers: int) -> int:
    return max(1, jobs // (workers * 32))  # small enough to even out, large enough to batch


def _principal_groups(job: tuple[str, str, str | None]) -> list[EventGroup] | None:
    """The principal's groups of one file (a worker's job); None: read the file whole."""
    path, principal, since = job
    try:
        records = principal_records(log_pieces(path), principal_bytes(principal_name(principal)))
    except Unreadable:
        return None
    if records is None:
        return None
    merged: dict[tuple[Any, ...], EventGroup] = {}
    for record in records:
        if not is_record(record):
            return None  # the full reader reports it as it always did
        principal_arn, _ = principal_of(identity_of(record))
        if principal_arn is None or not principal_matches(principal_arn, principal):
            continue  # another principal's record in a kept window
        group = group_from_record(record)
        if group is not None and (since is None or group.first_seen >= since):
            _merge(merged, group)  # a record without eventTime ("") is in no window, as in SQL
    return list(merged.values())


def principal_name(principal: str) -> str:
    """The text every record of `principal` holds: the last path segment of its ARN (a role's
    name, for a session ARN its role's), or the name given."""
    if principal.startswith("arn:") and ":assumed-role/" in principal:
        principal = principal_of(Identity("AssumedRole", principal))[0] or principal
    return principal.rsplit("/", 1)[-1] if principal.startswith("arn:") else principal


def _merge(merged: dict[tuple[Any, ...], EventGroup], group: EventGroup) -> None:
    """Adds a group into `merged`, keyed as the SQL groups (the session ARN is dropped when
    there is an issuer; a missing eventTime is no time)."""
    identity = group.identity
    if identity.issuer_arn is not None and identity.arn is not None:
        identity = replace(identity, arn=None)
    event = group.event
    key = (
        identity,
        event.event_source,
        event.event_name,
        event.region,
        event.account,
        event.partition,
        tuple(sorted(event.params.items())),
        event.resources,
        group.event_type,
        group.error_code,
    )
    first, last = group.first_seen or None, group.last_seen or None
    found = merged.get(key)
    if found is None:
        merged[key] = replace(group, identity=identity, first_seen=first, last_seen=last)
        return
    found.count += group.count
    found.first_seen = min((t for t in (found.first_seen, first) if t), default=None)
    found.last_seen = max((t for t in (found.last_seen, last) if t), default=None)


def _log_files(paths: list[str], skips: SkipLog) -> Iterator[str]:
    for given in paths:
        path = Path(given)
        if path.is_dir():
            yield from sorted(
                str(p) for p in path.rglob("*") if p.is_file() and p.name.endswith(LOG_SUFFIXES)
            )
        elif path.is_file():
            yield str(path)
        else:
            skips.add("no such file or folder", 1, given)


def _scan(files: list[str], since: str | None, skips: SkipLog) -> Iterator[EventGroup]:
    """DuckDB pass over the files by lines; files it cannot read go to the JSON-object reader."""
    import duckdb

    connection = duckdb.connect()
    try:
        # Batches bound what a bad file costs: its batch is read again without it.
        pending = [
            files[start : start + BATCH_FILES] for start in range(0, len(files), BATCH_FILES)
        ]
        slow: list[str] = []
        while pending:
            batch = pending.pop()
            try:
                rows = _run(connection, _line_sql(), batch, since)
            except (duckdb.IOException, duckdb.InvalidInputException) as error:
                pending.extend(_set_aside(batch, error, slow))
                continue
            yield from _groups(rows, skips, slow)
        if slow:
            yield from _scan_objects(connection, slow, since, skips)
    finally:
        connection.close()


def _scan_objects(
    connection: Any, files: list[str], since: str | None, skips: SkipLog
) -> Iterator[EventGroup]:
    """Files that are not one record (or one Records document) per line: whole JSON values."""
    import duckdb

    pending = [files]
    while pending:
        batch = pending.pop()
        try:
            rows = _run(connection, _object_sql(), batch, since)
        except (duckdb.IOException, duckdb.InvalidInputException) as error:
            pending.extend(_set_aside(batch, error, [], skips))
            continue
        not_records: list[str] = []
        yield from _groups(rows, skips, not_records)
        for path in not_records:
            skips.add("no CloudTrail records in file", 1, path)


def _set_aside(
    batch: list[str], error: Exception, set_aside: list[str], skips: SkipLog | None = None
) -> list[list[str]]:
    """Takes out the file the error names (or halves the batch to find it): into `set_aside`, or
    into `skips` with the error when given. Returns the batches to read again."""
    message = str(error)
    named = [path for path in batch if path in message]
    if named or len(batch) == 1:
        bad = named[0] if named else batch[0]
        if skips is None:
            set_aside.append(bad)
        else:
            skips.add(f"unreadable file: {_first_line(message, bad)}", 1, bad)
        rest = [path for path in batch if path != bad]
        return [rest] if rest else []
    middle = len(batch) // 2
    return [batch[:middle], batch[middle:]]


def _first_line(message: str, path: str) -> str:
    line = message.strip().splitlines()[0] if message.strip() else "error"
    line = re.sub(r'(\s*in file)?\s*"?' + re.escape(path) + '"?', "", line).split("Error: ", 1)[-1]
    return re.sub(r"\s+", " ", line).strip(" :.") or "error"


# --- SQL ---------------------------------------------------------------------------------------

_GROUP_COLUMNS = (
    "identity_type",
    "identity_arn",
    "issuer_arn",
    "invoked_by",
    "event_source",
    "event_name",
    "event_type",
    "error_code",
    "region",
    "account",
    "params",
    "resources",
)


def _record_schema() -> str:
    params = ",".join(f'"{key}":"VARCHAR"' for key in request_parameter_keys())
    return (
        '{"userIdentity":{"type":"VARCHAR","arn":"VARCHAR","accountId":"VARCHAR","invokedBy":"VARCHAR",'
        '"sessionContext":{"sessionIssuer":{"arn":"VARCHAR"}}},'
        '"eventSource":"VARCHAR","eventName":"VARCHAR","eventTime":"VARCHAR","eventType":"VARCHAR",'
        '"errorCode":"VARCHAR","awsRegion":"VARCHAR","recipientAccountId":"VARCHAR",'
        f'"requestParameters":{{{params}}},"resources":["JSON"]}}'
    )


def _aggregate_sql(records: str) -> str:
    """Groups records (a query with columns filename, r) by everything the mapping reads.

    Grouping set (filename) counts, per file, lines that were records and lines that were not.
    """
    return f"""
        WITH records AS ({records}),
        cols AS (
            SELECT filename,
                   r.eventName IS NOT NULL AND r.eventSource IS NOT NULL AS ok,
                   getvariable('since') IS NULL OR r.eventTime >= getvariable('since') AS recent,
                   r.userIdentity.type AS identity_type,
                   r.userIdentity.sessionContext.sessionIssuer.arn AS issuer_arn,
                   -- the session ARN differs per session: keep it only when there is no issuer
                   CASE WHEN issuer_arn IS NULL THEN r.userIdentity.arn END AS identity_arn,
                   r.userIdentity.invokedBy AS invoked_by,
                   r.eventSource AS event_source, r.eventName AS event_name, r.eventType AS event_type,
                   nullif(r.errorCode, '') AS error_code, r.awsRegion AS region,
                   coalesce(r.recipientAccountId, r.userIdentity.accountId) AS account,
                   r.requestParameters AS params,
                   -- `ARN` in log files, `arn` in records exported by Athena and others
                   list_filter(list_transform(r.resources,
                       lambda x: coalesce(nullif(x->>'ARN', ''), nullif(x->>'arn', ''))),
                       lambda x: x IS NOT NULL) AS resources,
                   r.eventTime AS event_time
            FROM records
        )
        SELECT GROUPING(filename) = 0 AS per_file, filename, {", ".join(_GROUP_COLUMNS)},
               count(*) FILTER (WHERE ok AND recent) AS calls,
               count(*) FILTER (WHERE NOT ok) AS bad,
               count(*) FILTER (WHERE ok) AS good,
               min(event_time) FILTER (WHERE ok AND recent) AS first_seen,
               max(event_time) FILTER (WHERE ok AND recent) AS last_seen
        FROM cols
        GROUP BY GROUPING SETS ((filename), ({", ".join(_GROUP_COLUMNS)}))
    """


def _line_sql() -> str:
    schema = _record_schema().replace("'", "''")
    lines = f"""
        SELECT filename, line FROM read_csv(getvariable('files'), columns={{'line': 'VARCHAR'}},
            delim='\\x01', quote='', escape='', header=false, auto_detect=false, strict_mode=false,
            max_line_size={LINE_BYTES}, buffer_size={LINE_BYTES}, filename=true)
        WHERE line <> ''
    """
    records = f"""
        SELECT filename, unnest(coalesce(
            TRY(from_json(line, '{{"Records":[{schema}]}}')).Records, [TRY(from_json(line, '{schema}'))]
        )) AS r
        FROM ({lines})
    """
    return _aggregate_sql(records)


def _object_sql() -> str:
    schema = _record_schema().replace("'", "''")
    records = f"""
        SELECT filename, unnest(coalesce(
            TRY(from_json(doc, '{{"Records":[{schema}]}}')).Records, [TRY(from_json(doc, '{schema}'))]
        )) AS r
        FROM (
            SELECT filename, json::VARCHAR AS doc FROM read_json_objects(getvariable('files'),
                format='auto', maximum_object_size={MAX_OBJECT_BYTES}, filename=true)
        )
    """
    return _aggregate_sql(records)


def _run(connection: Any, sql: str, files: list[str], since: str | None) -> list[tuple[Any, ...]]:
    connection.execute("SET VARIABLE files = $files", {"files": files})
    connection.execute("SET VARIABLE since = $since", {"since": since})
    return connection.execute(sql).fetchall()


def _groups(
    rows: list[tuple[Any, ...]], skips: SkipLog, needs_other_reader: list[str]
) -> Iterator[EventGroup]:
    """Rows of the aggregate query -> EventGroups; per-file rows -> skips or another reader."""
    width = len(_GROUP_COLUMNS)
    for row in rows:
        per_file, filename = row[0], row[1]
        values = dict(zip(_GROUP_COLUMNS, row[2 : 2 + width], strict=True))
        calls, bad, good, first_seen, last_seen = row[2 + width :]
        if per_file:
            if bad and not good:
                needs_other_reader.append(filename)
            elif bad:
                skips.add("malformed line (not a CloudTrail record)", bad, filename)
            continue
        if not calls:
            continue
        params = {
            key: value for key, value in (values["params"] or {}).items() if value is not None
        }
        yield EventGroup(
            identity=Identity(
                values["identity_type"],
                values["identity_arn"],
                values["issuer_arn"],
                values["invoked_by"],
            ),
            event=event_of(
                values["event_source"],
                values["event_name"],
                values["region"],
                values["account"],
                values["identity_arn"] or values["issuer_arn"],
                params,
                tuple(values["resources"] or ()),
            ),
            event_type=values["event_type"],
            error_code=values["error_code"],
            count=calls,
            first_seen=first_seen,
            last_seen=last_seen,
        )
