"""What a role was seen doing: CloudTrail files (local or s3://), event history (LookupEvents),
Athena. Every AWS failure here is one line, exit 3 (AWS) or 2 (the input named something that
does not exist)."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from pipedoctor.app.live import AwsOptions, client_for
from pipedoctor.errors import UserError


@dataclass(frozen=True)
class UsageRequest:
    """Where to look for usage: `--cloudtrail`, `--lookup-events`, `--athena-*`, `--days`."""

    cloudtrail: list[str] = field(default_factory=list)
    lookup_events: bool = False
    athena_database: str | None = None
    athena_table: str | None = None
    athena_workgroup: str = "primary"
    athena_output: str | None = None
    days: int | None = None
    aws: AwsOptions = field(default_factory=AwsOptions)

    @property
    def given(self) -> bool:
        return bool(self.cloudtrail or self.lookup_events or self.athena_table)


def _region(snapshot: Any) -> str | None:
    return snapshot.regions[0] if snapshot and snapshot.regions else None


def _trail_usage(
    request: UsageRequest, snapshot: Any, principal: str
) -> tuple[list[Any], list[Any]]:
    """Usage from --cloudtrail folders, files and s3:// prefixes (downloaded first)."""
    from pipedoctor.collect.identity import call_failed
    from pipedoctor.collect.reader import AWS_ERRORS
    from pipedoctor.collect.trail_files import download_trail_files
    from pipedoctor.leastpriv.cloudtrail import usage_from_cloudtrail

    for given in request.cloudtrail:
        if not given.startswith("s3://") and not Path(given).exists():
            raise UserError(f"--cloudtrail {given}: no such file or folder")
    with tempfile.TemporaryDirectory(prefix="pipedoctor-trail-") as scratch:
        local: list[str] = []
        for index, given in enumerate(request.cloudtrail):
            if not given.startswith("s3://"):
                local.append(given)
                continue
            target = Path(scratch) / f"s3-{index}"
            try:
                client = client_for("s3", request.aws, _region(snapshot))
                files = download_trail_files(client, given, target)
            except AWS_ERRORS as error:
                raise call_failed(f"--cloudtrail {given}", error) from None
            local.append(str(target))
            if not files:
                raise UserError(f"--cloudtrail {given}: no CloudTrail log file under it")
        return usage_from_cloudtrail(local, principal=principal, days=request.days)


def _event_history_usage(
    request: UsageRequest, snapshot: Any, role: Any
) -> tuple[list[Any], list[Any]]:
    from pipedoctor.collect.identity import call_failed
    from pipedoctor.collect.reader import AWS_ERRORS
    from pipedoctor.collect.trail_lookup import lookup_events
    from pipedoctor.leastpriv.lookup_events import (
        codebuild_session_names,
        usage_from_lookup_events,
    )

    builds = [b.id for b in snapshot.builds if b.service_role == role.arn] if snapshot else []
    client = client_for("cloudtrail", request.aws, _region(snapshot))
    try:
        return usage_from_lookup_events(
            partial(lookup_events, client),
            role.arn,
            days=request.days or 90,
            session_names=codebuild_session_names(builds) or None,
        )
    except AWS_ERRORS as error:
        raise call_failed("--lookup-events: CloudTrail LookupEvents", error) from None


def _athena_usage(request: UsageRequest, snapshot: Any, role: Any) -> tuple[list[Any], list[Any]]:
    from pipedoctor.collect.athena_query import QueryFailed, run_query
    from pipedoctor.collect.identity import call_failed
    from pipedoctor.collect.reader import AWS_ERRORS
    from pipedoctor.leastpriv.athena import AthenaError, AthenaTable, usage_from_athena

    if not (request.athena_database and request.athena_table):
        raise UserError("--athena-database and --athena-table go together")
    try:
        table = AthenaTable(
            request.athena_database,
            request.athena_table,
            request.athena_workgroup,
            request.athena_output,
        )
        return usage_from_athena(
            partial(run_query, client_for("athena", request.aws, _region(snapshot))),
            table,
            principal=role.arn,
            days=request.days or 90,
        )
    except (AthenaError, QueryFailed) as error:
        raise UserError(f"athena: {error}") from None
    except AWS_ERRORS as error:
        raise call_failed("athena", error) from None


def _trail_principal(role: Any) -> str:
    """The role's ARN when it names the account (a same-named role of another account in the
    same trail is someone else), else its name."""
    from pipedoctor.knowledge.arns import arn_account

    return role.arn if arn_account(role.arn or "") else role.name


def observed_usage(request: UsageRequest, snapshot: Any, role: Any) -> tuple[list[Any], list[Any]]:
    """(usage, skipped events) from every source asked for: log files, event history, Athena."""
    usage: list[Any] = []
    skipped: list[Any] = []
    found: list[tuple[list[Any], list[Any]]] = []
    if request.cloudtrail:
        found.append(_trail_usage(request, snapshot, _trail_principal(role)))
    if request.lookup_events:
        found.append(_event_history_usage(request, snapshot, role))
    if request.athena_database or request.athena_table:
        found.append(_athena_usage(request, snapshot, role))
    for more_usage, more_skipped in found:
        usage, skipped = usage + more_usage, skipped + more_skipped
    return usage, skipped
