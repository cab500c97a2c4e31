"""`pipedoctor tui`: the interactive terminal UI, on live AWS data or on a snapshot file."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from pipedoctor.commands.common import add_snapshot_options, snapshot_request
from pipedoctor.errors import UserError

DESCRIPTION = """Browse pipelines, their executions and the ranked diagnoses of their failures, the
fix and policy statement for each, build logs, and each role's least-privilege policy. Read-only.
Live (the standard AWS credential chain) unless --snapshot FILE is given. `?` shows the keys."""

LIVE_EXECUTIONS = 5


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "tui", help="the interactive terminal UI", description=DESCRIPTION
    )
    add_snapshot_options(
        parser,
        "only this pipeline (repeatable): with --snapshot, narrows the snapshot to it; "
        "without, collects it live (default: every pipeline in the region)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from pipedoctor.app.snapshots import open_snapshot
    from pipedoctor.model import Snapshot
    from pipedoctor.tui.app import Source, run_app

    if not sys.stdout.isatty():
        raise UserError("the TUI needs a terminal; use `pipedoctor check` or `diagnose` in scripts")
    if args.snapshot == "-":
        raise UserError("the TUI reads the terminal: give --snapshot a file, not -")
    request = snapshot_request(
        args, all_pipelines=not args.snapshot, executions=LIVE_EXECUTIONS
    )
    if args.snapshot:
        snapshot = open_snapshot(request)
        return run_app(
            snapshot,
            Source("snapshot", path=args.snapshot),
            fetch=lambda _progress: open_snapshot(request),
        )
    source = Source("live", profile=args.profile or "", region=",".join(args.region))
    empty = Snapshot(regions=list(args.region), origin="live")
    return run_app(
        empty, source, fetch=lambda progress: open_snapshot(request, progress), fetch_on_start=True
    )
