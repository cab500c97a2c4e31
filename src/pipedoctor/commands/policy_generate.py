"""`pipedoctor policy generate|diff`: a role's least-privilege policy, proven before it is used."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from pipedoctor.errors import ExitCode, UserError

GENERATE_DESCRIPTION = """Write the least-privilege policy for a CI role: what the pipeline's
configuration requires (ECR push to the repositories the buildspec pushes, the project's log group,
the artifact bucket and key, UseConnection for full-clone sources, Parameter Store and Secrets
Manager variables, VPC and report groups), what build logs show denied, and what CloudTrail shows
used. Resources are ARNs wherever the action supports it. stdout is the policy alone; the proof
(every need allowed; no request allowed that the current policies denied, decided exactly, with a
counterexample when it fails) and the diff go to stderr. Exit 1 when the proof fails.

CloudTrail alone: --role ARN with --cloudtrail, --lookup-events or --athena-table and no
snapshot; the current policies come from --authorization-details FILE, else IAM when credentials
allow, else none (the policy is then proven sufficient only). Calls AWS denied are listed, and
granted only with --include-denied."""


def _add_inputs(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--role",
        required=True,
        metavar="NAME|ARN",
        help="the role to write the policy for (its ARN when there is no snapshot)",
    )
    parser.add_argument(
        "--snapshot", metavar="FILE", help="snapshot holding the role and its pipeline"
    )
    parser.add_argument(
        "--pipeline", action="append", metavar="NAME", help="collect this pipeline live instead"
    )
    parser.add_argument("--region", action="append", metavar="R", help="AWS region for --pipeline")
    parser.add_argument("--profile", metavar="P", help="AWS profile for --pipeline")
    parser.add_argument(
        "--cloudtrail",
        action="append",
        default=[],
        metavar="DIR|FILE|s3://BUCKET/PREFIX",
        help="CloudTrail log files (*.json.gz, *.json) to add observed usage from (repeatable)",
    )
    parser.add_argument(
        "--lookup-events",
        action="store_true",
        help="add observed usage from CloudTrail event history (LookupEvents, the last 90 days)",
    )
    parser.add_argument(
        "--athena-database", metavar="DB", help="CloudTrail table's Athena database"
    )
    parser.add_argument("--athena-table", metavar="TABLE", help="CloudTrail table in Athena")
    parser.add_argument(
        "--athena-workgroup", default="primary", metavar="WG", help="Athena workgroup"
    )
    parser.add_argument(
        "--athena-output", metavar="s3://BUCKET/PREFIX", help="Athena results location"
    )
    parser.add_argument("--days", type=int, metavar="N", help="only usage from the last N days")
    parser.add_argument(
        "--authorization-details",
        metavar="FILE",
        help="without a snapshot: the role's current policies from `aws iam "
        "get-account-authorization-details` output (default: read from IAM when credentials allow)",
    )
    parser.add_argument(
        "--include-denied",
        action="store_true",
        help="also grant the calls CloudTrail shows AWS denied (listed as requested, denied)",
    )
    parser.add_argument("--endpoint-url", help=argparse.SUPPRESS)


def register_generate(actions: Any) -> None:
    parser = actions.add_parser(
        "generate",
        help="write a role's least-privilege policy with its proof",
        description=GENERATE_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_inputs(parser)
    parser.add_argument("--format", choices=["json", "terraform", "cloudformation"], default="json")
    parser.set_defaults(func=run_generate)


def register_diff(actions: Any) -> None:
    parser = actions.add_parser(
        "diff",
        help="what the generated policy drops from and adds to the role's current grants",
        description="Compare the role's current policies with its generated least-privilege policy, "
        'counted in expanded actions and in actions granted on Resource "*".',
    )
    _add_inputs(parser)
    parser.set_defaults(func=run_diff)


def _generated(args: argparse.Namespace) -> Any:
    from pipedoctor.leastpriv.generate import find_role, generate_policy
    from pipedoctor.model import load

    if args.snapshot and args.pipeline:
        raise UserError("give --snapshot FILE or --pipeline NAME, not both")
    current_known, notes = True, []
    if args.snapshot or args.pipeline:
        if args.authorization_details:
            raise UserError("--authorization-details is for a role without --snapshot/--pipeline")
        if args.snapshot:
            snapshot = load(args.snapshot)
        else:
            from pipedoctor.collect import CollectOptions
            from pipedoctor.commands.collect import collect_snapshot

            snapshot, _ = collect_snapshot(
                CollectOptions(regions=args.region or [], pipelines=args.pipeline), args.profile
            )
        role = find_role(snapshot, args.role)
    else:
        if not (args.cloudtrail or args.lookup_events or args.athena_table):
            raise UserError(
                "give --snapshot FILE, --pipeline NAME, or the role's ARN with --cloudtrail, "
                "--lookup-events or --athena-table"
            )
        role, current_known, notes = _current_role(args)
        snapshot = _trail_only_snapshot(args, role)
    usage, skipped = _observed_usage(args, snapshot, role)
    return generate_policy(
        snapshot,
        role,
        usage,
        skipped,
        include_denied=args.include_denied,
        current_known=current_known,
        notes=notes,
    )


def _trail_only_snapshot(args: argparse.Namespace, role: Any) -> Any:
    from pipedoctor.model import Snapshot

    parts = role.arn.split(":")
    return Snapshot(
        account_id=parts[4], partition=parts[1], regions=args.region or [], roles=[role]
    )


def _current_role(args: argparse.Namespace) -> tuple[Any, bool, list[str]]:
    """The role with its current policies, whether they are fully known, and from where: the
    --authorization-details file, else IAM when credentials allow, else none."""
    from pipedoctor.leastpriv.current_policies import (
        role_from_arn,
        role_from_authorization_details,
    )

    bare = role_from_arn(args.role)
    if args.authorization_details:
        try:
            with open(args.authorization_details, encoding="utf-8") as stream:
                text = stream.read()
        except OSError as error:
            raise UserError(f"cannot read {args.authorization_details}: {error.strerror}") from None
        except UnicodeDecodeError:
            raise UserError(f"{args.authorization_details} is not UTF-8 text") from None
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
        session = make_session(args.profile, region=region, endpoint_url=args.endpoint_url)
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
                files = download_trail_files(_client("s3", args, snapshot), given, target)
            except (ClientError, BotoCoreError) as error:
                raise _aws_failure(f"--cloudtrail {given}", error) from None
            local.append(str(target))
            if not files:
                raise UserError(f"--cloudtrail {given}: no CloudTrail log file under it")
        return usage_from_cloudtrail(local, principal=principal, days=args.days)


def _observed_usage(
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
        from pipedoctor.leastpriv.lookup_events import (
            codebuild_session_names,
            usage_from_lookup_events,
        )

        builds = [b.id for b in snapshot.builds if b.service_role == role.arn] if snapshot else []
        client = _client("cloudtrail", args, snapshot)
        try:
            found = usage_from_lookup_events(
                client,
                role.arn,
                days=args.days or 90,
                session_names=codebuild_session_names(builds) or None,
            )
        except (ClientError, BotoCoreError) as error:
            raise _aws_failure("--lookup-events: CloudTrail LookupEvents", error) from None
        usage, skipped = usage + found[0], skipped + found[1]
    if args.athena_database or args.athena_table:
        from pipedoctor.leastpriv.athena import AthenaError, AthenaTable, usage_from_athena

        if not (args.athena_database and args.athena_table):
            raise UserError("--athena-database and --athena-table go together")
        try:
            table = AthenaTable(
                args.athena_database, args.athena_table, args.athena_workgroup, args.athena_output
            )
            found = usage_from_athena(
                _client("athena", args, snapshot), table, principal=role.arn, days=args.days or 90
            )
        except AthenaError as error:
            raise UserError(f"athena: {error}") from None
        except (ClientError, BotoCoreError) as error:
            raise _aws_failure("athena", error) from None
        usage, skipped = usage + found[0], skipped + found[1]
    return usage, skipped


def _client(service: str, args: argparse.Namespace, snapshot: Any = None) -> Any:
    """A client from the standard credential chain, in the snapshot's region unless --region."""
    from botocore.exceptions import BotoCoreError, ClientError

    from pipedoctor.collect import make_session
    from pipedoctor.collect.identity import unavailable

    region = (getattr(args, "region", None) or (snapshot.regions if snapshot else []) or [None])[0]
    try:
        session = make_session(args.profile, region=region, endpoint_url=args.endpoint_url)
        return session.client(service, endpoint_url=args.endpoint_url)
    except (BotoCoreError, ClientError) as error:
        raise unavailable(error) from None


