"""Causes that share a wording: ranked by the corpus, the deciding fact named, and with facts decided."""

from __future__ import annotations

import json
from pathlib import Path

from pipedoctor.diagnose import diagnose_incident, incident_from_text, load_rules
from pipedoctor.diagnose.priors import cause_frequency, count_causes, train_cases

SHARED_WORDING = "DOWNLOAD_SOURCE FAILED: CLIENT_ERROR authorization failed for primary source and source version 3f2a9c1"
REPO_CORPUS = Path(__file__).resolve().parents[1] / "data" / "failures"


def _diagnose(text: str, facts: dict | None = None):
    incident = incident_from_text(text, "codebuild-phase")
    incident.facts = dict(facts or {})
    return diagnose_incident(incident, load_rules())


def test_text_alone_lists_both_and_names_the_deciding_fact() -> None:
    findings = _diagnose(SHARED_WORDING)
    causes = [f.cause for f in findings]
    assert {
        "codebuild-role-missing-use-connection",
        "codebuild-role-missing-codecommit-gitpull",
    } <= set(causes[:3])
    decide = [item for item in findings[0].unverified if item.startswith("to decide:")]
    assert len(decide) == 1
    assert "source provider" in decide[0] and "--snapshot" in decide[0]


def test_the_fact_decides() -> None:
    codecommit = [f.cause for f in _diagnose(SHARED_WORDING, {"source.provider": "CodeCommit"})]
    github = [
        f.cause
        for f in _diagnose(
            SHARED_WORDING,
            {"source.provider": "GitHub", "source.output_format": "CODEBUILD_CLONE_REF"},
        )
    ]
    assert codecommit[0] == "codebuild-role-missing-codecommit-gitpull"
    assert "codebuild-role-missing-use-connection" not in codecommit
    assert github[0] == "codebuild-role-missing-use-connection"
    assert "codebuild-role-missing-codecommit-gitpull" not in github


def test_the_cause_frequencies_are_the_train_corpus(corpus: Path) -> None:
    lines = (corpus / "failures-dev.jsonl").read_text(encoding="utf-8").splitlines()
    for path in sorted(REPO_CORPUS.glob("*.jsonl")):
        lines += path.read_text(encoding="utf-8").splitlines()
    assert cause_frequency() == count_causes(train_cases(lines)), (
        "regenerate with python -m pipedoctor.diagnose.priors <the corpus files>"
    )


def test_validation_cases_are_not_counted() -> None:
    lines = [
        json.dumps({"cause": "a", "split": "train"}),
        json.dumps({"cause": "b", "split": "validation"}),
        json.dumps({"cause": "a"}),
    ]
    assert count_causes(train_cases(lines)) == {"a": 2}


def test_a_symptom_is_the_answer_only_when_nothing_more_specific_matches() -> None:
    failed = "BUILD: COMMAND_EXECUTION_ERROR: Error while executing command: npm run build. Reason: exit status 1"
    alone = _diagnose(failed)
    assert [f.cause for f in alone] == ["codebuild-build-command-failed"]
    assert "npm run build" in alone[0].message
    with_reason = _diagnose(
        "FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory\n"
        + failed
    )
    assert [f.cause for f in with_reason] == ["codebuild-out-of-memory"]
