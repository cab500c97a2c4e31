"""`pipedoctor check`: the analysis for CI, with an exit code."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipedoctor.commands.common import (
    REPORT_FORMATS,
    account_redactor,
    add_output_options,
    add_redact_accounts,
    add_rules_dir,
    add_snapshot_options,
    snapshot_request,
)

if TYPE_CHECKING:
    from pipedoctor.app.check import CheckRequest

DESCRIPTION = """Analyse repository files, a snapshot or a live pipeline, and exit 1 when a finding
reaches --fail-on. Reports the diagnosis of every failed action and build, and configuration that
will fail or grants too much. Repository files are Dockerfiles, buildspecs, CloudFormation
templates (and the CDK's cdk.out), Terraform (.tf with local modules, `terraform show -json`
plans), get-pipeline and create-project JSON, buildspec templates and IAM policy documents, linked
to each other (project -> buildspec -> Dockerfile, project -> role, pipeline action -> project).
Each folder PATH is one repository, linked on its own (files named one by one go with the other
files of their git work tree). With no arguments it scans the current folder."""


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "check", help="analyse a pipeline for CI (exit 1 on findings)", description=DESCRIPTION
    )
    parser.add_argument("paths", nargs="*", metavar="PATH", help="repository files or folders")
    add_snapshot_options(parser)
    add_output_options(parser, formats=REPORT_FORMATS, fail_on_default=None)
    parser.add_argument(
        "-o",
        "--output",
        action="append",
        default=[],
        metavar="FILE|FORMAT=PATH",
        help="write the --format output to FILE (default: stdout); FORMAT=PATH also writes "
        "FORMAT to PATH from the same run (repeatable), e.g. sarif=results.sarif",
    )
    add_rules_dir(parser)
    add_redact_accounts(parser)
    parser.add_argument(
        "--select",
        action="append",
        default=[],
        metavar="PREFIX[,PREFIX]",
        help="only rules whose id starts so",
    )
    parser.add_argument(
        "--ignore",
        action="append",
        default=[],
        metavar="PREFIX[,PREFIX]",
        help="skip rules whose id starts so",
    )
    parser.add_argument(
        "--config",
        type=Path,
        metavar="FILE",
        help="settings file (default: .pipedoctor.toml or pyproject.toml)",
    )
    parser.add_argument(
        "--baseline", type=Path, metavar="FILE", help="suppress the findings accepted in FILE"
    )
    parser.add_argument(
        "--write-baseline", type=Path, metavar="FILE", help="accept every current finding into FILE"
    )
    fixing = parser.add_argument_group("fixes (ruff-style)")
    fixing.add_argument(
        "--diff", action="store_true",
        help="print the available fixes as a unified diff, write nothing; exit 1 when there is one",
    )
    fixing.add_argument(
        "--fix", action="store_true",
        help="apply the safe fixes to the repository files, then report what remains",
    )
    fixing.add_argument(
        "--unsafe-fixes", action="store_true",
        help="with --diff or --fix, also the fixes that change permissions",
    )
    parser.set_defaults(func=run)


def _apply_fixes(result: Any, args: argparse.Namespace) -> int:
    """Print (--diff) or write (--fix) the findings' edits; the number of edits that apply."""
    from pipedoctor.app.check import fix_plan
    from pipedoctor.fixes import write_fixes

    plan = fix_plan(result, args.paths, args.unsafe_fixes)
    for edit, why in plan.refused:
        print(f"pipedoctor: not fixing {edit.path}:{edit.line}: {why}", file=sys.stderr)
    if args.diff:
        sys.stdout.write(plan.diff({f.path: f.text for f in result.files}))
    else:
        write_fixes(plan)
        print(
            f"pipedoctor: fixed {len(plan.applied)} finding(s) in {len(plan.new_texts)} file(s)",
            file=sys.stderr,
        )
    return len(plan.applied)


def _prefixes(values: list[str]) -> list[str]:
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def check_request(args: argparse.Namespace) -> CheckRequest:
    from pipedoctor.app.check import CheckRequest

    return CheckRequest(
        paths=list(args.paths),
        snapshot=snapshot_request(args),
        rules_dirs=list(args.rules_dir),
        select=_prefixes(args.select),
        ignore=_prefixes(args.ignore),
        config=args.config,
    )


def run(args: argparse.Namespace) -> int:
    from pipedoctor.app.baseline import without_accepted, write_baseline
    from pipedoctor.app.check import check
    from pipedoctor.commands.report_output import emit

    result = check(check_request(args))
    sections = result.sections
    if args.diff or args.fix:
        fixed = _apply_fixes(result, args)
        if args.diff:
            return 1 if fixed else 0
        if fixed:
            args.fix = False  # report what remains once the files are rewritten
            return run(args)
    if args.write_baseline:
        accepted = write_baseline(args.write_baseline, sections)
        print(
            f"pipedoctor: accepted {accepted} finding(s) into {args.write_baseline}",
            file=sys.stderr,
        )
        return 0
    baseline_path = args.baseline or result.baseline
    if baseline_path:
        sections, suppressed = without_accepted(sections, baseline_path)
        if suppressed:
            print(
                f"pipedoctor: {suppressed} finding(s) suppressed by {baseline_path}",
                file=sys.stderr,
            )
    fail_on = args.fail_on or result.fail_on or "high"
    return emit(
        sections,
        result.errors,
        result.rules,
        args.format,
        args.output,
        fail_on,
        args.exit_zero,
        account_redactor(args),
    )
