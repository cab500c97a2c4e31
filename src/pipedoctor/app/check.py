"""`check`'s analysis: repository files (each repository linked on its own), a snapshot or a live
collection, or all of them, with the rules the settings select; and the fixes of its findings."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipedoctor.app.snapshots import SnapshotRequest, open_snapshot
from pipedoctor.errors import UserError

if TYPE_CHECKING:
    from pipedoctor.diagnose.rules import Rule
    from pipedoctor.model import CollectionError, Snapshot
    from pipedoctor.report.text import Section


@dataclass(frozen=True)
class CheckRequest:
    """What to check: PATHs (none: the current folder, unless a snapshot or pipeline is given),
    a snapshot or pipelines, extra rules, `--select`/`--ignore` prefixes and a settings file."""

    paths: list[str] = field(default_factory=list)
    snapshot: SnapshotRequest = field(default_factory=SnapshotRequest)
    rules_dirs: list[Path] = field(default_factory=list)
    select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    config: Path | None = None


@dataclass
class CheckResult:
    """The sections found, what could not be collected, the rules run, the repository files
    read, and the settings' `fail_on` and `baseline` (for when the command gives none)."""

    sections: list[Section]
    errors: list[CollectionError]
    rules: list[Rule]
    files: list[Any]
    fail_on: str | None = None
    baseline: Path | None = None


def check(request: CheckRequest) -> CheckResult:
    from pipedoctor.analysis import analyse_snapshot
    from pipedoctor.diagnose import load_rules
    from pipedoctor.model import Snapshot
    from pipedoctor.settings import load_settings, selected
    from pipedoctor.sources.repository import repositories, repository_files
    from pipedoctor.sources.repository_model import (
        add_definitions_to_snapshot,
        point_at_definitions,
    )

    given = request.snapshot
    snapshot = open_snapshot(given) if given.given else Snapshot(origin="repository")
    roots = request.paths or ([] if given.path or given.pipelines else ["."])
    # Read all first: a bad PATH stops before any output.
    files = [repository_files(group) for group in repositories(roots)]
    settings = load_settings(explicit=request.config)
    select = request.select or settings.select
    ignore = request.ignore or settings.ignore
    rules = [
        r
        for r in load_rules(settings.rules_dirs + request.rules_dirs)
        if selected(r.id, select, ignore)
    ]
    sections = []
    for repository_snapshot in _per_repository(snapshot, files):
        repository = add_definitions_to_snapshot(repository_snapshot)
        found = analyse_snapshot(repository_snapshot, rules)
        point_at_definitions([f for section in found for f in section.findings], repository)
        sections += found
    return CheckResult(
        sections=_without_repeats(sections),
        errors=snapshot.errors,
        rules=rules,
        files=[f for group in files for f in group],
        fail_on=settings.fail_on,
        baseline=settings.baseline,
    )


def fix_plan(result: CheckResult, paths: list[str], unsafe: bool) -> Any:
    """The edits of the findings' fixes (the safe ones, and with `unsafe` the ones that change
    permissions) on the repository files under `paths`."""
    from pipedoctor.fixes import chosen_edits, plan_fixes

    if not result.files:
        raise UserError("--diff and --fix edit repository files: name the PATHs to check")
    findings = [f for section in result.sections for f in section.findings]
    return plan_fixes(chosen_edits(findings, unsafe), result.files, paths or ["."])


def _per_repository(snapshot: Snapshot, files: list[list[Any]]) -> list[Snapshot]:
    """One snapshot per repository (linked on its own, never to another's files), each with
    what `--snapshot`/`--pipeline` brought."""
    if not files:
        return [snapshot]
    found = []
    for repository_files in files:
        copied = copy.deepcopy(snapshot) if len(files) > 1 else snapshot
        copied.repo_files += repository_files
        found.append(copied)
    return found


def _without_repeats(sections: list[Section]) -> list[Section]:
    """A snapshot's own findings, reported once however many PATHs were given."""
    seen, kept = set(), []
    for section in sections:
        key = (section.title, tuple((f.key, f.location) for f in section.findings))
        if key not in seen:
            seen.add(key)
            kept.append(section)
    return kept