def run_generate(args: argparse.Namespace) -> int:
    from pipedoctor.leastpriv.render import render_policy

    generated = _generated(args)
    sys.stdout.write(render_policy(generated.document, args.format, generated.role.name))
    sys.stderr.write(generated.report())
    return 0 if generated.proof.holds else 1


def run_diff(args: argparse.Namespace) -> int:
    generated = _generated(args)
    diff = generated.diff
    print(diff.summary())
    for label, actions in (("dropped", diff.dropped), ("added", diff.added)):
        if actions:
            print(f"{label} ({len(actions)}):")
            print("\n".join(f"  {action}" for action in sorted(actions)))
    return 0


APPLY_DESCRIPTION = """Apply the generated policy: create the customer managed policy
/pipedoctor/<role>-least-privilege (or add a version to it), attach it to the role, then detach the
role's managed policies that hold only Allow statements. Kept: policies with a Deny statement,
policies whose document cannot be read, --keep, the permissions boundary and inline policies. The
plan (write, attach, detach, keep, and why) is printed and saved in --record before anything
changes; nothing is written without --yes. Refused when the proof fails. Running it again with
the same inputs changes nothing. A failed change undoes the ones before it.
`pipedoctor policy rollback --record FILE --yes` undoes exactly what the record says was done."""


