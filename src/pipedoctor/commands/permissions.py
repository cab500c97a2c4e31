"""`pipedoctor permissions`: the IAM policy pipedoctor needs, per mode."""

from __future__ import annotations

import argparse
import json
from typing import Any

from pipedoctor.commands.common import add_output_file, write_output

DESCRIPTION = """Print the exact IAM policy pipedoctor needs. collect (and tui, diagnose --pipeline):
read-only actions, no write at all. check: the same read set, for check --pipeline (check on
files or a snapshot reads nothing from AWS). policy-generate: what `policy generate` reads for
usage (CloudTrail LookupEvents, trail files in S3, Athena with the Glue catalog and results bucket
it uses for the caller) and, without a snapshot, the role's current policies in IAM. policy-apply:
the writes of `policy apply` and `policy rollback`, limited to policies under /pipedoctor/ and role
attachments, and the reads deciding what to keep. all: every mode, and sts:AssumeRole for
--role-arn. The policy is made from the table of API calls pipedoctor makes
(src/pipedoctor/operations.py)."""


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "permissions", help="the IAM policy pipedoctor itself needs", description=DESCRIPTION
    )
    parser.add_argument(
        "--for",
        dest="mode",
        choices=["collect", "check", "policy-generate", "policy-apply", "all"],
        default="all",
        help="the mode to cover (default: all)",
    )
    parser.add_argument(
        "--format",
        choices=["json", "terraform"],
        default="json",
        help="the policy document (default) or a Terraform aws_iam_policy resource",
    )
    add_output_file(parser, "the policy")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from pipedoctor.permissions import permissions_policy

    document = permissions_policy(args.mode)
    body = json.dumps(document, indent=2)
    if args.format == "json":
        write_output(args.output, body + "\n")
        return 0
    indented = "\n".join(f"  {line}" for line in body.splitlines())
    name = f"pipedoctor-{args.mode}"
    write_output(
        args.output,
        f'resource "aws_iam_policy" "pipedoctor_{args.mode.replace("-", "_")}" {{\n'
        f'  name   = "{name}"\n  policy = <<-POLICY\n{indented}\n  POLICY\n}}\n'
    )
    return 0
