"""check settings: select/ignore by prefix, pyproject/.pipedoctor.toml, baseline with reasons."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

DOCKERFILE = "FROM python:3.12-slim\n"
BROKEN_BUILDSPEC = "version: 0.2\nphases:\n  build:\n    commands:\n   - x\n  - y\n"


@pytest.fixture
def repo(tmp_path: Path, monkeypatch) -> Path:
    (tmp_path / ".git").mkdir()  # settings lookup stops at the repository root
    (tmp_path / "Dockerfile").write_text(DOCKERFILE)
    (tmp_path / "buildspec.yml").write_text(BROKEN_BUILDSPEC)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def rules_found(run_cli, *args: str) -> tuple[int, set[str]]:
    code, out, err = run_cli("check", *args, "--format", "json")
    assert code in (0, 1), err
    return code, {d["rule"] for d in json.loads(out)["diagnoses"]}


def test_select_and_ignore_by_prefix(repo: Path, run_cli) -> None:
    assert rules_found(run_cli)[1] == {"dockerfile-docker-hub-base-image", "buildspec-invalid-yaml"}
    assert rules_found(run_cli, "--select", "dockerfile-")[1] == {"dockerfile-docker-hub-base-image"}
    code, found = rules_found(run_cli, "--ignore", "buildspec,ci-role")
    assert found == {"dockerfile-docker-hub-base-image"} and code == 1  # high: fails at the default fail-on


def test_pyproject_settings_apply_and_cli_overrides_them(repo: Path, run_cli) -> None:
    (repo / "pyproject.toml").write_text('[tool.pipedoctor]\nignore = ["buildspec"]\nfail-on = "medium"\n')
    code, found = rules_found(run_cli)
    assert found == {"dockerfile-docker-hub-base-image"} and code == 1
    assert rules_found(run_cli, "--fail-on", "critical")[0] == 0  # the command line wins


def test_dot_pipedoctor_toml_wins_over_pyproject(repo: Path, run_cli) -> None:
    (repo / "pyproject.toml").write_text('[tool.pipedoctor]\nignore = ["buildspec"]\n')
    (repo / ".pipedoctor.toml").write_text('select = ["buildspec"]\n')
    assert rules_found(run_cli)[1] == {"buildspec-invalid-yaml"}


def test_unknown_setting_is_one_clear_error(repo: Path, run_cli) -> None:
    (repo / ".pipedoctor.toml").write_text('colour = "red"\n')
    code, out, err = run_cli("check")
    assert code == 2 and out == "" and "unknown setting 'colour'" in err


def test_baseline_suppresses_accepted_findings_only(repo: Path, run_cli) -> None:
    baseline = repo / "baseline.json"
    code, _, err = run_cli("check", "--write-baseline", str(baseline))
    assert code == 0 and "accepted 2 finding(s)" in err
    data = json.loads(baseline.read_text())
    data["accepted"] = [e for e in data["accepted"] if e["rule"] == "buildspec-invalid-yaml"]
    baseline.write_text(json.dumps(data))
    code, found = rules_found(run_cli, "--baseline", str(baseline))
    assert found == {"dockerfile-docker-hub-base-image"} and code == 1
    (repo / "Dockerfile").write_text("# moved down a line\n" + DOCKERFILE)  # still the same finding
    data["accepted"] = json.loads(baseline.read_text())["accepted"] + [
        {"key": "dockerfile-docker-hub-base-image|Dockerfile:library/python:3.12-slim", "reason": "pinned"}
    ]
    baseline.write_text(json.dumps(data))
    assert rules_found(run_cli, "--baseline", str(baseline))[1] == set()


def test_baseline_entries_need_a_reason(repo: Path, run_cli) -> None:
    baseline = repo / "baseline.json"
    baseline.write_text(json.dumps({"kind": "pipedoctor-baseline", "accepted": [{"key": "x|y", "reason": ""}]}))
    code, _, err = run_cli("check", "--baseline", str(baseline))
    assert code == 2 and "non-empty reason" in err
