"""`diagnose`'s two ways in: a pasted text or log alone, or a snapshot (a file, or collected)
with its failures proven and its configuration checked."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pipedoctor.app.snapshots import SnapshotRequest
    from pipedoctor.diagnose.matcher import RuleMatcher, ScanState
    from pipedoctor.model import CollectionError, Finding
    from pipedoctor.report.text import Section


def diagnose_text(diagnoser: Any, source: str, surface: str | None) -> list[Finding]:
    """The ranked causes of a text file (`-` for stdin), then while they are fewer than three the
    causes whose known wordings the text most resembles; never empty: unrecognised says so,
    with the causes whose known wordings the text resembles (the near ones before it)."""
    from pipedoctor.diagnose import incident_from_text
    from pipedoctor.diagnose.matcher import ANY_SURFACE
    from pipedoctor.diagnose.textscan import scan_source
    from pipedoctor.diagnose.unrecognised import also_resembling, unrecognised_text

    state = scan_source(diagnoser.matcher, source, surface or ANY_SURFACE)
    tail = state.tail.decode("utf-8", errors="replace")
    _scan_unwrapped(diagnoser.matcher, state, tail, surface or ANY_SURFACE)
    findings = diagnoser.judge(state, incident_from_text("", surface))
    if not findings and surface:
        findings = _matched_elsewhere(diagnoser, tail, surface)
    if findings:
        return findings + also_resembling(diagnoser.matcher.rules, findings, tail, surface)
    return unrecognised_text(diagnoser.matcher.rules, tail, surface)


def _scan_unwrapped(matcher: RuleMatcher, state: ScanState, tail: str, surface: str) -> None:
    """The input's end (`tail`, decoded) scanned again with its wrapped lines joined: rules the
    wrapping hid match there (a rule keeps its first match, from the input as it was)."""
    from pipedoctor.diagnose.unwrap import unwrapped

    joined = unwrapped(tail)
    if joined != tail:
        matcher.scan(joined, surface, state)


def _matched_elsewhere(diagnoser: Any, tail: str, surface: str) -> list[Finding]:
    """The causes of rules written for other places that match the input's end (`tail`, decoded),
    as it is or unwrapped: no rule of `surface` did, and the same words are often printed in
    several places. A fallback rule's are left out: it reads the symptom of its own place (a
    language runtime's crash is an ECS task's essential container only in a task's log)."""
    from pipedoctor.diagnose import incident_from_text
    from pipedoctor.diagnose.matcher import ANY_SURFACE, ScanState

    state = ScanState()
    diagnoser.matcher.scan(tail, ANY_SURFACE, state)
    _scan_unwrapped(diagnoser.matcher, state, tail, ANY_SURFACE)
    fallbacks = {rule.id for rule in diagnoser.matcher.rules if rule.fallback}
    findings = [
        finding
        for finding in diagnoser.judge(state, incident_from_text("", None))
        if finding.rule not in fallbacks
    ]
    for finding in findings:
        finding.unverified.append(f"matched a rule written for texts from elsewhere, not {surface}")
    return findings


def text_diagnosis(source: str, surface: str | None, rules_dirs: list[Path]) -> list[Section]:
    """`diagnose --text`: one section of the text's ranked causes."""
    from pipedoctor.diagnose import Diagnoser, load_rules
    from pipedoctor.report.text import Section

    diagnoser = Diagnoser(load_rules(rules_dirs))
    return [Section("text", diagnose_text(diagnoser, source, surface))]


def snapshot_diagnosis(
    request: SnapshotRequest, rules_dirs: list[Path]
) -> tuple[list[Section], list[CollectionError]]:
    """`diagnose --snapshot|--pipeline`: the sections of the snapshot's failures (of
    `request.execution` only, when given) and configuration, and what could not be collected."""
    from pipedoctor.app.findings import analyse
    from pipedoctor.app.snapshots import open_snapshot
    from pipedoctor.diagnose import load_rules

    rules = load_rules(rules_dirs)
    snapshot = open_snapshot(request)
    return analyse(snapshot, rules, request.execution), snapshot.errors
