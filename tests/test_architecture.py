"""The boundaries in DESIGN.md: only collect/ talks to AWS, only tui/ imports textual."""

from __future__ import annotations

import subprocess
import sys

import pytest

from pipedoctor.commands.demo import demo_snapshot_text
from tests.conftest import REPO_ROOT


def test_import_contracts_hold() -> None:
    lint_imports = [sys.executable, "-c", "from importlinter.cli import lint_imports_command; lint_imports_command()"]
    result = subprocess.run(lint_imports, cwd=REPO_ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "KEPT" in result.stdout


@pytest.mark.parametrize("mode", ["snapshot", "repository"])
def test_check_never_imports_the_sdk_or_tui(tmp_path, mode: str) -> None:
    snapshot = tmp_path / "demo.json"
    snapshot.write_text(demo_snapshot_text())
    (tmp_path / "Dockerfile").write_text("FROM node:20\n")
    target = ["--snapshot", str(snapshot)] if mode == "snapshot" else [str(tmp_path)]
    probe = (
        "import sys\n"
        "from pipedoctor.cli import main\n"
        f"code = main(['check', *{target!r}, '--exit-zero'])\n"
        "heavy = sorted(m for m in ('boto3', 'botocore', 'textual', 'networkx', 'duckdb') if m in sys.modules)\n"
        "print('HEAVY', heavy, code)\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=False)
    assert "HEAVY [] 0" in result.stdout, result.stdout[-500:] + result.stderr[-2000:]
