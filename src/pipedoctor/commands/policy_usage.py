"""Where `policy generate` gets usage and the role's current policies: CloudTrail files (local or
s3://), LookupEvents, Athena; a snapshot-less role from --authorization-details or IAM. Every AWS
failure here is one line, exit 3 (AWS) or 2 (the input named something that does not exist)."""

from __future__ import annotations

import argparse
from functools import partial
from typing import Any

from pipedoctor.commands.common import one_role_arn
from pipedoctor.errors import ExitCode, UserError


def trail_only_snapshot(args: argparse.Namespace, role: Any) -> Any:
    from pipedoctor.model import Snapshot

    parts = role.arn.split(":")
    return Snapshot(
        account_id=parts[4], partition=parts[1], regions=args.region or [], roles=[role]
    )


def current_role(args: argparse.Namespace) -> tuple[Any, bool, list[str]]:
    """The role with its current policies, whether they are fully known, and from where: the
    --authorization-details file, else IAM when credentials allow, else none."""
    from pipedoctor.leastpriv.current_policies import (
        role_from_arn,
        role_from_authorization_details,
    )

    bare = role_from_arn(args.role)
    if args.authorization_details:
        from pipedoctor.app.inputs import read_input

        text = read_input(args.authorization_details)
        role, missing = role_from_authorization_details(text, args.authorization_details, bare.arn)
        if missing:
            return (
                role,
                False,
                [f"{args.authorization_details} lacks the documents of {', '.join(missing)}"],
            )
        return role, True, [f"current policies from {args.authorization_details}"]
    return _live_role(args, bare)


IAM_REGIONS = {"aws": "us-east-1", "aws-cn": "cn-north-1", "aws-us-gov": "us-gov-west-1"}


def _live_role(args: argparse.Namespace, bare: Any) -> tuple[Any, bool, list[str]]:
    from botocore.exceptions import BotoCoreError, ClientError

    from pipedoctor.collect import make_session
    from pipedoctor.collect.iam import role as read_role
    from pipedoctor.collect.reader import Reader

    # IAM is global: without --region, the partition's home region signs the requests.
    partition = bare.arn.split(":")[1]
    region = (args.region or [IAM_REGIONS.get(partition, "us-east-1")])[0]
    try:
        session = make_session(
            args.profile, one_role_arn(args), region=region, endpoint_url=args.endpoint_url
        )
        if session.get_credentials() is None:
            return bare, False, ["no AWS credentials: the role's current policies are unknown"]
        client = session.client("iam", endpoint_url=args.endpoint_url)
    except (BotoCoreError, ClientError) as error:
        return bare, False, [f"cannot use AWS ({error}): the role's current policies are unknown"]
    reader = Reader()
    found = read_role(reader, client, bare.arn)
    if found is None or reader.errors:
        problem = reader.errors[0].describe() if reader.errors else "no answer"
        return found or bare, False, [f"could not read the role from IAM ({problem})"]
    return found, True, ["current policies read from IAM"]


# AWS error codes that mean the input names something that does not exist (exit 2, not 3).
INPUT_ERROR_CODES = frozenset(
    {
        "NoSuchBucket",
        "NoSuchKey",
        "InvalidBucketName",
        "InvalidRequestException",
        "EntityNotFoundException",
        "MetadataException",
        "InvalidLookupAttributesException",
        "InvalidTimeRangeException",
    }
)


def _aws_failure(what: str, error: Exception) -> UserError:
    """One line for a failed AWS call: exit 2 when the input named something missing, else 3."""
    from botocore.exceptions import BotoCoreError, ClientError

    from pipedoctor.collect.identity import unavailable

    if isinstance(error, ClientError):
        detail = error.response.get("Error", {})
        code = str(detail.get("Code", "Error"))
        exit_code = ExitCode.USAGE if code in INPUT_ERROR_CODES else ExitCode.AWS_UNAVAILABLE
        message = " ".join(str(detail.get("Message", "")).split())[:300]  # one line, bounded
        return UserError(f"{what}: {code}: {message}".rstrip(": "), exit_code)
    if isinstance(error, BotoCoreError):
        return UserError(f"{what}: {unavailable(error)}", ExitCode.AWS_UNAVAILABLE)
    raise error


