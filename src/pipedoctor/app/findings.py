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


def findings_per_pipeline(snapshot: Snapshot, findings: list[Finding]) -> dict[str, int]:
    """How many of the findings that count are about each pipeline: its failures, and findings
    about the roles, projects, connections and buckets it uses. A finding about a repository file
    belongs to no pipeline."""
    from pipedoctor.app.snapshots import project_names, used_by

    counts = {pipeline.name: 0 for pipeline in snapshot.pipelines}
    counted = primary_findings(findings)
    for pipeline in snapshot.pipelines:
        names = project_names([pipeline])
        projects = [project for project in snapshot.projects if project.name in names]
        builds = {build.id for build in snapshot.builds if build.project_name in names}
        owned = used_by([pipeline], projects) | {pipeline.arn} | {p.arn for p in projects}
        for finding in counted:
            where = finding.where
            resource = finding.resource.split("#", 1)[0]
            if where.pipeline == pipeline.name or where.build in builds or resource in owned:
                counts[pipeline.name] += 1
    return counts


def section_findings(sections: list[Section]) -> list[Finding]:
    """The findings that count, from an analysis grouped in sections."""
    return primary_findings([finding for section in sections for finding in section.findings])