def register_apply(actions: Any) -> None:
    parser = actions.add_parser(
        "apply",
        help="attach the generated policy and detach what it replaces (needs --yes)",
        description=APPLY_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_inputs(parser)
    parser.add_argument("--policy-name", metavar="NAME", help="default: <role>-least-privilege")
    parser.add_argument(
        "--keep",
        action="append",
        default=[],
        metavar="ARN",
        help="a managed policy to leave attached",
    )
    parser.add_argument("--record", metavar="FILE", help="default: pipedoctor-apply-<role>.json")
    parser.add_argument("--yes", action="store_true", help="really change the role")
    parser.set_defaults(func=run_apply)


def register_rollback(actions: Any) -> None:
    parser = actions.add_parser(
        "rollback",
        help="undo `policy apply` from its record (needs --yes)",
        description="Undo, newest first, every change the record says `policy apply` made: "
        "re-attach what it detached, detach and delete (or restore the previous version of) the "
        "policy it wrote. Changes already undone are skipped: running it twice does nothing.",
    )
    parser.add_argument(
        "--record", required=True, metavar="FILE", help="the file `policy apply` wrote"
    )
    parser.add_argument("--yes", action="store_true", help="really change the role")
    parser.add_argument("--profile", metavar="P", help="AWS profile")
    parser.add_argument("--endpoint-url", help=argparse.SUPPRESS)
    parser.set_defaults(func=run_rollback)


def _record_path(args: argparse.Namespace, role_name: str) -> str:
    return args.record or f"pipedoctor-apply-{role_name}.json"


def _read_record(path: str) -> Any:
    from pipedoctor.writes.role_policies import ApplyRecord

    try:
        with open(path, encoding="utf-8") as stream:
            return ApplyRecord.loads(stream.read())
    except OSError as error:
        raise UserError(f"cannot read {path}: {error.strerror}") from None
    except (ValueError, TypeError) as error:
        raise UserError(f"{path}: not a pipedoctor apply record ({error})") from None


def _saver(path: str) -> Any:
    from pipedoctor.model.snapshot import write_atomically

    return lambda record: write_atomically(path, record.dumps())


def run_apply(args: argparse.Namespace) -> int:
    import os

    from pipedoctor.leastpriv.apply_plan import plan_apply
    from pipedoctor.writes.role_policies import (
        ChangeFailed,
        apply_plan,
        policy_arn,
        read_role_state,
    )

    generated = _generated(args)
    sys.stderr.write(generated.report())
    if not generated.proof.holds:
        print("pipedoctor: not applying: the proof failed (see above)", file=sys.stderr)
        return 1
    role = generated.role
    partition, account = role.arn.split(":")[1], role.arn.split(":")[4]
    name = args.policy_name or f"{role.name}-least-privilege"
    target = policy_arn(account, name, partition)
    record_path = _record_path(args, role.name)
    iam = _client("iam", args)
    try:
        attached, current = read_role_state(iam, role.name, target)
    except ChangeFailed as error:
        raise UserError(str(error), ExitCode.AWS_UNAVAILABLE) from None
    plan = plan_apply(
        role.name,
        target,
        generated.document,
        attached,
        current,
        args.keep,
        role.permissions_boundary.arn if role.permissions_boundary else None,
        sorted(role.inline_policies),
    )
    for step in plan.steps:
        print(step.line())
    if plan.changes_nothing:
        print(f"nothing to do: {role.name} already has this policy", file=sys.stderr)
        return 0
    if not args.yes:
        print("nothing was changed: run again with --yes to apply", file=sys.stderr)
        return 0
    if os.path.exists(record_path) and _read_record(record_path).pending_undo:
        raise UserError(
            f"{record_path} records an apply that was not rolled back: roll it back first "
            "or give another --record"
        )
    try:
        record = apply_plan(iam, plan, generated.document, _saver(record_path))
    except ChangeFailed as error:
        raise UserError(f"{error} (record: {record_path})", ExitCode.AWS_UNAVAILABLE) from None
    detached = [change["arn"] for change in record.done if change["op"] == "detach"]
    print(
        f"applied {record.policy_arn} to {role.name}; detached {len(detached)}: "
        f"{', '.join(detached) or 'none'}"
    )
    print(f"undo with: pipedoctor policy rollback --record {record_path} --yes", file=sys.stderr)
    return 0


def run_rollback(args: argparse.Namespace) -> int:
    from pipedoctor.writes.role_policies import ChangeFailed, rollback

    record = _read_record(args.record)
    pending = record.pending_undo
    if not pending:
        when = f" at {record.rolled_back_at}" if record.rolled_back_at else ""
        print(
            f"nothing to roll back: {args.record} has no change left to undo "
            f"(status: {record.status}{when})",
            file=sys.stderr,
        )
        return 0
    if not args.yes:
        for change in reversed(pending):
            print(f"plan: undo {change['op']} {change.get('arn', record.policy_arn)}")
        print("nothing was changed: run again with --yes to roll back", file=sys.stderr)
        return 0
    try:
        rollback(_client("iam", args), record, _saver(args.record))
    except ChangeFailed as error:
        raise UserError(
            f"rollback stopped: {error} (record: {args.record})", ExitCode.AWS_UNAVAILABLE
        ) from None
    print(f"rolled back {len(pending)} change(s) to {record.role_name} from {args.record}")
    return 0
