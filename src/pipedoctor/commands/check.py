"""`pipedoctor check`: the analysis for CI, with an exit code."""

from __future__ import annotations

import argparse
from typing import Any

from pipedoctor.commands.common import REPORT_FORMATS, add_output_options, add_rules_dir
from pipedoctor.errors import UserError

DESCRIPTION = """Analyse repository files, a snapshot or a live pipeline, and exit 1 when a finding
reaches --fail-on. Reports the diagnosis of every failed action and build, and configuration that
will fail or grants too much: Docker Hub base images, invalid buildspecs, full-access policies on
CI roles. With no arguments it scans the current folder's Dockerfiles and buildspecs."""


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "check", help="analyse a pipeline for CI (exit 1 on findings)", description=DESCRIPTION
    )
    parser.add_argument("paths", nargs="*", metavar="PATH", help="repository files or folders")
    parser.add_argument("--snapshot", metavar="FILE", help="analyse a snapshot file (no AWS access)")
    parser.add_argument("--pipeline", action="append", metavar="NAME", help="collect this pipeline live first")
    parser.add_argument("--region", action="append", metavar="R", help="AWS region (repeatable)")
    parser.add_argument("--profile", metavar="P", help="AWS profile")
    add_output_options(parser, formats=REPORT_FORMATS)
    parser.add_argument(
        "--output",
        action="append",
        default=[],
        metavar="FORMAT=PATH",
        help="also write FORMAT to PATH from the same run (repeatable), e.g. sarif=results.sarif",
    )
    add_rules_dir(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from pipedoctor.analysis import analyse_snapshot
    from pipedoctor.commands.report_output import emit
    from pipedoctor.diagnose import load_rules
    from pipedoctor.model import Snapshot, load
    from pipedoctor.sources.repository import repository_files

    if args.snapshot and args.pipeline:
        raise UserError("give either --snapshot or --pipeline, not both")
    if args.snapshot:
        snapshot = load(args.snapshot)
    elif args.pipeline:
        from pipedoctor.collect import CollectOptions
        from pipedoctor.commands.collect import collect_snapshot

        options = CollectOptions(regions=args.region or [], pipelines=args.pipeline)
        snapshot, _ = collect_snapshot(options, args.profile)
    else:
        snapshot = Snapshot(origin="repository")
    if args.paths or not (args.snapshot or args.pipeline):
        snapshot.repo_files += repository_files(args.paths or ["."])
    rules = load_rules(args.rules_dir)
    sections = analyse_snapshot(snapshot, rules)
    return emit(sections, snapshot.errors, rules, args.format, args.output, args.fail_on, args.exit_zero)
