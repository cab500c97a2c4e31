"""Leads by resemblance to sourced failures, for texts no rule recognises."""

from __future__ import annotations

import json
from pathlib import Path

from pipedoctor.diagnose import load_rules, resemblance
from pipedoctor.diagnose.nearest import ruled_out
from pipedoctor.diagnose.priors import train_cases
from pipedoctor.diagnose.resemblance import MODEL_FILE, Model, model_of, words
from pipedoctor.diagnose.unrecognised import also_resembling, unrecognised_text
from pipedoctor.model import Finding

REPO_CORPUS = Path(__file__).resolve().parents[1] / "data" / "failures"


def _corpus_lines() -> list[str]:
    lines: list[str] = []
    for path in sorted(REPO_CORPUS.glob("*.jsonl")):
        lines += path.read_text(encoding="utf-8").splitlines()
    return lines


def test_the_stored_model_is_the_train_split_of_the_repository_corpus() -> None:
    stored = json.loads(MODEL_FILE.read_text(encoding="utf-8"))
    assert stored == json.loads(json.dumps(model_of(train_cases(_corpus_lines())))), (
        "regenerate with python -m pipedoctor.diagnose.resemblance tests/data/failures/*.jsonl"
    )


def test_validation_cases_never_enter_the_model() -> None:
    lines = [
        json.dumps({"cause": "a", "error_text": "alpha failed", "split": "train"}),
        json.dumps({"cause": "b", "error_text": "beta failed", "split": "validation"}),
    ]
    assert [case["cause"] for case in model_of(train_cases(lines))["cases"]] == ["a"]


def test_words_keep_codes_actions_and_services_not_ids() -> None:
    found = words(
        "AccessDeniedException: arn:aws:sts::123456789012:assumed-role/ci/abc is not authorized "
        "to perform: ecr:GetAuthorizationToken 0xdeadbeef",
        "codebuild-log",
    )
    assert {
        "accessdeniedexception",
        "arn:sts",
        "ecr:getauthorizationtoken",
        "surface=codebuild-log",
    } <= found
    assert not any(
        any(ch.isdigit() for ch in word) for word in found - {"ecr:getauthorizationtoken"}
    )
    assert "the" not in words("the build failed", None)


def test_the_nearest_case_ranks_its_cause_first_and_names_the_rarest_shared_words() -> None:
    model = Model(
        [
            ("rate-limit", words("toomanyrequests: you have reached your pull rate limit", None)),
            ("rate-limit", words("429 too many requests pull rate", None)),
            ("memory", words("container killed: out of memory exit 137", None)),
            ("memory", words("build container ran out of memory", None)),
        ]
    )
    leads = model.resembling("registry said: too many requests, pull again later", None, 3)
    assert [lead.cause for lead in leads][:1] == ["rate-limit"]
    assert "requests" in leads[0].shared and "surface=" not in " ".join(leads[0].shared)
    assert model.resembling("nothing in common here at all", None, 3) == []


def test_a_text_that_shares_only_common_words_gets_no_lead() -> None:
    model = Model([("a", words("alpha beta gamma delta epsilon zeta", None))])
    assert model.resembling("zeta eta theta iota kappa lambda mu nu xi omicron", None, 3) == []


def _only_these_cases(monkeypatch, model) -> None:
    """Resemblance reads `model`'s cases alone: no rule example or cause description."""
    monkeypatch.setattr(resemblance, "_model", model)
    monkeypatch.setattr(resemblance, "_joined", lambda corpus, examples: corpus)


def _rate_limit_model() -> Model:
    return Model(
        [
            (
                "dockerhub-pull-rate-limit",
                words("received 429 too many requests from the registry", None),
            ),
            (
                "ecr-public-pull-rate-limit",
                words("received 429 too many requests from the public registry", None),
            ),
        ]
    )


