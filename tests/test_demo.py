"""`pipedoctor demo` on a fresh install prints the three seed diagnoses with their fixes."""

from __future__ import annotations

import json
from pathlib import Path

from pipedoctor.commands.demo import demo_snapshot_text

CONNECTION = "arn:aws:codeconnections:eu-west-2:123456789012:connection/7d3e1f2a-5b6c-4d8e-9f01-23456789abcd"


def test_demo_prints_the_three_seed_diagnoses_with_fixes(run_cli) -> None:
    code, out, _ = run_cli("demo", "--text")
    assert code == 0
    assert "cause: codebuild-role-missing-use-connection" in out
    assert '"codeconnections:UseConnection"' in out and CONNECTION in out
    assert "cause: dockerhub-pull-rate-limit" in out
    assert "public.ecr.aws/docker/library/node:21-alpine3.19" in out
    assert "cause: source-variable-empty-on-manual-run" in out
    assert "release*" in out
    assert "cause: ci-role-full-access-policy" in out
    assert "arn:aws:ecr:eu-west-2:123456789012:repository/myapp" in out


def test_demo_json_names_causes_and_a_policy_with_real_arns(tmp_path: Path, run_cli) -> None:
    snapshot_file = tmp_path / "demo.json"
    code, _, _ = run_cli("demo", "--export", str(snapshot_file))
    assert code == 0 and snapshot_file.read_text() == demo_snapshot_text()
    code, out, _ = run_cli("check", "--snapshot", str(snapshot_file), "--format", "json")
    assert code == 1  # high-severity findings
    diagnoses = json.loads(out)["diagnoses"]
    by_cause: dict[str, dict] = {}
    for diagnosis in diagnoses:  # the failure's diagnosis first, then the configuration check's
        by_cause.setdefault(diagnosis["cause"], diagnosis)
    use_connection = by_cause["codebuild-role-missing-use-connection"]
    assert use_connection["policy_fix"]["Statement"] == [
        {"Sid": "UseSourceConnection", "Effect": "Allow", "Action": ["codeconnections:UseConnection"], "Resource": CONNECTION}
    ]
    assert any("IAM:" in line and "denied" in line for line in use_connection["evidence"])
    full_access = next(
        d for d in diagnoses
        if d["rule"] == "ci-role-service-wildcard-policy" and "codebuild-build-myapp" in d["message"]
    )
    push = next(s for s in full_access["policy_fix"]["Statement"] if "ecr:PutImage" in s["Action"])
    assert push["Resource"] == "arn:aws:ecr:eu-west-2:123456789012:repository/myapp"
    assert any("billing-api" in line for line in full_access["evidence"])
    confidences = [d["confidence"] for d in diagnoses]
    assert confidences == sorted(confidences, reverse=True)


def test_check_fail_on_threshold_and_exit_zero(tmp_path: Path, run_cli) -> None:
    snapshot_file = tmp_path / "demo.json"
    run_cli("demo", "--export", str(snapshot_file))
    assert run_cli("check", "--snapshot", str(snapshot_file), "--fail-on", "critical")[0] == 1
    no_critical = ("--ignore", "ci-role-admin-equivalent-policy")
    assert run_cli("check", "--snapshot", str(snapshot_file), *no_critical, "--fail-on", "critical")[0] == 0
    assert run_cli("check", "--snapshot", str(snapshot_file), "--exit-zero")[0] == 0
    assert run_cli("check", "--snapshot", str(snapshot_file))[0] == 1
