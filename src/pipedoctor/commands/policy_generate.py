"""`pipedoctor policy generate|diff`: a role's least-privilege policy, proven before it is used."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from pipedoctor.errors import UserError

GENERATE_DESCRIPTION = """Write the least-privilege policy for a CI role: what the pipeline's
configuration requires (ECR push to the repositories the buildspec pushes, the project's log group,
the artifact bucket and key, UseConnection for full-clone sources, Parameter Store and Secrets
Manager variables, VPC and report groups), what build logs show denied, and what CloudTrail shows
used. Resources are ARNs wherever the action supports it. stdout is the policy alone; the proof
(every need replays Allowed; nothing allowed that the current policies did not, except listed
needs) and the diff go to stderr. Exit 1 when the proof fails."""


def _add_inputs(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--role", required=True, metavar="NAME|ARN", help="the role to write the policy for"
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

    if bool(args.snapshot) == bool(args.pipeline):
        raise UserError("give --snapshot FILE or --pipeline NAME (one of them)")
    if args.snapshot:
        snapshot = load(args.snapshot)
    else:
        from pipedoctor.collect import CollectOptions
        from pipedoctor.commands.collect import collect_snapshot

        snapshot, _ = collect_snapshot(
            CollectOptions(regions=args.region or [], pipelines=args.pipeline), args.profile
        )
    role = find_role(snapshot, args.role)
    usage, skipped = _observed_usage(args, snapshot, role)
    return generate_policy(snapshot, role, usage, skipped)


def _observed_usage(
    args: argparse.Namespace, snapshot: Any, role: Any
) -> tuple[list[Any], list[Any]]:
    """Usage from every source asked for: log files, event history, Athena."""
    usage: list[Any] = []
    skipped: list[Any] = []
    if args.cloudtrail:
        from pipedoctor.leastpriv.cloudtrail import usage_from_cloudtrail

        found = usage_from_cloudtrail(args.cloudtrail, principal=role.name, days=args.days)
        usage, skipped = usage + found[0], skipped + found[1]
    if args.lookup_events:
        from pipedoctor.leastpriv.lookup_events import (
            codebuild_session_names,
            usage_from_lookup_events,
        )

        builds = [b.id for b in snapshot.builds if b.service_role == role.arn]
        client = _client("cloudtrail", args, snapshot)
        found = usage_from_lookup_events(
            client,
            role.arn,
            days=args.days or 90,
            session_names=codebuild_session_names(builds) or None,
        )
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
role's other managed policies (keep some with --keep). Nothing is written without --yes; without
it the plan is printed. Refused when the proof fails. What was done is recorded in --record, which
`pipedoctor policy rollback --record FILE --yes` uses to restore the attachments exactly."""


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
        description="Re-attach the managed policies `policy apply` detached, detach and delete (or "
        "restore the previous version of) the policy it wrote.",
    )
    parser.add_argument(
        "--record", required=True, metavar="FILE", help="the file `policy apply` wrote"
    )
    parser.add_argument("--yes", action="store_true", help="really change the role")
    parser.add_argument("--profile", metavar="P", help="AWS profile")
    parser.add_argument("--endpoint-url", help=argparse.SUPPRESS)
    parser.set_defaults(func=run_rollback)


def run_apply(args: argparse.Namespace) -> int:
    from pipedoctor.leastpriv.apply import apply_policy, planned_detachments, policy_arn
    from pipedoctor.model.snapshot import write_atomically

    generated = _generated(args)
    sys.stderr.write(generated.report())
    if not generated.proof.holds:
        print("pipedoctor: not applying: the proof failed (see above)", file=sys.stderr)
        return 1
    role = generated.role
    account = role.arn.split(":")[4]
    name = args.policy_name or f"{role.name}-least-privilege"
    target = policy_arn(account, name)
    record_path = args.record or f"pipedoctor-apply-{role.name}.json"
    if not args.yes:
        current = [policy.arn for policy in role.attached_policies]
        print(f"plan: write {target}, attach it to {role.name}")
        for arn in planned_detachments(current, target, args.keep):
            print(f"plan: detach {arn}")
        print("nothing was changed: run again with --yes to apply", file=sys.stderr)
        return 0
    iam = _client("iam", args)
    record = apply_policy(
        iam,
        role.name,
        account,
        name,
        generated.document,
        args.keep,
        save=lambda r: write_atomically(record_path, r.dumps()),
    )
    print(
        f"attached {record.policy_arn} to {role.name}; detached {len(record.detached)}: {', '.join(record.detached) or 'none'}"
    )
    print(f"undo with: pipedoctor policy rollback --record {record_path} --yes", file=sys.stderr)
    return 0


def run_rollback(args: argparse.Namespace) -> int:
    from pipedoctor.leastpriv.apply import ApplyRecord, rollback

    try:
        with open(args.record, encoding="utf-8") as stream:
            record = ApplyRecord.loads(stream.read())
    except OSError as error:
        raise UserError(f"cannot read {args.record}: {error.strerror}") from None
    except (ValueError, TypeError) as error:
        raise UserError(f"{args.record}: not a pipedoctor apply record ({error})") from None
    if not args.yes:
        print(f"plan: re-attach {', '.join(record.detached) or 'nothing'} to {record.role_name}")
        action = (
            "delete"
            if record.created_policy
            else f"restore version {record.previous_default_version} of"
        )
        print(f"plan: detach and {action} {record.policy_arn}")
        print("nothing was changed: run again with --yes to roll back", file=sys.stderr)
        return 0
    rollback(_client("iam", args), record)
    print(f"restored the attachments of {record.role_name} from {args.record}")
    return 0
