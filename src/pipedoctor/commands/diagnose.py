"""`pipedoctor diagnose`: the ranked causes of failures, from a snapshot or a pasted text."""

from __future__ import annotations

import argparse
from typing import Any

from pipedoctor.commands.common import (
    account_redactor,
    add_output_file,
    add_redact_accounts,
    add_rules_dir,
    add_snapshot_options,
    safe_output,
    snapshot_request,
    write_output,
)
from pipedoctor.diagnose.incidents import SURFACES
from pipedoctor.errors import UserError

DESCRIPTION = """Explain failures. With --snapshot: every failed action execution and build in it,
proven with the snapshot's facts and IAM policies, then the configuration that will fail (the same
findings `check` counts); --pipeline narrows the snapshot to that pipeline, --execution to one
execution's failures. With only --pipeline: the same, collected live first (read-only). With
--text: a pasted error text or log (no AWS access); causes the text alone cannot separate are all
listed, with the fact that would decide."""


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "diagnose", help="rank the causes of a failure", description=DESCRIPTION
    )
    add_snapshot_options(parser)
    parser.add_argument("--text", metavar="FILE", help="an error text or log file, - for stdin")
    parser.add_argument("--surface", choices=SURFACES, help="where the --text came from")
    parser.add_argument(
        "--execution", metavar="ID", help="only this pipeline execution's failures"
    )
    parser.add_argument(
        "--format", choices=["text", "json"], default="text", help="output format (default: text)"
    )
    add_output_file(parser, "the diagnosis")
    add_rules_dir(parser)
    add_redact_accounts(parser)
    parser.set_defaults(func=run)


def diagnose_text(diagnoser: Any, source: str, surface: str | None) -> list[Any]:
    """The ranked causes of a text file (`-` for stdin); never empty: unrecognised says so."""
    from pipedoctor.diagnose import incident_from_text
    from pipedoctor.diagnose.matcher import ANY_SURFACE
    from pipedoctor.diagnose.textscan import scan_source
    from pipedoctor.diagnose.unrecognised import unrecognised_text

    state = scan_source(diagnoser.matcher, source, surface or ANY_SURFACE)
    findings = diagnoser.judge(state, incident_from_text("", surface))
    if findings:
        return findings
    return [unrecognised_text(diagnoser.matcher.rules, state.tail.decode("utf-8", errors="replace"), surface)]


def run(args: argparse.Namespace) -> int:
    from pipedoctor.app.findings import analyse
    from pipedoctor.app.snapshots import open_snapshot
    from pipedoctor.diagnose import Diagnoser, load_rules
    from pipedoctor.report.json_report import render_json
    from pipedoctor.report.text import Section, render_text

    if args.text and (args.snapshot or args.pipeline):
        raise UserError("--text diagnoses a text alone: --snapshot and --pipeline do not apply")
    if not (args.snapshot or args.text or args.pipeline):
        raise UserError("give --snapshot FILE, --text FILE or --pipeline NAME")
    rules = load_rules(args.rules_dir)
    if args.text:
        sections = [Section("text", diagnose_text(Diagnoser(rules), args.text, args.surface))]
        errors = []
    else:
        snapshot = open_snapshot(snapshot_request(args, execution=args.execution))
        sections = analyse(snapshot, rules, args.execution)
        errors = snapshot.errors
    if args.format == "json":
        rendered = render_json([f for s in sections for f in s.findings], errors)
    else:
        rendered = render_text(sections, errors)
    write_output(args.output, safe_output(rendered, account_redactor(args)))
    return 0
