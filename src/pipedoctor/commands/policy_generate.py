"""`pipedoctor policy generate|diff`: a role's least-privilege policy, proven before it is used."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from pipedoctor.commands.common import (
    add_output_file,
    add_snapshot_options,
    snapshot_request,
    write_output,
)

if TYPE_CHECKING:
    from pipedoctor.app.policy import PolicyRequest

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


def policy_request(args: argparse.Namespace) -> PolicyRequest:
    from dataclasses import fields

    from pipedoctor.app.policy import PolicyRequest
    from pipedoctor.app.usage import UsageRequest

    request = snapshot_request(args)
    # The usage options are named as UsageRequest's fields.
    usage = {f.name: getattr(args, f.name) for f in fields(UsageRequest) if f.name != "aws"}
    return PolicyRequest(
        role=args.role,
        snapshot=request,
        usage=UsageRequest(**usage, aws=request.aws),
        authorization_details=args.authorization_details,
        include_denied=args.include_denied,
    )


def generated_policy(args: argparse.Namespace) -> Any:
    from pipedoctor.app.policy import generated_policy as generate

    return generate(policy_request(args))


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
