"""Runs the analysis of a snapshot: failure diagnoses per incident, then posture findings."""

from __future__ import annotations

from pipedoctor.diagnose import Diagnoser, incidents_from_snapshot, posture_findings
from pipedoctor.diagnose.rules import Rule
from pipedoctor.diagnose.unrecognised import unrecognised_incident
from pipedoctor.model import Snapshot
from pipedoctor.report.text import Section


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
            diagnoser.diagnose(incident, snapshot) or [unrecognised_incident(incident, rules, snapshot)],
        )
        for incident in incidents_from_snapshot(snapshot, pipeline, execution)
    ]
    if posture:
        by_place: dict[str, Section] = {}
        for finding in posture_findings(snapshot, rules):
            by_place.setdefault(finding.location, Section(finding.location)).findings.append(finding)
        sections += by_place.values()
    return sections
