"""check's output formats: SARIF valid against the 2.1.0 schema, JUnit, GitHub annotations, Markdown."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree

import jsonschema
import pytest

from pipedoctor.commands.demo import demo_snapshot_text


@pytest.fixture
def demo_file(tmp_path: Path) -> Path:
    path = tmp_path / "demo.json"
    path.write_text(demo_snapshot_text())
    return path


def test_sarif_is_valid_against_the_official_schema(demo_file: Path, run_cli, corpus: Path) -> None:
    schema = json.loads((corpus.parent / "schemas" / "sarif-2.1.0.json").read_text())
    code, out, _ = run_cli("check", "--snapshot", str(demo_file), "--format", "sarif")
    assert code == 1
    log = json.loads(out)
    jsonschema.Draft4Validator(schema).validate(log)
    run = log["runs"][0]
    rule_ids = [rule["id"] for rule in run["tool"]["driver"]["rules"]]
    assert "codebuild-role-missing-use-connection" in rule_ids
    for result in run["results"]:
        assert rule_ids[result["ruleIndex"]] == result["ruleId"]
        assert result["partialFingerprints"]["pipedoctorRuleResource/v1"]
    severities = {r["id"]: float(r["properties"]["security-severity"]) for r in run["tool"]["driver"]["rules"]}
    assert severities["codebuild-role-missing-use-connection"] >= 7.0  # high
    assert severities["dockerfile-docker-hub-base-image"] >= 7.0  # high: the pull fails CodeBuild builds


def test_one_run_writes_several_formats(demo_file: Path, tmp_path: Path, run_cli) -> None:
    junit, github, markdown = tmp_path / "r.xml", tmp_path / "gh.txt", tmp_path / "summary.md"
    code, out, _ = run_cli(
        "check", "--snapshot", str(demo_file), "--format", "json",
        "--output", f"junit={junit}", "--output", f"github={github}", "--output", f"markdown={markdown}",
    )
    assert code == 1
    causes = {d["cause"] for d in json.loads(out)["diagnoses"]}
    suite = ElementTree.parse(junit).getroot().find("testsuite")
    assert suite is not None
    failed_cases = {case.get("name") for case in suite.iter("testcase") if case.find("failure") is not None}
    assert "dockerhub-pull-rate-limit" in failed_cases
    assert int(suite.get("tests")) >= len(failed_cases)
    annotations = github.read_text().splitlines()
    assert annotations and all(line.startswith(("::error ", "::warning ", "::notice ")) for line in annotations)
    assert all("\n" not in line for line in annotations)
    summary = markdown.read_text()
    assert summary.startswith("## pipedoctor")
    rows = [line for line in summary.splitlines() if line.startswith("| ") and "`" in line]
    assert rows and all(row.split("`")[1] in causes for row in rows)
    assert "`codebuild-role-missing-use-connection`" in summary


def test_bad_output_option_is_a_usage_error(demo_file: Path, run_cli) -> None:
    code, _, err = run_cli("check", "--snapshot", str(demo_file), "--output", "pdf=x.pdf")
    assert code == 2 and "FORMAT=PATH" in err
