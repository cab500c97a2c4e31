"""Matching rules to incidents, confirming or rejecting them with evidence, and ranking."""

from __future__ import annotations

from typing import Any

from pipedoctor.diagnose.conditions import describe_condition, evaluate_condition
from pipedoctor.diagnose.evidence import run_check
from pipedoctor.diagnose.incidents import Incident
from pipedoctor.diagnose.matcher import RuleMatcher, ScanState
from pipedoctor.diagnose.predicates import PREDICATES
from pipedoctor.diagnose.rules import Rule
from pipedoctor.diagnose.templates import MissingFact, render, render_structure
from pipedoctor.model import Finding, Snapshot

REQUIREMENT_WEIGHT = 0.1
CHECK_WEIGHT = 0.2
MAX_CONFIDENCE = 0.99
UNVERIFIED_PENALTY = 0.2  # a posture hit that rests on a policy pipedoctor could not read


def _policy_document(template: dict[str, Any] | None, facts: dict[str, Any]) -> dict[str, Any] | None:
    if template is None:
        return None
    try:
        rendered = render_structure(template, facts)
    except MissingFact:
        return None
    statements = rendered.get("Statement", [rendered])
    return {"Version": "2012-10-17", "Statement": statements}


def _judge(
    rule: Rule,
    facts: dict[str, Any],
    evidence: list[str],
    snapshot: Snapshot | None,
    location: str,
    resource: str,
) -> Finding | None:
    """Apply requirements and checks; None when a known fact or a policy rejects the rule."""
    confidence = rule.confidence
    unverified: list[str] = []
    for condition in rule.requires:
        outcome = evaluate_condition(condition, facts)
        if outcome is False:
            return None
        if outcome is None:
            unverified.append(describe_condition(condition, facts))
        else:
            confidence += REQUIREMENT_WEIGHT
            evidence.append(describe_condition(condition, facts))
    for check in rule.checks:
        result = run_check(check, facts, snapshot)
        if result.status == "rejected":
            return None
        if result.status == "unknown":
            unverified.append(result.text)
        else:
            confidence += CHECK_WEIGHT
            evidence.append(result.text)
    if unverified and rule.decide:
        unverified.append(f"to decide: {rule.decide}")
    return Finding(
        rule=rule.id,
        cause=rule.cause,
        title=rule.title,
        severity=rule.severity,
        confidence=round(min(confidence, MAX_CONFIDENCE), 2),
        message=render(rule.message, facts),
        evidence=evidence,
        fix=render(rule.fix_text, facts),
        policy_fix=_policy_document(rule.fix_policy, facts),
        resource=resource,
        location=location,
        references=rule.references,
        unverified=unverified,
    )


class Diagnoser:
    """Diagnoses incidents against one rule set (its patterns compiled once into an RE2 set)."""

    def __init__(self, rules: list[Rule]) -> None:
        self.matcher = RuleMatcher(rules)

    def scan_incident(self, incident: Incident) -> ScanState:
        state = ScanState()
        for surface, texts in incident.texts.items():
            for text in texts:
                self.matcher.scan(text, surface, state)
        return state

    def judge(self, state: ScanState, incident: Incident, snapshot: Snapshot | None = None) -> list[Finding]:
        """Every cause the texts point to and the facts do not rule out, best first."""
        findings: list[Finding] = []
        for rule, match in self.matcher.matched_rules(state):
            facts = {**incident.facts, **{f"match.{k}": v for k, v in match.captures.items()}}
            evidence = [f"matched {match.line}"]
            finding = _judge(rule, facts, evidence, snapshot, incident.location, incident.resource)
            if finding is not None:
                findings.append(finding)
        return rank(findings)

    def diagnose(self, incident: Incident, snapshot: Snapshot | None = None) -> list[Finding]:
        return self.judge(self.scan_incident(incident), incident, snapshot)


def diagnose_incident(
    incident: Incident, rules: list[Rule], snapshot: Snapshot | None = None
) -> list[Finding]:
    return Diagnoser(rules).diagnose(incident, snapshot)


def posture_findings(snapshot: Snapshot, rules: list[Rule]) -> list[Finding]:
    """Configuration that will fail or grants too much, found without any failure text."""
    findings: list[Finding] = []
    for rule in rules:
        if rule.kind != "posture":
            continue
        for hit in PREDICATES[rule.predicate](snapshot, rule.params):
            finding = _judge(rule, hit.facts, list(hit.evidence), snapshot, hit.location, hit.resource)
            if finding is not None and hit.unverified:
                finding.unverified = hit.unverified + finding.unverified
                finding.confidence = round(max(finding.confidence - UNVERIFIED_PENALTY * len(hit.unverified), 0.1), 2)
            if finding is not None:
                finding.edits = list(hit.edits)
                findings.append(finding)
    return rank(findings)


def rank(findings: list[Finding]) -> list[Finding]:
    """Highest confidence first; one finding per cause and place (the most confident)."""
    best: dict[tuple[str, str, str], Finding] = {}
    for finding in sorted(findings, key=lambda f: -f.confidence):
        best.setdefault((finding.cause, finding.location, finding.resource), finding)
    return list(best.values())
