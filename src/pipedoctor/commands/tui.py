"""`pipedoctor tui`: the interactive terminal UI, on live AWS data or on a snapshot file."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from pipedoctor.errors import UserError

DESCRIPTION = """Browse pipelines, their executions and the ranked diagnoses of their failures, the
fix and policy statement for each, build logs, and each role's least-privilege policy. Read-only.
Live (the standard AWS credential chain) unless --snapshot FILE is given. `?` shows the keys."""

LIVE_EXECUTIONS = 5
DEFAULT_SAVE_DIR = ".pipedoctor"  # the TUI's own default too (tui.app, not imported here: slow)


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "tui", help="the interactive terminal UI", description=DESCRIPTION
    )
    parser.add_argument("--snapshot", metavar="FILE", help="browse a snapshot file (no AWS access)")
    parser.add_argument("--profile", metavar="P", help="AWS profile")
    parser.add_argument("--region", metavar="R", help="AWS region")
    parser.add_argument(
        "--pipeline",
        action="append",
        default=[],
        metavar="NAME",
        help="only this pipeline (repeatable; default: every pipeline in the region)",
    )
    parser.add_argument(
        "--save-dir",
        metavar="DIR",
        default=os.environ.get("PIPEDOCTOR_SAVE_DIR", DEFAULT_SAVE_DIR),
        help="where `s` saves snapshots and copies fall back to files when the terminal takes "
        f"no clipboard writes (default: $PIPEDOCTOR_SAVE_DIR or {DEFAULT_SAVE_DIR})",
    )
    parser.set_defaults(func=run)


def _live_fetcher(args: argparse.Namespace) -> Any:
    def fetch(progress: Any) -> Any:
        from pipedoctor.collect import CollectOptions
        from pipedoctor.commands.collect import collect_snapshot

        options = CollectOptions(
            regions=[args.region] if args.region else [],
            pipelines=args.pipeline,
            all_pipelines=not args.pipeline,
            executions=LIVE_EXECUTIONS,
        )
        snapshot, _ = collect_snapshot(options, args.profile, progress=progress)
        return snapshot

    return fetch


def run(args: argparse.Namespace) -> int:
    from pipedoctor.model import Snapshot, load
    from pipedoctor.tui.app import Source, run_app

    if not sys.stdout.isatty():
        raise UserError("the TUI needs a terminal; use `pipedoctor check` or `diagnose` in scripts")
    if args.snapshot:
        if args.profile or args.region or args.pipeline:
            raise UserError(
                "--snapshot reads a file: --profile, --region and --pipeline do not apply"
            )
        snapshot = load(args.snapshot)
        path = args.snapshot
        return run_app(
            snapshot,
            Source("snapshot", path=path),
            fetch=lambda _progress: load(path),
            save_dir=args.save_dir,
        )
    source = Source("live", profile=args.profile or "", region=args.region or "")
    empty = Snapshot(regions=[args.region] if args.region else [], origin="live")
    return run_app(
        empty, source, fetch=_live_fetcher(args), fetch_on_start=True, save_dir=args.save_dir
    )
