"""What counts as a finding, once for every output: the top cause of each place.

A place is a failed action or build, or a resource or file line whose configuration is wrong.
A failure's other ranked causes, and further findings at the same place, are shown beneath the
top one but not counted: `check`, `diagnose`, the HTML report and the TUI say the same number.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pipedoctor.diagnose.rules import Rule
    from pipedoctor.model import Finding, Snapshot
    from pipedoctor.report.text import Section


def analyse(snapshot: Snapshot, rules: list[Rule], execution: str | None = None) -> list[Section]:
    """Failure diagnoses, then configuration findings; with an execution, its failures only."""
    from pipedoctor.analysis import analyse_snapshot

    return analyse_snapshot(snapshot, rules, execution=execution, posture=execution is None)


def primary_findings(findings: list[Finding]) -> list[Finding]:
    """The findings that count, from the findings of an analysis in its order (best first at
    each place): the first at each location."""
    seen: set[str] = set()
    primary = []
    for finding in findings:
        if finding.location not in seen:
            seen.add(finding.location)
            primary.append(finding)
    return primary


def section_findings(sections: list[Section]) -> list[Finding]:
    """The findings that count, from an analysis grouped in sections."""
    return primary_findings([finding for section in sections for finding in section.findings])
