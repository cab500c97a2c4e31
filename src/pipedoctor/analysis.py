"""Runs the analysis of a snapshot: failure diagnoses per incident, then posture findings."""

from __future__ import annotations

from pipedoctor.diagnose import Diagnoser, incidents_from_snapshot, posture_findings
from pipedoctor.diagnose.incidents import Incident
from pipedoctor.diagnose.rules import Rule
from pipedoctor.model import Finding, Snapshot
from pipedoctor.report.text import Section


def _unrecognised(incident: Incident, rules: list[Rule], snapshot: Snapshot) -> list[Finding]:
    # Imported for a failure nothing matched: a repository check never needs it (start-up time).
    from pipedoctor.diagnose.unrecognised import unrecognised_incident

    return unrecognised_incident(incident, rules, snapshot)


def analyse_snapshot(
    snapshot: Snapshot,
    rules: list[Rule],
    pipeline: str | None = None,
    execution: str | None = None,
    posture: bool = True,
) -> list[Section]:
    diagnoser = Diagnoser(rules)
    sections = [
        Section(
            f"failed: {incident.location}",
            diagnoser.diagnose(incident, snapshot) or _unrecognised(incident, rules, snapshot),
        )
        for incident in incidents_from_snapshot(snapshot, pipeline, execution)
    ]
    if posture:
        by_place: dict[str, Section] = {}
        for finding in posture_findings(snapshot, rules):
            by_place.setdefault(finding.location, Section(finding.location)).findings.append(
                finding
            )
        sections += by_place.values()
    return sections
