"""Agreement with peer evaluators on the shared corpus: every Strict-mode iam-simulate
authorization case and every PMapper authorization case (skipped when the corpus is absent)."""

from __future__ import annotations

from typing import Any

from pipedoctor.iam import evaluate
from pipedoctor.iam.simulate_input import parse_simulate_line

from .corpus import load_cases
from .pmapper_adapter import pmapper_case

REQUIRED_AGREEMENT = 0.99
# iam-simulate's blockedBy names for our layer names.
LAYER_NAMES = {
    "identity": "identity",
    "permissionBoundary": "pb",
    "scp": "scp",
    "rcp": "rcp",
    "resourcePolicy": "resource",
    "sessionPolicy": "session",
    "endpointPolicy": "vpce",
}


def _iam_simulate_cases(cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        case
        for case in cases
        if case["suite"] == "cloud-copilot/iam-simulate"
        and case["kind"] == "authorization"
        and case["mode"] == "Strict"
    ]


def _pmapper_cases(cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        case
        for case in cases
        if case["suite"] == "nccgroup/PMapper"
        and case["kind"].startswith("authorization")
        and case.get("expected_decision") in ("Allowed", "Denied")
    ]


def run_conformance() -> tuple[int, list[str], int, list[str]]:
    """(cases compared, decision disagreements, blockedBy compared, blockedBy disagreements)."""
    cases = load_cases()
    disagreements: list[str] = []
    blocked_total = 0
    blocked_disagreements: list[str] = []
    compared = 0
    for case in _iam_simulate_cases(cases):
        compared += 1
        _, request, policy_set = parse_simulate_line(case)
        decision = evaluate(request, policy_set)
        if decision.decision != case["expected_decision"]:
            disagreements.append(
                f"{case['id']} [iam-simulate] {case['name']}: expected "
                f"{case['expected_decision']}, got {decision.decision} "
                f"(blockedBy={decision.blocked_by})"
            )
        expected_blocked = case["expected"].get("blockedBy")
        if expected_blocked is not None:
            blocked_total += 1
            ours = sorted(LAYER_NAMES.get(layer, layer) for layer in decision.blocked_by)
            if ours != sorted(expected_blocked):
                blocked_disagreements.append(
                    f"{case['id']} {case['name']}: expected blockedBy {sorted(expected_blocked)}, "
                    f"got {ours}"
                )
    for case in _pmapper_cases(cases):
        compared += 1
        request, policy_set = pmapper_case(case["input"])
        decision = evaluate(request, policy_set)
        got = "Allowed" if decision.allowed else "Denied"
        if got != case["expected_decision"]:
            disagreements.append(
                f"{case['id']} [PMapper] {case['name']}: expected {case['expected_decision']}, "
                f"got {decision.decision}"
            )
    return compared, disagreements, blocked_total, blocked_disagreements


def test_agreement_with_iam_simulate_and_pmapper() -> None:
    compared, disagreements, blocked_total, blocked_disagreements = run_conformance()
    agreement = 1 - len(disagreements) / compared
    summary = (
        f"IAM conformance: {compared - len(disagreements)}/{compared} decisions agree "
        f"({agreement:.2%}); blockedBy agrees on "
        f"{blocked_total - len(blocked_disagreements)}/{blocked_total}"
    )
    print(summary)
    for line in disagreements + blocked_disagreements:
        print("  disagreement:", line)
    assert compared > 400, "expected the full iam-simulate + PMapper case set"
    assert agreement >= REQUIRED_AGREEMENT, summary + "\n" + "\n".join(disagreements)
