"""`pipedoctor diagnose`: the ranked causes of failures, from a snapshot or a pasted text."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from pipedoctor.commands.common import (
    account_redactor,
    add_redact_accounts,
    add_rules_dir,
    safe_output,
)
from pipedoctor.diagnose.incidents import SURFACES
from pipedoctor.errors import UserError

DESCRIPTION = """Explain failures. With --snapshot: every failed action execution and build in it,
proven with the snapshot's facts and IAM policies. With only --pipeline: the same, collected live
first (read-only). With --text: a pasted error text or log (no AWS access); causes the text alone
cannot separate are all listed, with the fact that would decide."""


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "diagnose", help="rank the causes of a failure", description=DESCRIPTION
    )
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--snapshot", metavar="FILE", help="a snapshot file")
    source.add_argument("--text", metavar="FILE", help="an error text or log file, - for stdin")
    parser.add_argument("--surface", choices=SURFACES, help="where the --text came from")
    parser.add_argument(
        "--pipeline", metavar="NAME", help="only this pipeline (alone: collect it live)"
    )
    parser.add_argument("--execution", metavar="ID", help="only this pipeline execution")
    parser.add_argument(
        "--region", action="append", metavar="R", help="AWS region for live collection"
    )
    parser.add_argument("--profile", metavar="P", help="AWS profile for live collection")
    parser.add_argument("--format", choices=["text", "json"], default="text")
    add_rules_dir(parser)
    add_redact_accounts(parser)
    parser.set_defaults(func=run)


def _collect_live(args: argparse.Namespace) -> Any:
    from pipedoctor.collect import CollectOptions
    from pipedoctor.commands.collect import collect_snapshot

    execution = args.execution or "latest"
    options = CollectOptions(
        regions=args.region or [], pipelines=[args.pipeline], execution=execution
    )
    snapshot, _ = collect_snapshot(options, args.profile)
    return snapshot


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
    from pipedoctor.analysis import analyse_snapshot
    from pipedoctor.diagnose import Diagnoser, load_rules
    from pipedoctor.model import load
    from pipedoctor.report.json_report import render_json
    from pipedoctor.report.text import Section, render_text

    if not (args.snapshot or args.text or args.pipeline):
        raise UserError("give --snapshot FILE, --text FILE or --pipeline NAME")
    rules = load_rules(args.rules_dir)
    if args.snapshot or not args.text:
        snapshot = load(args.snapshot) if args.snapshot else _collect_live(args)
        sections = analyse_snapshot(snapshot, rules, args.pipeline, args.execution, posture=False)
        errors = snapshot.errors
    else:
        sections = [Section("text", diagnose_text(Diagnoser(rules), args.text, args.surface))]
        errors = []
    if args.format == "json":
        rendered = render_json([f for s in sections for f in s.findings], errors)
    else:
        rendered = render_text(sections, errors)
    sys.stdout.write(safe_output(rendered, account_redactor(args)))
    return 0
