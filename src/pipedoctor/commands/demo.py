"""`pipedoctor demo`: the embedded demo pipeline, in the TUI or as a text report."""

from __future__ import annotations

import argparse
import sys
from importlib import resources
from typing import Any

from pipedoctor.commands.common import add_output_file, write_output

DESCRIPTION = """Show pipedoctor on a realistic pipeline (GitHub -> CodePipeline -> CodeBuild -> ECR,
account 123456789012, eu-west-2) with three failed runs. Opens the TUI in a terminal when it is
available, else prints the text report. --export writes the snapshot so every other command can be
tried on it with --snapshot FILE."""


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "demo", help="run on the embedded demo pipeline", description=DESCRIPTION
    )
    parser.add_argument("--export", metavar="FILE", help="write the demo snapshot to FILE and exit")
    parser.add_argument(
        "--text", action="store_true", help="print the text report even in a terminal"
    )
    add_output_file(parser, "the text report")
    parser.set_defaults(func=run)


def demo_snapshot_text() -> str:
    return (resources.files("pipedoctor.demo") / "demo-snapshot.json").read_text(encoding="utf-8")


def _tui_available() -> bool:
    from importlib.util import find_spec

    return find_spec("pipedoctor.tui") is not None


def run(args: argparse.Namespace) -> int:
    from pipedoctor.analysis import analyse_snapshot
    from pipedoctor.diagnose import load_rules
    from pipedoctor.model import loads
    from pipedoctor.model.snapshot import write_atomically
    from pipedoctor.report.text import render_text

    text = demo_snapshot_text()
    if args.export:
        try:
            write_atomically(args.export, text)
        except OSError as error:
            from pipedoctor.errors import UserError

            raise UserError(f"cannot write {args.export}: {error.strerror}") from None
        print(f"wrote the demo snapshot to {args.export}", file=sys.stderr)
        return 0
    snapshot = loads(text, origin="demo snapshot")
    if sys.stdout.isatty() and not args.text and not args.output and _tui_available():
        from pipedoctor.tui.app import run_app

        return run_app(snapshot, source="demo")
    sections = analyse_snapshot(snapshot, load_rules())
    write_output(args.output, render_text(sections, snapshot.errors))
    return 0
