"""`pipedoctor report --html FILE`: diagnoses, least-privilege diffs and the permission graph in
one self-contained page."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from pipedoctor.commands.common import (
    account_redactor,
    add_redact_accounts,
    add_snapshot_options,
    snapshot_request,
    write_output,
)
from pipedoctor.errors import UserError

DESCRIPTION = """Write one HTML page that opens without network access (inline CSS and SVG): the
diagnoses of the snapshot's failures and posture, the least-privilege policy generated for each
CodeBuild service role with what it drops, and a picture of the permission graph (drawn with
Graphviz's `dot` when installed; otherwise the page says how to get it)."""


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "report", help="write a self-contained HTML report", description=DESCRIPTION
    )
    parser.add_argument(
        "-o", "--html", "--output", dest="html", required=True, metavar="FILE",
        help="the page to write (- for stdout)",
    )
    add_snapshot_options(parser)
    add_redact_accounts(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from pipedoctor.app.findings import analyse
    from pipedoctor.app.graph import graph_picture
    from pipedoctor.app.roles import role_diffs
    from pipedoctor.app.snapshots import open_snapshot
    from pipedoctor.diagnose import load_rules
    from pipedoctor.report.html import render_html

    request = snapshot_request(args)
    if not request.given:
        raise UserError("give --snapshot FILE or --pipeline NAME")
    snapshot = open_snapshot(request)
    sections = analyse(snapshot, load_rules())
    svg, note = graph_picture(snapshot)
    if svg is None:
        print(f"pipedoctor: warning: no graph picture: {note}", file=sys.stderr)
    page = render_html(snapshot, sections, role_diffs(snapshot), svg, note)
    accounts = account_redactor(args)
    write_output(args.html, accounts(page) if accounts else page)
    if args.html != "-":
        print(f"wrote {args.html}", file=sys.stderr)
    return 0
