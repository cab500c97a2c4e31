"""`pipedoctor check PATH`: repository Dockerfiles and buildspecs, with file and line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest


def findings(run_cli, *args: str) -> tuple[int, list[dict]]:
    code, out, err = run_cli("check", *args, "--format", "json")
    assert code in (0, 1), err
    return code, json.loads(out)["diagnoses"]


def test_docker_hub_from_and_broken_buildspec(tmp_path: Path, run_cli) -> None:
    (tmp_path / "svc").mkdir()
    (tmp_path / "svc" / "Dockerfile").write_text("# base\nFROM python:3.12-slim\nFROM public.ecr.aws/docker/library/nginx:1\n")
    (tmp_path / "buildspec.yml").write_text("version: 0.2\nphases:\n  build:\n    commands:\n   - x\n  - y\n")
    (tmp_path / "node_modules").mkdir()
    (tmp_path / "node_modules" / "Dockerfile").write_text("FROM ubuntu\n")
    code, found = findings(run_cli, str(tmp_path))
    assert code == 1  # the invalid buildspec is high severity
    by_rule = {f["rule"]: f for f in found}
    docker = by_rule["dockerfile-docker-hub-base-image"]
    assert docker["location"] == f"{tmp_path.as_posix()}/svc/Dockerfile:2"
    assert "public.ecr.aws/docker/library/python:3.12-slim" in docker["fix"]
    assert by_rule["buildspec-invalid-yaml"]["location"].startswith(f"{tmp_path.as_posix()}/buildspec.yml:")
    assert not any("node_modules" in f["location"] for f in found)


def test_missing_path_is_a_usage_error(tmp_path: Path, run_cli) -> None:
    code, _, err = run_cli("check", str(tmp_path / "nope"))
    assert code == 2 and "no such file or folder" in err


@pytest.mark.parametrize("folder", ["dockerfiles", "buildspecs"])
def test_corpus_files_never_crash_and_point_at_real_lines(corpus: Path, run_cli, folder: str) -> None:
    code, found = findings(run_cli, str(corpus / folder), "--exit-zero")
    assert code == 0
    if folder == "dockerfiles":  # many real Dockerfiles start FROM a Docker Hub image
        assert any(f["rule"] == "dockerfile-docker-hub-base-image" for f in found)
    for finding in found:
        path, _, line = finding["location"].rpartition(":")
        lines = Path(path).read_text(errors="replace").splitlines()
        assert 1 <= int(line) <= max(len(lines), 1)
        if finding["rule"] == "dockerfile-docker-hub-base-image":
            assert lines[int(line) - 1].lstrip().upper().startswith("FROM")
