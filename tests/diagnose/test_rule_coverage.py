"""Every cause has a diagnosis rule, and every rule is valid and passes its own cases."""

from __future__ import annotations

import re

import pytest

from pipedoctor.diagnose import load_rules
from pipedoctor.diagnose.causes import known_cause_ids
from pipedoctor.diagnose.denials import RESOLVED_CAUSES
from pipedoctor.diagnose.rule_tests import run_rule_tests

# Causes that are configuration findings, not failure texts.
POSTURE_ONLY = {
    "ci-role-full-access-policy",
    "codebuild-privileged-mode-unneeded",
    "repository-link-ambiguous",
    "resource-policy-open-to-anyone",
    "resource-policy-other-accounts",
}


@pytest.fixture(scope="module")
def rules():
    return load_rules()


def test_every_cause_has_a_diagnosis_rule(rules) -> None:
    diagnosed = {rule.cause for rule in rules if rule.kind == "diagnosis"}
    if any(rule.resolve == "authorization" for rule in rules):
        diagnosed |= RESOLVED_CAUSES
    covered = {rule.cause for rule in rules}
    missing = sorted(known_cause_ids() - diagnosed - POSTURE_ONLY)
    assert not missing, f"causes without a diagnosis rule: {missing}"
    assert POSTURE_ONLY <= covered


def test_every_rule_names_a_known_cause(rules) -> None:
    unknown = sorted({rule.cause for rule in rules} - known_cause_ids())
    assert not unknown
    assert RESOLVED_CAUSES <= known_cause_ids(), sorted(RESOLVED_CAUSES - known_cause_ids())


def test_no_rule_copies_all_of_another_rules_patterns_into_its_exclude(rules) -> None:
    """A rule that gives way to another names it in yields_to; a copy of its patterns goes stale."""
    diagnosis = [rule for rule in rules if rule.kind == "diagnosis"]
    matches = {rule.id: {pattern.source for pattern in rule.match} for rule in diagnosis}
    copies = []
    for rule in diagnosis:
        excluded = {pattern.source for pattern in rule.exclude}
        for other, patterns in matches.items():
            if other != rule.id and patterns <= excluded:
                copies.append(f"{rule.id} excludes every pattern of {other}")
    assert not copies, "\n".join(copies)


def test_every_rule_case_passes(rules) -> None:
    results = run_rule_tests(rules)
    assert len(results) >= 2 * len(rules)
    failures = [f"{r.rule}: {r.name} (expected {r.expected})" for r in results if not r.passed]
    assert not failures, "\n".join(failures)


def test_every_rule_has_both_kinds_of_cases_and_documentation(rules) -> None:
    for rule in rules:
        assert {case["expect"] for case in rule.tests} == {"match", "no-match"}, rule.id
        assert rule.doc.strip(), f"{rule.id} has no doc"
        assert rule.fix_text.strip(), f"{rule.id} has no fix"
        assert any(ref.startswith("https://") for ref in rule.references), f"{rule.id} has no reference"


def test_permission_rules_carry_a_policy_fix(rules) -> None:
    for rule in rules:
        if rule.checks:
            assert rule.fix_policy, f"{rule.id} checks IAM but offers no policy statement"


def test_look_alike_rules_say_what_decides(rules) -> None:
    """Rules whose text matches another cause's rule must name the fact that separates them."""
    for rule in rules:
        if rule.kind == "diagnosis" and (rule.requires or rule.confidence < 0.6):
            assert rule.decide.strip(), f"{rule.id} is a look-alike candidate without a decide text"


def test_patterns_compile_under_re2_only(rules) -> None:
    for rule in rules:
        for pattern in [*rule.match, *rule.exclude]:
            assert type(pattern.regex).__module__.startswith("re2"), rule.id


# What a message must never show: a placeholder, an unknown marker or an unfilled optional clause.
DEBRIS = re.compile(r"\{[a-z][\w.-]*(?:\|[^{}]*)?\}|<unknown|\[\[|\]\]|  |\(\)|^the ")
LEFT_OVER = re.compile(r"\{[a-z][\w.-]*(?:\|[^{}]*)?\}|<unknown|\[\[|\]\]")


@pytest.mark.parametrize("facts", [{}, {"build.role": "arn:aws:iam::111122223333:role/cb"}])
def test_no_message_shows_a_placeholder_when_facts_are_unknown(rules, facts) -> None:
    from pipedoctor.diagnose.templates import render

    # Posture rules get their facts from their predicate, never from a text: the next test.
    for rule in [r for r in rules if r.kind == "diagnosis"]:
        for name, template in [("message", rule.message), ("fix", rule.fix_text)]:
            text = render(template, facts)
            assert text.strip(), f"{rule.id} {name} renders empty"
            assert not DEBRIS.search(text), f"{rule.id} {name}: {text!r}"
        if rule.decide:
            decide = render(rule.decide, facts)
            assert not DEBRIS.search(decide[:1].upper() + decide[1:]), f"{rule.id} decide: {decide!r}"


def test_posture_predicates_give_every_fact_their_templates_name(rules) -> None:
    """Posture rules get their facts from their predicate, never from a text: on each rule's own
    matching cases, every fact its message and fix name is given (a strict render raises else)."""
    from pipedoctor.diagnose.predicates import PREDICATES
    from pipedoctor.diagnose.templates import render
    from pipedoctor.model import Snapshot
    from pipedoctor.model.serialize import from_plain

    checked = 0
    for rule in [r for r in rules if r.kind == "posture"]:
        for case in [c for c in rule.tests if c["expect"] == "match"]:
            for hit in PREDICATES[rule.predicate](from_plain(Snapshot, case["snapshot"]), rule.params):
                for template in (rule.message, rule.fix_text):
                    assert not LEFT_OVER.search(render(template, hit.facts, strict=True)), rule.id
                checked += 1
    assert checked >= len([r for r in rules if r.kind == "posture"])
