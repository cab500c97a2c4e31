"""The README's commands work from a clean checkout: `make demo` installs and prints the diagnoses."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT


def test_make_demo_from_a_fresh_clone(tmp_path: Path) -> None:
    if not (REPO_ROOT / ".git").exists() or not shutil.which("git") or not shutil.which("make"):
        pytest.skip("needs a git checkout, git and make")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "--quiet", str(REPO_ROOT), str(clone)], check=True)
    env = {key: value for key, value in os.environ.items() if key not in ("VIRTUAL_ENV", "PYTHONPATH")}
    result = subprocess.run(
        ["make", "demo"], cwd=clone, env=env, capture_output=True, text=True, timeout=900, check=False
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert (clone / ".venv" / "bin" / "pipedoctor").is_file()
    for cause in (
        "codebuild-role-missing-use-connection",
        "dockerhub-pull-rate-limit",
        "source-variable-empty-on-manual-run",
    ):
        assert f"cause: {cause}" in result.stdout
    assert "public.ecr.aws/docker/library/node:21-alpine3.19" in result.stdout
