"""One snapshot-or-live behaviour: with --snapshot, --pipeline narrows the snapshot; `-` is stdin;
`-o` writes the main output; binary output never goes to a terminal."""

from __future__ import annotations

import io
import json
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from pipedoctor.app.snapshots import restrict_to_pipelines
from pipedoctor.commands.demo import demo_snapshot_text
from pipedoctor.errors import UserError
from pipedoctor.model import dumps, loads


def two_pipelines() -> str:
    """The demo with a second pipeline using its own project and role."""
    snapshot = loads(demo_snapshot_text())
    (pipeline,) = snapshot.pipelines
    (project,) = snapshot.projects
    role = snapshot.role(project.service_role)
    other_role = replace(role, name="other-role", arn=role.arn.replace(role.name, "other-role"))
    other_project = replace(project, name="other-project", arn=project.arn + "-other", service_role=other_role.arn)
    stages = [
        replace(stage, actions=[
            replace(action, configuration={**action.configuration, "ProjectName": "other-project"})
            if action.provider == "CodeBuild" else action
            for action in stage.actions
        ])
        for stage in pipeline.stages
    ]
    other = replace(pipeline, name="other", arn=pipeline.arn + "-other", stages=stages)
    snapshot.pipelines.append(other)
    snapshot.projects.append(other_project)
    snapshot.roles.append(other_role)
    return dumps(snapshot)


def test_narrowing_keeps_one_pipeline_and_what_only_it_uses() -> None:
    snapshot = loads(two_pipelines())
    narrowed = restrict_to_pipelines(snapshot, ["other"])
    assert [p.name for p in narrowed.pipelines] == ["other"]
    assert narrowed.executions == [] and narrowed.action_executions == []
    assert [p.name for p in narrowed.projects] == ["other-project"]
    assert "other-role" in {r.name for r in narrowed.roles}
    assert "codebuild-build-myapp-service-role" not in {r.name for r in narrowed.roles}
    demo = restrict_to_pipelines(snapshot, ["deploy-myapp"])
    assert len(demo.executions) == 3 and [p.name for p in demo.projects] == ["build-myapp"]
    assert "other-role" not in {r.name for r in demo.roles}
    with pytest.raises(UserError, match="closest: other"):
        restrict_to_pipelines(snapshot, ["othr"])


def test_check_with_snapshot_and_pipeline_reports_that_pipeline(run_cli, tmp_path: Path) -> None:
    path = tmp_path / "two.json"
    path.write_text(two_pipelines())
    _, everything, _ = run_cli("check", "--snapshot", str(path), "--format", "json", "--exit-zero")
    code, other, _ = run_cli(
        "check", "--snapshot", str(path), "--pipeline", "other", "--format", "json", "--exit-zero"
    )
    assert code == 0
    locations = {d["location"] for d in json.loads(other)["diagnoses"]}
    assert locations and not any(location.startswith("deploy-myapp / ") for location in locations)
    assert any(d["location"].startswith("deploy-myapp / ") for d in json.loads(everything)["diagnoses"])


def stdin_of(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode("utf-8"))))


def test_snapshot_from_stdin(run_cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    demo = tmp_path / "demo.json"
    demo.write_text(demo_snapshot_text())
    _, from_file, _ = run_cli("check", "--snapshot", str(demo), "--exit-zero")
    stdin_of(monkeypatch, demo_snapshot_text())
    code, from_stdin, _ = run_cli("check", "--snapshot", "-", "--exit-zero")
    assert code == 0 and from_stdin == from_file


def test_policy_lint_reads_stdin(run_cli, monkeypatch: pytest.MonkeyPatch) -> None:
    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    stdin_of(monkeypatch, json.dumps(policy))
    code, out, err = run_cli("policy", "lint", "-")
    assert code == 1 and out.startswith("-:") and "1 file(s)" in err


def test_check_writes_its_main_output_with_dash_o(run_cli, tmp_path: Path) -> None:
    demo = tmp_path / "demo.json"
    demo.write_text(demo_snapshot_text())
    target = tmp_path / "out.sarif"
    code, out, _ = run_cli(
        "check", "--snapshot", str(demo), "--format", "sarif", "-o", str(target),
        "--output", f"json={tmp_path / 'out.json'}", "--exit-zero",
    )
    assert code == 0 and out == ""
    assert json.loads(target.read_text())["version"] == "2.1.0"
    assert "diagnoses" in json.loads((tmp_path / "out.json").read_text())


def test_png_is_never_written_to_a_terminal(run_cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    demo = tmp_path / "demo.json"
    demo.write_text(demo_snapshot_text())
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    code, out, err = run_cli("graph", "--snapshot", str(demo), "--format", "png")
    assert code == 2 and out == ""
    assert "binary output would go to the terminal" in err


def test_report_redacts_accounts_on_request(run_cli, tmp_path: Path) -> None:
    demo = tmp_path / "demo.json"
    demo.write_text(demo_snapshot_text())
    page = tmp_path / "report.html"
    assert run_cli("report", "--snapshot", str(demo), "-o", str(page), "--redact-accounts")[0] == 0
    text = page.read_text()
    assert "123456789012" not in text and "deploy-myapp" in text


def test_graph_reads_authorization_details_from_stdin(
    run_cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    snapshot = loads(demo_snapshot_text())
    details = {
        "RoleDetailList": [
            {
                "RoleName": role.name,
                "RoleId": "AROA" + str(index),
                "Arn": role.arn,
                "Path": "/",
                "AssumeRolePolicyDocument": role.trust_policy,
                "RolePolicyList": [],
                "AttachedManagedPolicies": [],
            }
            for index, role in enumerate(snapshot.roles)
        ],
        "UserDetailList": [],
        "GroupDetailList": [],
        "Policies": [],
    }
    path = tmp_path / "details.json"
    path.write_text(json.dumps(details))
    code, from_file, _ = run_cli("graph", "--authorization-details", str(path))
    assert code == 0 and "role" in from_file
    stdin_of(monkeypatch, json.dumps(details))
    code, from_stdin, _ = run_cli("graph", "--authorization-details", "-")
    assert code == 0 and from_stdin == from_file
    stdin_of(monkeypatch, "")
    code, _, err = run_cli("graph", "--snapshot", "-", "--authorization-details", "-")
    assert code == 2 and "only one input can be read from stdin" in err

