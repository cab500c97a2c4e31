"""`pipedoctor policy generate|diff`: a role's least-privilege policy, proven before it is used."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from pipedoctor.commands.common import (
    add_output_file,
    add_snapshot_options,
    snapshot_request,
    write_output,
)
from pipedoctor.errors import UserError

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


def add_policy_inputs(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--role",
        required=True,
        metavar="NAME|ARN",
        help="the role to write the policy for (its ARN when there is no snapshot)",
    )
    add_snapshot_options(parser)
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
        "get-account-authorization-details` output, - for stdin (default: read from IAM when "
        "credentials allow)",
    )
    parser.add_argument(
        "--include-denied",
        action="store_true",
        help="also grant the calls CloudTrail shows AWS denied (listed as requested, denied)",
    )


def register_generate(actions: Any) -> None:
    parser = actions.add_parser(
        "generate",
        help="write a role's least-privilege policy with its proof",
        description=GENERATE_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_policy_inputs(parser)
    parser.add_argument(
        "--format",
        choices=["json", "terraform", "cloudformation"],
        default="json",
        help="the policy as JSON (default), a Terraform or a CloudFormation resource",
    )
    add_output_file(parser, "the policy")
    parser.set_defaults(func=run_generate)


def register_diff(actions: Any) -> None:
    parser = actions.add_parser(
        "diff",
        help="what the generated policy drops from and adds to the role's current grants",
        description="Compare the role's current policies with its generated least-privilege policy, "
        'counted in expanded actions and in actions granted on Resource "*".',
    )
    add_policy_inputs(parser)
    add_output_file(parser, "the comparison")
    parser.set_defaults(func=run_diff)


def generated_policy(args: argparse.Namespace) -> Any:
    from pipedoctor.app.snapshots import find_role, open_snapshot
    from pipedoctor.commands.policy_usage import current_role, observed_usage, trail_only_snapshot
    from pipedoctor.leastpriv.generate import generate_policy

    current_known, notes = True, []
    if args.snapshot or args.pipeline:
        if args.authorization_details:
            raise UserError("--authorization-details is for a role without --snapshot/--pipeline")
        snapshot = open_snapshot(snapshot_request(args))
        role = find_role(snapshot, args.role)
    else:
        if not (args.cloudtrail or args.lookup_events or args.athena_table):
            raise UserError(
                "give --snapshot FILE, --pipeline NAME, or the role's ARN with --cloudtrail, "
                "--lookup-events or --athena-table"
            )
        role, current_known, notes = current_role(args)
        snapshot = trail_only_snapshot(args, role)
    usage, skipped = observed_usage(args, snapshot, role)
    return generate_policy(
        snapshot,
        role,
        usage,
        skipped,
        include_denied=args.include_denied,
        current_known=current_known,
        notes=notes,
    )


def run_generate(args: argparse.Namespace) -> int:
    from pipedoctor.leastpriv.render import render_policy

    generated = generated_policy(args)
    write_output(args.output, render_policy(generated.document, args.format, generated.role.name))
    sys.stderr.write(generated.report())
    return 0 if generated.proof.holds else 1


def run_diff(args: argparse.Namespace) -> int:
    generated = generated_policy(args)
    diff = generated.diff
    lines = [diff.summary()]
    for label, actions in (("dropped", diff.dropped), ("added", diff.added)):
        if actions:
            lines.append(f"{label} ({len(actions)}):")
            lines += [f"  {action}" for action in sorted(actions)]
    write_output(args.output, "\n".join(lines) + "\n")
    return 0
