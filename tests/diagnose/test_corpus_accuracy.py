"""Top-1/top-3 accuracy of text-only diagnosis over real failure texts (../shared/corpus).

The texts were posted by people outside the project; the rules were written from the causes'
descriptions and AWS documentation, not from these strings. Misses are printed so a drop can be read.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipedoctor.diagnose import diagnose_incident, incident_from_text, load_rules
from pipedoctor.diagnose.causes import known_cause_ids

TOP1_TARGET = 0.90
TOP3_TARGET = 0.95


def _cases(corpus: Path) -> list[dict]:
    path = corpus / "failures-dev.jsonl"
    if not path.is_file():
        pytest.skip(f"{path} is not present")
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _ranked_causes(case: dict, rules: list) -> list[str]:
    incident = incident_from_text(case["error_text"], case.get("surface"))
    return [finding.cause for finding in diagnose_incident(incident, rules)]


def test_corpus_causes_are_known(corpus: Path) -> None:
    unknown = {case["cause"] for case in _cases(corpus)} - known_cause_ids()
    assert not unknown, f"corpus names cause ids the package does not know: {sorted(unknown)}"


def test_text_diagnosis_accuracy_on_real_failures(corpus: Path) -> None:
    cases = _cases(corpus)
    rules = load_rules()
    top1 = top3 = 0
    misses = []
    for case in cases:
        ranked = _ranked_causes(case, rules)
        if ranked[:1] == [case["cause"]]:
            top1 += 1
        if case["cause"] in ranked[:3]:
            top3 += 1
        if ranked[:1] != [case["cause"]]:
            position = ranked.index(case["cause"]) + 1 if case["cause"] in ranked else None
            misses.append(
                f"{case.get('id')}: expected {case['cause']} (rank {position}), got {ranked[:3]}"
            )
    total = len(cases)
    print(f"\ntop-1 {top1}/{total} = {top1 / total:.0%}; top-3 {top3}/{total} = {top3 / total:.0%}")
    for miss in misses:
        print("  miss", miss)
    assert total > 0
    assert top1 / total >= TOP1_TARGET, "\n".join(misses)
    assert top3 / total >= TOP3_TARGET, "\n".join(misses)
