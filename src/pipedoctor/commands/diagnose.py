"""`pipedoctor diagnose`: the ranked causes of failures, from a snapshot or a pasted text."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from pipedoctor.commands.common import add_rules_dir
from pipedoctor.diagnose.incidents import SURFACES

DESCRIPTION = """Explain failures. With --snapshot: every failed action execution and build in it,
proven with the snapshot's facts and IAM policies. With --text: a pasted error text or log (no AWS
access); causes the text alone cannot separate are all listed, with the fact that would decide."""


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("diagnose", help="rank the causes of a failure", description=DESCRIPTION)
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--snapshot", metavar="FILE", help="a snapshot file")
    source.add_argument("--text", metavar="FILE", help="an error text or log file, - for stdin")
    parser.add_argument("--surface", choices=SURFACES, help="where the --text came from")
    parser.add_argument("--pipeline", metavar="NAME", help="only this pipeline")
    parser.add_argument("--execution", metavar="ID", help="only this pipeline execution")
    parser.add_argument("--format", choices=["text", "json"], default="text")
    add_rules_dir(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from pipedoctor.analysis import analyse_snapshot
    from pipedoctor.diagnose import Diagnoser, incident_from_text, load_rules
    from pipedoctor.diagnose.matcher import ANY_SURFACE
    from pipedoctor.diagnose.textscan import scan_source
    from pipedoctor.model import load
    from pipedoctor.report.json_report import render_json
    from pipedoctor.report.text import Section, render_text

    rules = load_rules(args.rules_dir)
    if args.snapshot:
        snapshot = load(args.snapshot)
        sections = analyse_snapshot(snapshot, rules, args.pipeline, args.execution, posture=False)
        errors = snapshot.errors
    else:
        diagnoser = Diagnoser(rules)
        state = scan_source(diagnoser.matcher, args.text, args.surface or ANY_SURFACE)
        sections = [Section("text", diagnoser.judge(state, incident_from_text("", args.surface)))]
        errors = []
    if args.format == "json":
        sys.stdout.write(render_json([f for s in sections for f in s.findings], errors))
    else:
        sys.stdout.write(render_text(sections, errors))
    return 0