def _trail_usage(
    args: argparse.Namespace, snapshot: Any, principal: str
) -> tuple[list[Any], list[Any]]:
    """Usage from --cloudtrail folders, files and s3:// prefixes (downloaded first)."""
    import tempfile
    from pathlib import Path

    from botocore.exceptions import BotoCoreError, ClientError

    from pipedoctor.leastpriv.cloudtrail import usage_from_cloudtrail

    for given in args.cloudtrail:
        if not given.startswith("s3://") and not Path(given).exists():
            raise UserError(f"--cloudtrail {given}: no such file or folder")
    with tempfile.TemporaryDirectory(prefix="pipedoctor-trail-") as scratch:
        local: list[str] = []
        for index, given in enumerate(args.cloudtrail):
            if not given.startswith("s3://"):
                local.append(given)
                continue
            from pipedoctor.collect.trail_files import download_trail_files

            target = Path(scratch) / f"s3-{index}"
            try:
                files = download_trail_files(client_for("s3", args, snapshot), given, target)
            except (ClientError, BotoCoreError) as error:
                raise _aws_failure(f"--cloudtrail {given}", error) from None
            local.append(str(target))
            if not files:
                raise UserError(f"--cloudtrail {given}: no CloudTrail log file under it")
        return usage_from_cloudtrail(local, principal=principal, days=args.days)


def observed_usage(
    args: argparse.Namespace, snapshot: Any, role: Any
) -> tuple[list[Any], list[Any]]:
    """Usage from every source asked for: log files, event history, Athena."""
    from botocore.exceptions import BotoCoreError, ClientError

    usage: list[Any] = []
    skipped: list[Any] = []
    if args.cloudtrail:
        found = _trail_usage(args, snapshot, role.name)
        usage, skipped = usage + found[0], skipped + found[1]
    if args.lookup_events:
        from pipedoctor.collect.trail_lookup import lookup_events
        from pipedoctor.leastpriv.lookup_events import (
            codebuild_session_names,
            usage_from_lookup_events,
        )

        builds = [b.id for b in snapshot.builds if b.service_role == role.arn] if snapshot else []
        client = client_for("cloudtrail", args, snapshot)
        try:
            found = usage_from_lookup_events(
                partial(lookup_events, client),
                role.arn,
                days=args.days or 90,
                session_names=codebuild_session_names(builds) or None,
            )
        except (ClientError, BotoCoreError) as error:
            raise _aws_failure("--lookup-events: CloudTrail LookupEvents", error) from None
        usage, skipped = usage + found[0], skipped + found[1]
    if args.athena_database or args.athena_table:
        from pipedoctor.collect.athena_query import QueryFailed, run_query
        from pipedoctor.leastpriv.athena import AthenaError, AthenaTable, usage_from_athena

        if not (args.athena_database and args.athena_table):
            raise UserError("--athena-database and --athena-table go together")
        try:
            table = AthenaTable(
                args.athena_database, args.athena_table, args.athena_workgroup, args.athena_output
            )
            found = usage_from_athena(
                partial(run_query, client_for("athena", args, snapshot)),
                table,
                principal=role.arn,
                days=args.days or 90,
            )
        except (AthenaError, QueryFailed) as error:
            raise UserError(f"athena: {error}") from None
        except (ClientError, BotoCoreError) as error:
            raise _aws_failure("athena", error) from None
        usage, skipped = usage + found[0], skipped + found[1]
    return usage, skipped


def client_for(service: str, args: argparse.Namespace, snapshot: Any = None) -> Any:
    """A client from the standard credential chain, in the snapshot's region unless --region."""
    from botocore.exceptions import BotoCoreError, ClientError

    from pipedoctor.collect import make_session
    from pipedoctor.collect.identity import unavailable

    region = (getattr(args, "region", None) or (snapshot.regions if snapshot else []) or [None])[0]
    try:
        session = make_session(
            args.profile, one_role_arn(args), region=region, endpoint_url=args.endpoint_url
        )
        return session.client(service, endpoint_url=args.endpoint_url)
    except (BotoCoreError, ClientError) as error:
        raise unavailable(error) from None