def test_an_unrecognised_text_near_a_sourced_failure_leads_with_its_cause(monkeypatch) -> None:
    _only_these_cases(monkeypatch, _rate_limit_model)
    text = "pull failed: 429 too many requests received from the registry\n"
    findings = unrecognised_text(load_rules(), text, None)
    near, far = resemblance.resembling(text, None)
    assert near.strong and not far.strong, (near, far)
    assert [f.cause for f in findings] == [near.cause, "not-recognised", far.cause]
    assert near.cause == "dockerhub-pull-rate-limit"
    candidate, answer, _ = findings
    assert candidate.rule == "resemblance" and candidate.confidence == 0.0
    assert "429" not in candidate.message and "requests" in candidate.message
    assert candidate.message.startswith("No rule matched;")
    assert "sourced failures whose cause was" in candidate.message
    assert candidate.fix and "{" not in candidate.fix and "<unknown" not in candidate.fix
    assert candidate.where == answer.where


def test_a_far_resemblance_follows_the_not_recognised_answer(monkeypatch) -> None:
    _only_these_cases(monkeypatch, _rate_limit_model)
    text = "registry fetch failed: too many requests, giving up on this layer after five tries\n"
    leads = resemblance.resembling(text, None)
    assert leads and not any(lead.strong for lead in leads)
    answer, *candidates = unrecognised_text(load_rules(), text, None)
    assert answer.cause == "not-recognised"
    assert [c.cause for c in candidates] == [lead.cause for lead in leads]


def test_a_cause_known_only_from_its_rules_and_description_is_still_a_lead() -> None:
    rules = load_rules()
    documents = resemblance.knowledge_documents(rules)
    rule = next(r for r in rules if r.id == "ecr-repository-image-limit-reached")
    examples = [t["text"] for t in rule.tests if t["expect"] == "match"]
    assert (rule.cause, words(examples[0], "codebuild-log"), resemblance.RULE_EXAMPLE) in documents
    refused = [t["text"] for t in rule.tests if t["expect"] == "no-match"]
    assert all((rule.cause, words(text, "codebuild-log"), resemblance.RULE_EXAMPLE) not in documents for text in refused)
    assert any(
        origin == resemblance.DESCRIPTION and cause == "cloudformation-export-in-use"
        for cause, _, origin in documents
    )
    model = Model([], documents)
    (lead, *_) = model.resembling(
        "push refused: repository holds the maximum allowed number of images for its quota", None, 3
    )
    assert lead.cause == "ecr-repository-image-limit-reached"
    assert lead.origin in (resemblance.RULE_EXAMPLE, resemblance.DESCRIPTION)


def _rule_finding(cause: str) -> Finding:
    return Finding(
        rule=cause, cause=cause, title=cause, severity="high", confidence=0.8, message="m", fix="f"
    )


def test_a_matched_text_gains_the_near_causes_no_rule_matched_up_to_three(monkeypatch) -> None:
    _only_these_cases(monkeypatch, _rate_limit_model)
    text = "error: received 429 too many requests from the registry\n"
    rules = load_rules()
    added = also_resembling(rules, [_rule_finding("codebuild-privileged-mode-off")], text, None)
    assert [c.cause for c in added] == ["dockerhub-pull-rate-limit", "ecr-public-pull-rate-limit"]
    assert all(c.rule == "resemblance" and c.confidence == 0.0 for c in added)
    assert all(c.message.startswith("No rule of this cause matched;") for c in added)
    two = [_rule_finding("codebuild-privileged-mode-off"), _rule_finding("ecr-login-missing")]
    assert [c.cause for c in also_resembling(rules, two, text, None)] == [
        "dockerhub-pull-rate-limit"
    ]
    three = [*two, _rule_finding("buildspec-not-found")]
    assert also_resembling(rules, three, text, None) == []
    matched = [_rule_finding("dockerhub-pull-rate-limit")]
    assert [c.cause for c in also_resembling(rules, matched, text, None)] == [
        "ecr-public-pull-rate-limit"
    ]


def test_a_far_resemblance_fills_the_last_places_after_matched_causes(monkeypatch) -> None:
    _only_these_cases(monkeypatch, _rate_limit_model)
    text = "registry fetch failed: too many requests, giving up on this layer after five tries\n"
    leads = resemblance.resembling(text, None)
    assert leads and not any(lead.strong for lead in leads)
    found = [_rule_finding("codebuild-privileged-mode-off")]
    added = also_resembling(load_rules(), found, text, None)
    assert [c.cause for c in added] == [lead.cause for lead in leads][:2]
    assert all(c.confidence == 0.0 and "not a match" in c.unverified[0] for c in added)


