"""`pipedoctor check`: the analysis for CI, with an exit code."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from pipedoctor.commands.common import (
    REPORT_FORMATS,
    account_redactor,
    add_output_options,
    add_redact_accounts,
    add_rules_dir,
    add_snapshot_options,
    snapshot_request,
)
from pipedoctor.errors import UserError

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


def _apply_fixes(findings: list[Any], files: list[Any], args: argparse.Namespace) -> int:
    """Print (--diff) or write (--fix) the findings' edits; the number of edits that apply."""
    from pipedoctor.fixes import chosen_edits, plan_fixes, write_fixes

    if not files:
        raise UserError("--diff and --fix edit repository files: name the PATHs to check")
    plan = plan_fixes(chosen_edits(findings, args.unsafe_fixes), files, args.paths or ["."])
    for edit, why in plan.refused:
        print(f"pipedoctor: not fixing {edit.path}:{edit.line}: {why}", file=sys.stderr)
    if args.diff:
        sys.stdout.write(plan.diff({f.path: f.text for f in files}))
    else:
        write_fixes(plan)
        print(
            f"pipedoctor: fixed {len(plan.applied)} finding(s) in {len(plan.new_texts)} file(s)",
            file=sys.stderr,
        )
    return len(plan.applied)


def _prefixes(values: list[str]) -> list[str]:
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def _per_repository(snapshot: Any, files: list[list[Any]]) -> list[Any]:
    """One snapshot per repository (linked on its own, never to another's files), each with
    what `--snapshot`/`--pipeline` brought."""
    import copy

    if not files:
        return [snapshot]
    found = []
    for repository_files in files:
        copied = copy.deepcopy(snapshot) if len(files) > 1 else snapshot
        copied.repo_files += repository_files
        found.append(copied)
    return found


def _without_repeats(sections: list[Any]) -> list[Any]:
    """A snapshot's own findings, reported once however many PATHs were given."""
    seen, kept = set(), []
    for section in sections:
        key = (section.title, tuple((f.key, f.location) for f in section.findings))
        if key not in seen:
            seen.add(key)
            kept.append(section)
    return kept


def run(args: argparse.Namespace) -> int:
    from pipedoctor.analysis import analyse_snapshot
    from pipedoctor.app.baseline import without_accepted, write_baseline
    from pipedoctor.app.snapshots import open_snapshot
    from pipedoctor.commands.report_output import emit
    from pipedoctor.diagnose import load_rules
    from pipedoctor.model import Snapshot
    from pipedoctor.settings import load_settings, selected
    from pipedoctor.sources.repository import repositories, repository_files
    from pipedoctor.sources.repository_model import (
        add_definitions_to_snapshot,
        point_at_definitions,
    )

    request = snapshot_request(args)
    snapshot = open_snapshot(request) if request.given else Snapshot(origin="repository")
    roots = args.paths or ([] if args.snapshot or args.pipeline else ["."])
    # Read all first: a bad PATH stops before any output.
    files = [repository_files(group) for group in repositories(roots)]
    settings = load_settings(explicit=args.config)
    select = _prefixes(args.select) or settings.select
    ignore = _prefixes(args.ignore) or settings.ignore
    rules = [
        r
        for r in load_rules(settings.rules_dirs + args.rules_dir)
        if selected(r.id, select, ignore)
    ]
    sections = []
    for repository_snapshot in _per_repository(snapshot, files):
        repository = add_definitions_to_snapshot(repository_snapshot)
        found = analyse_snapshot(repository_snapshot, rules)
        point_at_definitions([f for section in found for f in section.findings], repository)
        sections += found
    sections = _without_repeats(sections)
    if args.diff or args.fix:
        findings = [f for section in sections for f in section.findings]
        fixed = _apply_fixes(findings, [f for group in files for f in group], args)
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
    baseline_path = args.baseline or settings.baseline
    if baseline_path:
        sections, suppressed = without_accepted(sections, baseline_path)
        if suppressed:
            print(
                f"pipedoctor: {suppressed} finding(s) suppressed by {baseline_path}",
                file=sys.stderr,
            )
    fail_on = args.fail_on or settings.fail_on or "high"
    return emit(
        sections,
        snapshot.errors,
        rules,
        args.format,
        args.output,
        fail_on,
        args.exit_zero,
        account_redactor(args),
    )
