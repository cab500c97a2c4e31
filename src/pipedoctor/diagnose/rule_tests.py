"""Running the test cases that sit in each rule file."""

from __future__ import annotations

from dataclasses import dataclass

from pipedoctor.diagnose.engine import diagnose_incident, posture_findings
from pipedoctor.diagnose.incidents import incident_from_text
from pipedoctor.diagnose.rules import Rule
from pipedoctor.model import Snapshot
from pipedoctor.model.serialize import from_plain


@dataclass
class CaseResult:
    rule: str
    name: str
    expected: str
    passed: bool


def _produces(rule: Rule, case: dict, yielded_to: list[Rule]) -> bool:
    """Whether `rule` gives its answer for `case`, beside the rules it yields to."""
    if "snapshot" in case:
        snapshot = from_plain(Snapshot, case["snapshot"])
        return any(f.rule == rule.id for f in posture_findings(snapshot, [rule]))
    incident = incident_from_text(case.get("text", ""), case.get("surface"))
    incident.facts = dict(case.get("facts", {}))
    return any(f.rule == rule.id for f in diagnose_incident(incident, [rule, *yielded_to]))


def run_rule_tests(rules: list[Rule]) -> list[CaseResult]:
    """The results of the test cases of `rules` (which hold the rules they yield to)."""
    by_id = {rule.id: rule for rule in rules}
    results = []
    for rule in rules:
        yielded_to = [by_id[other] for other in rule.yields_to if other in by_id]
        for index, case in enumerate(rule.tests, start=1):
            produced = _produces(rule, case, yielded_to)
            expected = case["expect"]
            results.append(
                CaseResult(
                    rule=rule.id,
                    name=case.get("name", f"case {index}"),
                    expected=expected,
                    passed=produced == (expected == "match"),
                )
            )
    return results
