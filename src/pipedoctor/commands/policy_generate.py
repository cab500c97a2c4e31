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
    parser.add_argument("--days", type=int, metavar="N", help="only usage from the last N days")


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
    usage, skipped = [], []
    if args.cloudtrail:
        from pipedoctor.leastpriv.cloudtrail import usage_from_cloudtrail

        usage, skipped = usage_from_cloudtrail(args.cloudtrail, principal=role.name, days=args.days)
    return generate_policy(snapshot, role, usage, skipped)


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
