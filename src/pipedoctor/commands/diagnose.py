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


def run(args: argparse.Namespace) -> int:
    from pipedoctor.app.diagnosis import snapshot_diagnosis, text_diagnosis
    from pipedoctor.report.json_report import render_json
    from pipedoctor.report.text import render_text

    if args.text and (args.snapshot or args.pipeline):
        raise UserError("--text diagnoses a text alone: --snapshot and --pipeline do not apply")
    if not (args.snapshot or args.text or args.pipeline):
        raise UserError("give --snapshot FILE, --text FILE or --pipeline NAME")
    if args.text:
        sections, errors = text_diagnosis(args.text, args.surface, args.rules_dir), []
    else:
        request = snapshot_request(args, execution=args.execution)
        sections, errors = snapshot_diagnosis(request, args.rules_dir)
    if args.format == "json":
        rendered = render_json([f for s in sections for f in s.findings], errors)
    else:
        rendered = render_text(sections, errors)
    write_output(args.output, safe_output(rendered, account_redactor(args)))
    return 0
