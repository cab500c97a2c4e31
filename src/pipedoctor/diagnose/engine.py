"""Matching rules to incidents, confirming or rejecting them with evidence, and ranking."""

from __future__ import annotations

from typing import Any

from pipedoctor.diagnose.conditions import describe_condition, evaluate_condition
from pipedoctor.diagnose.evidence import run_check
from pipedoctor.diagnose.incidents import Incident
from pipedoctor.diagnose.involved import involved
from pipedoctor.diagnose.matcher import RuleMatcher, ScanState, TextMatch
from pipedoctor.diagnose.predicates import PREDICATES
from pipedoctor.diagnose.priors import prior_share
from pipedoctor.diagnose.rules import Rule
from pipedoctor.diagnose.templates import MissingFact, render, render_structure
from pipedoctor.model import Finding, Snapshot
from pipedoctor.model.findings import Location, MatchedText

REQUIREMENT_WEIGHT = 0.1
CHECK_WEIGHT = 0.2
MAX_CONFIDENCE = 0.99
UNVERIFIED_PENALTY = 0.2  # a posture hit that rests on a policy pipedoctor could not read
MAX_DENIALS = 3  # distinct denials read from one text, each its own candidate
GENERIC_DENIAL_PENALTY = 0.15  # a denial no cause names more precisely than "role lacks A"
VAGUE_DENIAL_PENALTY = 0.3  # ... and the text names no action either ("Access Denied")
AMBIGUITY_MARGIN = 0.2  # candidates this close are a wording the text alone cannot separate
PRIOR_WEIGHT = 0.1  # at most this much, by how often each cause is the real one in the corpus
GENERIC_CAUSES = {"role-missing-permission"}  # the denial parser's answer when nothing names the pair


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
    where: Location,
    resource: str,
    cause: str = "",
    confidence_shift: float = 0.0,
    matched: list[MatchedText] | None = None,
) -> Finding | None:
    """Apply requirements and checks; None when a known fact or a policy rejects the rule."""
    confidence = rule.confidence + confidence_shift
    unverified: list[str] = []
    for condition in rule.requires:
        outcome = evaluate_condition(condition, facts)
        if outcome is False:
            return None
        if outcome is None:
            unverified.append(render(describe_condition(condition, facts), facts))
        else:
            confidence += REQUIREMENT_WEIGHT
            evidence.append(render(describe_condition(condition, facts), facts))
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
        unverified.append(f"to decide: {render(rule.decide, facts)}")
    explicit_deny = bool(facts.get("auth.explicit_deny"))
    principals, resources = involved(rule, facts, resource)
    return Finding(
        rule=rule.id,
        cause=cause or rule.cause,
        title=rule.title,
        severity=rule.severity,
        confidence=round(min(confidence, MAX_CONFIDENCE), 2),
        message=render(rule.message, facts),
        evidence=evidence,
        fix=render(rule.fix_text, facts),
        policy_fix=None if explicit_deny else _policy_document(rule.fix_policy, facts),
        resource=resource,
        where=where,
        matched=matched or [],
        principals=principals,
        resources=resources,
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
            if rule.resolve == "authorization":
                findings.extend(_denial_findings(rule, facts, match, snapshot, incident))
                continue
            if rule.fix_policy and _allow_does_not_apply(rule, match):
                continue  # the denial resolver's answer is the right one
            evidence = [f"matched {match.line}"]
            finding = _judge(
                rule, facts, evidence, snapshot, incident.where, incident.resource, matched=[_matched(match)]
            )
            if finding is not None:
                findings.append(finding)
        ranked = rank_by_prior(rank(_without_fallbacks(findings, self.matcher.rules)))
        _say_what_decides(ranked, {rule.id: rule for rule in self.matcher.rules}, incident.facts, snapshot)
        return ranked

    def diagnose(self, incident: Incident, snapshot: Snapshot | None = None) -> list[Finding]:
        return self.judge(self.scan_incident(incident), incident, snapshot)


def _denial_findings(
    rule: Rule, facts: dict[str, Any], match: TextMatch, snapshot: Snapshot | None, incident: Incident
) -> list[Finding]:
    """One candidate per distinct denial in the matched message, its cause named by the parser."""
    surface = match.surface
    findings = []
    # Imported when a rule matched a failure: a repository check needs neither (start-up time).
    from pipedoctor.diagnose.authz import parse_authorization_errors
    from pipedoctor.diagnose.denials import denial_facts

    denials = parse_authorization_errors(match.excerpt or match.line)
    for denial in denials[:MAX_DENIALS]:
        resolved = denial_facts(denial, facts, match.excerpt, surface)
        shift = 0.0
        if resolved.cause == "role-missing-permission":
            shift = -GENERIC_DENIAL_PENALTY if "auth.action" in resolved.facts else -VAGUE_DENIAL_PENALTY
        evidence = [f"matched {match.line}", f"AWS says: {resolved.facts['auth.summary']}"]
        finding = _judge(
            rule,
            {**facts, **resolved.facts},
            evidence,
            snapshot,
            incident.where,
            incident.resource,
            cause=resolved.cause,
            confidence_shift=shift,
            matched=[_matched(match)],
        )
        if finding is not None:
            findings.append(finding)
    return findings


def _allow_does_not_apply(rule: Rule, match: TextMatch) -> bool:
    """Whether the rule's Allow to add does not answer the matched denial: a guardrail (or an
    unnamed Deny) answered it, or it was an IAM user's and the rule's cause names a role of the
    pipeline (the denial resolver names the user's own)."""
    from pipedoctor.diagnose.authz import parse_authorization_errors
    from pipedoctor.diagnose.denials import USER, cause_for

    denials = parse_authorization_errors(match.excerpt)
    if any(denial.blocked_by_guardrail for denial in denials):
        return True
    users = [denial for denial in denials if denial.by_iam_user]
    return bool(users) and len(users) == len(denials) and rule.cause not in {cause_for(d, USER) for d in users}


def _matched(match: TextMatch) -> MatchedText:
    return MatchedText(source=match.surface, text=match.text)


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
            where = hit.location if isinstance(hit.location, Location) else Location.from_text(hit.location)
            finding = _judge(rule, hit.facts, list(hit.evidence), snapshot, where, hit.resource)
            if finding is not None and hit.unverified:
                finding.unverified = hit.unverified + finding.unverified
                finding.confidence = round(max(finding.confidence - UNVERIFIED_PENALTY * len(hit.unverified), 0.1), 2)
            if finding is not None:
                finding.edits = list(hit.edits)
                findings.append(finding)
    return rank(findings)


def _without_fallbacks(findings: list[Finding], rules: list[Rule]) -> list[Finding]:
    """Symptom-level answers only when nothing more specific matched. A generic denial that names
    its action (its statement to add could be written) is no symptom: it stays, after the specific
    causes by its penalty, since what matched beside it may be another failure's words."""
    fallback_rules = {rule.id for rule in rules if rule.fallback}
    specific = [
        f
        for f in findings
        if f.rule not in fallback_rules and (f.cause not in GENERIC_CAUSES or f.policy_fix)
    ]
    return specific or findings


def rank_by_prior(findings: list[Finding]) -> list[Finding]:
    """Near-equal candidates ordered by how often each cause is the real one in the corpus."""
    return sorted(findings, key=lambda f: -(f.confidence + PRIOR_WEIGHT * prior_share(f.cause)))


def _say_what_decides(
    findings: list[Finding], rules: dict[str, Rule], facts: dict[str, Any], snapshot: Snapshot | None
) -> None:
    """When the text fits several causes about equally, the top one names the fact that decides."""
    if len(findings) < 2:
        return
    top = findings[0]
    rivals = [
        f.cause
        for f in findings[1:]
        if f.cause != top.cause and abs(top.confidence - f.confidence) <= AMBIGUITY_MARGIN
    ]
    rule = rules.get(top.rule)
    if not rivals or rule is None or not rule.decide:
        return
    decided = [item for item in top.unverified if item.startswith("to decide:")]
    line = decided[0] if decided else f"to decide: {render(rule.decide, facts)}"
    line += f" (the text alone also fits {', '.join(dict.fromkeys(rivals))}"
    line += "; run with --snapshot and the collected facts decide)" if snapshot is None else ")"
    top.unverified = [item for item in top.unverified if not item.startswith("to decide:")] + [line]


def rank(findings: list[Finding]) -> list[Finding]:
    """Highest confidence first; one finding per cause and place (the most confident)."""
    best: dict[tuple[str, Location, str], Finding] = {}
    for finding in sorted(findings, key=lambda f: -f.confidence):
        best.setdefault((finding.cause, finding.where, finding.resource), finding)
    return list(best.values())
