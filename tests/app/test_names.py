"""A name that names nothing is an error (exit 2, one line) with the closest known names."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipedoctor.commands.demo import demo_snapshot_text

EXECUTION = "b7e2c0d4-6a1f-4c3e-9d2b-0f5a8e7c1d93"
BUILD_ROLE = "codebuild-build-myapp-service-role"


@pytest.fixture
def demo(tmp_path: Path) -> str:
    path = tmp_path / "demo.json"
    path.write_text(demo_snapshot_text())
    return str(path)


def one_error_line(run_cli, *argv: str) -> str:
    code, out, err = run_cli(*argv)
    assert code == 2 and out == ""
    lines = [line for line in err.splitlines() if not line.startswith("graph: ")]
    assert len(lines) == 1 and lines[0].startswith("pipedoctor: error: "), err
    return lines[0]


@pytest.mark.parametrize("command", ["check", "diagnose", "report", "policy"])
def test_a_pipeline_the_snapshot_lacks(run_cli, demo: str, tmp_path: Path, command: str) -> None:
    argv = {
        "check": ["check"],
        "diagnose": ["diagnose"],
        "report": ["report", "-o", str(tmp_path / "r.html")],
        "policy": ["policy", "generate", "--role", BUILD_ROLE],
    }[command]
    line = one_error_line(run_cli, *argv, "--snapshot", demo, "--pipeline", "deploy-myap")
    assert "pipeline 'deploy-myap' is not in" in line and "deploy-myapp" in line


def test_an_execution_the_snapshot_lacks(run_cli, demo: str) -> None:
    line = one_error_line(run_cli, "diagnose", "--snapshot", demo, "--execution", EXECUTION[:-1] + "4")
    assert "execution " in line and f"closest: {EXECUTION}" in line


def test_a_role_the_snapshot_lacks(run_cli, demo: str) -> None:
    line = one_error_line(run_cli, "policy", "generate", "--snapshot", demo, "--role", "codebuild-build-myap")
    assert f"closest: {BUILD_ROLE}" in line


def test_a_rule_id_with_a_typo(run_cli) -> None:
    line = one_error_line(run_cli, "rules", "show", "dockerhub-pull-rate-limt")
    assert "closest: dockerhub-pull-rate-limit" in line


def test_a_resource_that_is_not_an_arn(run_cli, demo: str) -> None:
    line = one_error_line(run_cli, "graph", "--snapshot", demo, "who-can", "ecr:PutImage", "nope")
    assert "'nope' is not an ARN" in line


def test_a_principal_the_graph_lacks(run_cli, demo: str) -> None:
    line = one_error_line(run_cli, "graph", "--snapshot", demo, "what-can", BUILD_ROLE + "x")
    assert "is not in the graph" in line and BUILD_ROLE in line


def test_known_names_still_answer(run_cli, demo: str) -> None:
    code, out, _ = run_cli("diagnose", "--snapshot", demo, "--pipeline", "deploy-myapp", "--execution", EXECUTION)
    assert code == 0 and EXECUTION in out
    code, out, _ = run_cli("graph", "--snapshot", demo, "who-can", "ecr:PutImage", "*")
    assert code == 0 and "principal(s) can ecr:PutImage" in out
