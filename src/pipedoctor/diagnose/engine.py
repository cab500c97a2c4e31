"""Matching rules to incidents, confirming or rejecting them with evidence, and ranking."""

from __future__ import annotations

from typing import Any

from pipedoctor.diagnose.conditions import describe_condition, evaluate_condition
from pipedoctor.diagnose.evidence import run_check
from pipedoctor.diagnose.incidents import Incident
from pipedoctor.diagnose.predicates import PREDICATES
from pipedoctor.diagnose.rules import Rule
from pipedoctor.diagnose.templates import MissingFact, render, render_structure
from pipedoctor.model import Finding, Snapshot

REQUIREMENT_WEIGHT = 0.1
CHECK_WEIGHT = 0.2
MAX_CONFIDENCE = 0.99


def _line_around(text: str, start: int) -> str:
    begin = text.rfind("\n", 0, start) + 1
    end = text.find("\n", start)
    return text[begin : end if end != -1 else len(text)].strip()[:300]


def _match_text(rule: Rule, incident: Incident) -> tuple[dict[str, str], str] | None:
    """Captures and the matched line of the first pattern that matches, unless excluded."""
    surfaces = rule.surfaces or list(incident.texts)
    seen: set[int] = set()
    for surface in surfaces:
        for text in incident.texts.get(surface, []):
            if id(text) in seen or not text:
                continue
            seen.add(id(text))
            for pattern in rule.match:
                found = pattern.regex.search(text)
                if found is None:
                    continue
                if any(exclude.regex.search(text) for exclude in rule.exclude):
                    return None
                captures = {k: v for k, v in found.groupdict().items() if v is not None}
                return captures, f"{surface}: {_line_around(text, found.start())}"
    return None


def _policy_document(template: dict[str, Any] | None, facts: dict[str, Any]) -> dict[str, Any] | None:
    if template is None:
        return None
    try:
        rendered = render_structure(template, facts)
    except MissingFact:
        return None
    statements = rendered["Statement"] if "Statement" in rendered else [rendered]
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


def diagnose_incident(
    incident: Incident, rules: list[Rule], snapshot: Snapshot | None = None
) -> list[Finding]:
    """Every cause the incident's texts point to and its facts do not rule out, best first."""
    findings: list[Finding] = []
    for rule in rules:
        if rule.kind != "diagnosis":
            continue
        matched = _match_text(rule, incident)
        if matched is None:
            continue
        captures, line = matched
        facts = {**incident.facts, **{f"match.{name}": value for name, value in captures.items()}}
        finding = _judge(rule, facts, [f"matched {line}"], snapshot, incident.location, incident.resource)
        if finding is not None:
            findings.append(finding)
    return rank(findings)


def posture_findings(snapshot: Snapshot, rules: list[Rule]) -> list[Finding]:
    """Configuration that will fail or grants too much, found without any failure text."""
    findings: list[Finding] = []
    for rule in rules:
        if rule.kind != "posture":
            continue
        for hit in PREDICATES[rule.predicate](snapshot, rule.params):
            finding = _judge(rule, hit.facts, list(hit.evidence), snapshot, hit.location, hit.resource)
            if finding is not None:
                findings.append(finding)
    return rank(findings)


def rank(findings: list[Finding]) -> list[Finding]:
    """Highest confidence first; one finding per cause and place (the most confident)."""
    best: dict[tuple[str, str, str], Finding] = {}
    for finding in sorted(findings, key=lambda f: -f.confidence):
        best.setdefault((finding.cause, finding.location, finding.resource), finding)
    return list(best.values())