def test_a_text_like_nothing_sourced_is_only_not_recognised(monkeypatch) -> None:
    _only_these_cases(monkeypatch, lambda: Model([("a", words("alpha beta", None))]))
    assert [f.cause for f in unrecognised_text(load_rules(), "widget exploded: quux\n", None)] == [
        "not-recognised"
    ]


def test_with_collected_facts_a_resembled_cause_they_rule_out_is_dropped() -> None:
    rules = load_rules()
    assert ruled_out(
        "codebuild-privileged-mode-off", rules, {"project.privileged_mode": True}, None
    )
    assert not ruled_out(
        "codebuild-privileged-mode-off", rules, {"project.privileged_mode": False}, None
    )
    assert not ruled_out("codebuild-privileged-mode-off", rules, {}, None)  # unknown: kept
    assert not ruled_out("no-such-cause", rules, {}, None)


def test_a_cause_with_two_near_wordings_outranks_one_a_little_nearer(monkeypatch) -> None:
    """A cause is ranked by its nearest document and, a little, by its next nearest (here apart
    from its vocabulary, which prefers one-near's few words)."""
    monkeypatch.setattr(resemblance, "VOCABULARY_WEIGHT", 0.0)
    shared = "registry refused the layer upload quota"
    model = Model(
        [
            ("one-near", words(f"{shared} alpha", None)),
            ("two-near", words(f"{shared} beta gamma", None)),
            ("two-near", words(f"{shared} delta epsilon", None)),
        ]
    )
    leads = model.resembling(shared, None, 3)
    similarity = {lead.cause: lead.similarity for lead in leads}
    assert similarity["one-near"] > similarity["two-near"]  # the single nearest document is one-near's
    assert [lead.cause for lead in leads] == ["two-near", "one-near"]
    # with its support, two-near stays first only while its nearest is not far behind
    alone = Model([("one-near", words(shared, None)), *model.cases[1:]])
    assert [lead.cause for lead in alone.resembling(shared, None, 3)][:1] == ["one-near"]


def test_a_cause_whose_wordings_each_share_a_part_of_the_text_is_a_lead(monkeypatch) -> None:
    """No document of "parts" is near the text, but its wordings together hold all of it."""
    text = "registry refused layer upload quota exceeded"

    def other_words(tag: str) -> str:
        return " ".join(f"{tag}{letter}" for letter in "abcdefghijklmnopqrst")

    model = Model(
        [
            ("parts", words(f"registry refused {other_words('one')}", None)),
            ("parts", words(f"layer upload {other_words('two')}", None)),
            ("parts", words(f"quota exceeded {other_words('three')}", None)),
            ("build", words("build failed with exit code", None)),
            ("task", words("task stopped essential container exited", None)),
        ]
    )
    (lead,) = model.resembling(text, None, 3)
    assert lead.cause == "parts"
    assert lead.similarity < resemblance.MIN_SIMILARITY and not lead.strong
    assert set(lead.shared) in ({"registry", "refused"}, {"layer", "upload"}, {"quota", "exceeded"})
    monkeypatch.setattr(resemblance, "MIN_VOCABULARY_SHARE", 1.1)
    assert model.resembling(text, None, 3) == []


def test_a_model_without_one_case_is_the_model_of_the_others() -> None:
    """`without` derives the leave-one-out model the accuracy test and the benchmark diagnose each
    train case with; it must answer as a model built from the other documents does, down to the
    cause whose only sourced case was left out (its rules and description still speak for it)."""
    knowledge = resemblance.knowledge_documents(load_rules())
    cases = [
        ("codebuild-out-of-memory", words("build container ran out of memory exit 137", None)),
        ("ecr-login-missing", words("no basic auth credentials pushing to ecr", None)),
        ("ecr-login-missing", words("denied: requested access to the resource is denied", None)),
        ("ecs-task-no-network-path", words("ResourceInitializationError unable to pull secrets", None)),
    ]
    every = Model(cases, knowledge)
    texts = ["no basic auth credentials", "ran out of memory exit 137", "unable to pull secrets"]
    for index in range(len(cases)):
        derived, built = every.without(index), Model(cases[:index] + cases[index + 1 :], knowledge)
        assert derived.cases == built.cases
        assert derived.weight == built.weight and derived.vocabulary == built.vocabulary
        for text in texts:
            assert derived.resembling(text, None, 5) == built.resembling(text, None, 5)
