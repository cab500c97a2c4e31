"""The causes nearest to a failure no rule recognised, each with the fact that would decide.

A rule is near when it is written for the place the failure came from (its surfaces) and the known
facts do not rule it out (no requirement false, no policy check rejected). Near rules are ordered by
how many known facts support them (requirements met, policy checks confirmed), then by how often
their cause is the real one in the sourced corpus. They are shown as leads inside the
"not recognised" answer, never as diagnoses: the text did not name them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pipedoctor.diagnose.conditions import describe_condition, evaluate_condition
from pipedoctor.diagnose.evidence import run_check
from pipedoctor.diagnose.matcher import ANY_SURFACE, rule_applies
from pipedoctor.diagnose.priors import prior_share
from pipedoctor.diagnose.rules import Rule
from pipedoctor.diagnose.templates import render
from pipedoctor.model import Snapshot

SHOWN_CANDIDATES = 3


@dataclass
class Candidate:
    rule: Rule
    support: list[str]  # the known facts and policy checks that fit the cause
    prior: float

    def describe(self, facts: dict[str, Any]) -> str:
        text = f"{self.rule.cause} ({self.rule.title})"
        if self.support:
            text += f"; fits: {'; '.join(self.support)}"
        if self.rule.decide:
            text += f"; to decide: {render(self.rule.decide, facts)}"
        return text


def _judged(rule: Rule, facts: dict[str, Any], snapshot: Snapshot | None) -> Candidate | None:
    support: list[str] = []
    for condition in rule.requires:
        outcome = evaluate_condition(condition, facts)
        if outcome is False:
            return None
        if outcome:
            support.append(render(describe_condition(condition, facts), facts))
    for check in rule.checks:
        result = run_check(check, facts, snapshot)
        if result.status == "rejected":
            return None
        if result.status == "confirmed":
            support.append(result.text)
    return Candidate(rule, support, prior_share(rule.cause))


def nearest_candidates(
    rules: list[Rule],
    surfaces: list[str],
    facts: dict[str, Any],
    snapshot: Snapshot | None = None,
    limit: int = SHOWN_CANDIDATES,
) -> list[str]:
    """Up to `limit` leads, best first; none when the place is unknown (every rule would do)."""
    places = [surface for surface in surfaces if surface != ANY_SURFACE]
    if not places:
        return []
    candidates: dict[str, Candidate] = {}
    for rule in rules:
        if rule.kind != "diagnosis" or rule.fallback or rule.resolve:
            continue  # symptoms and denials say nothing without their text
        if not rule.surfaces or not any(rule_applies(rule, place) for place in places):
            continue
        candidate = _judged(rule, facts, snapshot)
        if candidate is None:
            continue
        best = candidates.get(rule.cause)
        if best is None or len(candidate.support) > len(best.support):
            candidates[rule.cause] = candidate
    ranked = sorted(candidates.values(), key=lambda c: (-len(c.support), -c.prior, c.rule.cause))
    return [candidate.describe(facts) for candidate in ranked[:limit]]


def ruled_out(
    cause: str, rules: list[Rule], facts: dict[str, Any], snapshot: Snapshot | None
) -> bool:
    """True when the known facts rule out every diagnosis rule written for the cause."""
    written = [r for r in rules if r.kind == "diagnosis" and r.cause == cause and not r.fallback]
    return bool(written) and all(_judged(rule, facts, snapshot) is None for rule in written)
