"""Diagnosis: rules (data) matched to incidents and proven with snapshot facts and IAM."""

from pipedoctor.diagnose.engine import Diagnoser, diagnose_incident, posture_findings, rank
from pipedoctor.diagnose.incidents import Incident, incident_from_text, incidents_from_snapshot
from pipedoctor.diagnose.rules import Rule, RuleError, load_rules

__all__ = [
    "Diagnoser",
    "Incident",
    "Rule",
    "RuleError",
    "diagnose_incident",
    "incident_from_text",
    "incidents_from_snapshot",
    "load_rules",
    "posture_findings",
    "rank",
]
