from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from pipedoctor.diagnose import RuleError, load_rules
from pipedoctor.diagnose.causes import known_cause_ids
from pipedoctor.diagnose.rule_tests import run_rule_tests
from pipedoctor.diagnose.rules import bundled_rules_dir

GOOD_RULE = """\
id: {id}
title: A test rule
severity: low
cause: dockerhub-pull-rate-limit
kind: diagnosis
match: ['{pattern}']
message: m
fix: {{text: f}}
"""


def test_bundled_rules_load_and_every_case_passes() -> None:
    rules = load_rules()
    assert rules, "no bundled rules"
    results = run_rule_tests(rules)
    failures = [(r.rule, r.name) for r in results if not r.passed]
    assert not failures
    for rule in rules:
        expectations = {case["expect"] for case in rule.tests}
        assert expectations == {"match", "no-match"}, f"{rule.id} needs both kinds of cases"


def test_rule_causes_are_known() -> None:
    causes = known_cause_ids()
    assert all(rule.cause in causes for rule in load_rules())


def test_rule_references_are_listed_once() -> None:
    for rule in load_rules():
        assert len(rule.references) == len(set(rule.references)), rule.id


def test_shared_causes_are_all_in_the_package_list(corpus: Path) -> None:
    shared = yaml.safe_load((corpus.parent / "causes.yaml").read_text())
    assert {c["id"] for c in shared["causes"]} <= known_cause_ids()


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / f"{name}.yaml"
    path.write_text(text)
    return path


def test_user_rules_directory_adds_and_overrides(tmp_path: Path) -> None:
    write(tmp_path, "my-rule", GOOD_RULE.format(id="my-rule", pattern="boom"))
    write(tmp_path, "dockerhub-pull-rate-limit", GOOD_RULE.format(id="dockerhub-pull-rate-limit", pattern="x"))
    rules = {rule.id: rule for rule in load_rules([tmp_path])}
    assert "my-rule" in rules
    assert rules["dockerhub-pull-rate-limit"].title == "A test rule"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("id: broken\ntitle: a: b\n", ":2: invalid YAML"),
        (GOOD_RULE.format(id="broken", pattern="x") + "colour: red\n", ":9: Additional properties"),
        (GOOD_RULE.format(id="broken", pattern="(a+)\\1"), ":6: pattern"),
        (GOOD_RULE.format(id="other-name", pattern="x"), ":1: rule id 'other-name' must equal the file name"),
        (GOOD_RULE.format(id="broken", pattern="x").replace("dockerhub-pull-rate-limit", "no-such-cause"), ":4: unknown cause"),
        (GOOD_RULE.format(id="broken", pattern="x") + "yields_to: [no-such-rule]\n", ":9: yields_to names 'no-such-rule'"),
        (GOOD_RULE.format(id="broken", pattern="x") + "yields_to: [broken]\n", ":9: yields_to names 'broken'"),
    ],
)
def test_bad_rule_files_name_file_and_line(tmp_path: Path, text: str, expected: str) -> None:
    path = write(tmp_path, "broken", text)
    with pytest.raises(RuleError) as error:
        load_rules([tmp_path])
    message = str(error.value)
    assert message.startswith(str(path))
    assert expected in message


def test_a_rule_yields_to_another_only_when_that_one_matches(tmp_path: Path) -> None:
    from pipedoctor.diagnose.engine import diagnose_incident
    from pipedoctor.diagnose.incidents import incident_from_text

    write(tmp_path, "specific", GOOD_RULE.format(id="specific", pattern="rate limit") + "exclude: ['anonymous']\n")
    general = GOOD_RULE.format(id="general", pattern="limit").replace("dockerhub-pull-rate-limit", "ecr-api-throttled")
    write(tmp_path, "general", general + "yields_to: [specific]\n")
    rules = [rule for rule in load_rules([tmp_path]) if rule.id in {"specific", "general"}]

    def answered(text: str) -> set[str]:
        return {finding.rule for finding in diagnose_incident(incident_from_text(text, "other"), rules)}

    assert answered("pull rate limit reached") == {"specific"}
    assert answered("quota limit reached") == {"general"}
    # the rule yielded to is excluded from this text: its answer is not given, so the other's is
    assert answered("anonymous pull rate limit reached") == {"general"}


def test_rules_cli_validate_reports_one_line_and_exit_2(tmp_path: Path, run_cli) -> None:
    write(tmp_path, "broken", "id: broken\ntitle: a: b\n")
    code, out, err = run_cli("rules", "validate", "--rules-dir", str(tmp_path))
    assert code == 2 and out == ""
    assert err.strip().count("\n") == 0 and "broken.yaml:2" in err


def test_rules_cli_list_show_test(run_cli) -> None:
    code, out, _ = run_cli("rules", "list")
    assert code == 0 and "codebuild-role-missing-use-connection" in out
    code, out, _ = run_cli("rules", "show", "dockerhub-pull-rate-limit")
    assert code == 0 and "ECR Public" in out
    code, out, _ = run_cli("rules", "show", "codebuild-vpc-no-internet")
    assert code == 0 and "gives way to: ecs-task-initialization-failed-execution-role," in out
    code, out, _ = run_cli("rules", "test")
    assert code == 0 and out.strip().endswith("0 failed")
    code, _, err = run_cli("rules", "show", "nope")
    assert code == 2 and "no rule 'nope'" in err


def test_bundled_rules_directory_is_the_checkout_rules() -> None:
    assert (bundled_rules_dir() / "dockerhub-pull-rate-limit.yaml").is_file()


def test_broken_causes_file_is_one_line_and_exit_2(tmp_path: Path, monkeypatch, run_cli) -> None:
    from pipedoctor.diagnose import causes

    broken = tmp_path / "causes.yaml"
    broken.write_text(causes.CAUSES_FILE.read_text(encoding="utf-8") + "<<<<<<< HEAD\n", encoding="utf-8")
    monkeypatch.setattr(causes, "CAUSES_FILE", broken)
    causes.cause_descriptions.cache_clear()
    try:
        code, out, err = run_cli("rules", "validate")
    finally:
        causes.cause_descriptions.cache_clear()
    assert code == 2 and out == ""
    assert err.strip().count("\n") == 0
    assert "causes.yaml: line" in err and "Traceback" not in err
