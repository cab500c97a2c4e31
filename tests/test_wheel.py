"""The wheel a user installs works on its own: built from the checkout, installed from the lock into
a fresh venv outside the checkout, with its rules and demo data bundled."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT


def run(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key not in ("VIRTUAL_ENV", "PYTHONPATH")}
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=600, check=False)


@pytest.fixture(scope="module")
def installed_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("wheel")
    built = run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation", "-w", str(work / "dist"), str(REPO_ROOT)], cwd=work)
    assert built.returncode == 0, built.stderr[-2000:]
    (wheel,) = (work / "dist").glob("pipedoctor-*.whl")
    venv = work / "venv"
    assert run([sys.executable, "-m", "venv", str(venv)], cwd=work).returncode == 0
    python = str(venv / "bin" / "python")
    lock = REPO_ROOT / "requirements" / "runtime.txt"
    for step in (["--require-hashes", "--no-deps", "-r", str(lock)], ["--no-deps", str(wheel)]):
        installed = run([python, "-m", "pip", "install", "--quiet", *step], cwd=work)
        assert installed.returncode == 0, installed.stderr[-2000:]
    checked = run([python, "-m", "pip", "check"], cwd=work)
    assert checked.returncode == 0, checked.stdout
    return venv / "bin" / "pipedoctor"


def test_the_wheel_runs_the_demo(installed_wheel: Path, tmp_path: Path) -> None:
    result = run([str(installed_wheel), "demo", "--text"], cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "cause: codebuild-role-missing-use-connection" in result.stdout
    assert "public.ecr.aws/docker/library/node:21-alpine3.19" in result.stdout


def test_the_wheel_bundles_its_rules(installed_wheel: Path, tmp_path: Path) -> None:
    result = run([str(installed_wheel), "rules", "list"], cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    listed = {line.split()[0] for line in result.stdout.splitlines() if line.strip()}
    assert listed == {path.stem for path in (REPO_ROOT / "rules").glob("*.yaml")}


def test_the_wheel_checks_a_repository(installed_wheel: Path, tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text("FROM node:20-alpine\nRUN npm ci\n", encoding="utf-8")
    result = run([str(installed_wheel), "check", ".", "--format", "json", "--exit-zero"], cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    (finding,) = json.loads(result.stdout)["diagnoses"]
    assert finding["rule"] == "dockerfile-docker-hub-base-image" and finding["location"] == "Dockerfile:1"
    assert "public.ecr.aws/docker/library/node:20-alpine" in finding["fix"]
