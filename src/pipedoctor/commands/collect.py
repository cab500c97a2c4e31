"""`pipedoctor collect`: read pipelines, builds, roles and resources from AWS into a snapshot."""

from __future__ import annotations

import argparse
import sys

from pipedoctor import terminal
from pipedoctor.commands.common import (
    account_redactor,
    add_aws_options,
    add_redact_accounts,
    aws_options,
)
from pipedoctor.errors import ExitCode, UserError

DEFAULT_LOG_LINES = 200


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "collect",
        help="read pipelines, builds, IAM roles and resources from AWS into a snapshot",
        description="Read-only: collects what diagnosis needs into a snapshot file. Uses the "
        "standard AWS credential chain; AWS_ENDPOINT_URL is honoured.",
    )
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument(
        "--pipeline", action="append", default=[], metavar="NAME", help="a pipeline (repeatable)"
    )
    which.add_argument("--all", action="store_true", help="every pipeline in the regions")
    parser.add_argument(
        "--execution",
        default="latest",
        metavar="latest|ID",
        help="which execution: the latest (default) or an execution id (one --pipeline only)",
    )
    parser.add_argument(
        "--executions", type=int, default=1, metavar="N", help="the N most recent executions"
    )
    add_aws_options(parser)
    parser.add_argument(
        "--log-lines",
        type=int,
        default=DEFAULT_LOG_LINES,
        metavar="N",
        help=f"last lines of each failed build's log (default {DEFAULT_LOG_LINES}, max 10000)",
    )
    parser.add_argument(
        "-o", "--output", required=True, metavar="FILE", help="snapshot; - = stdout"
    )
    parser.add_argument(
        "--iam-all",
        action="store_true",
        help="also read every user, group, role and policy of the account (for `pipedoctor graph`)",
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    add_redact_accounts(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    # boto3 is imported when collecting, not at module level, so other commands start fast.
    from pipedoctor.app.live import collect_live
    from pipedoctor.collect import CollectOptions
    from pipedoctor.model import dump, dumps

    if args.execution != "latest" and len(args.pipeline) != 1:
        raise UserError("--execution ID needs exactly one --pipeline")
    if args.executions < 1:
        raise UserError("--executions must be at least 1")
    if not 0 <= args.log_lines <= 10000:
        raise UserError("--log-lines must be between 0 and 10000")

    def progress(message: str) -> None:
        if not (args.quiet or terminal.quiet()):
            print(f"pipedoctor: collect: {message}", file=sys.stderr, flush=True)

    options = CollectOptions(
        regions=[],
        pipelines=args.pipeline,
        all_pipelines=args.all,
        execution=args.execution,
        executions=args.executions,
        log_lines=args.log_lines,
        iam_all=args.iam_all,
    )
    snapshot, calls = collect_live(options, aws_options(args), progress)
    if args.output == "-":
        sys.stdout.write(dumps(snapshot, account_redactor(args)))
    else:
        dump(snapshot, args.output, account_redactor(args))
    progress(
        f"{len(snapshot.pipelines)} pipeline(s), {len(snapshot.builds)} build(s), "
        f"{len(snapshot.roles)} role(s), {calls} API calls; "
        f"{len(snapshot.errors)} read(s) failed"
        + (f" (see errors in {args.output})" if snapshot.errors and args.output != "-" else "")
    )
    return ExitCode.OK
