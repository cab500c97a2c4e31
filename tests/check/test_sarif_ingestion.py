"""`check --format sarif` passes Microsoft's SARIF validator with GitHub's ingestion rules.

The validator is installed from npm once into a cache folder under the system temp directory
(reused by later runs); the test skips only when npm is not available.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from tests.check.test_static_checks import write_repository

INSTALL_DIR = Path(tempfile.gettempdir()) / "pipedoctor-sarif-multitool"


@pytest.fixture(scope="module")
def multitool() -> Path:
    if shutil.which("npm") is None or shutil.which("npx") is None:
        pytest.skip("npm is not available")
    INSTALL_DIR.mkdir(exist_ok=True)
    if not (INSTALL_DIR / "node_modules" / ".bin" / "sarif-multitool").exists():
        subprocess.run(
            ["npm", "install", "--no-audit", "--no-fund", "--silent", "@microsoft/sarif-multitool"],
            cwd=INSTALL_DIR,
            check=True,
            capture_output=True,
            timeout=600,
        )
    return INSTALL_DIR


def validate(multitool: Path, sarif: Path) -> list[dict]:
    """Problems the validator reports (level error or warning) for `sarif`."""
    report = sarif.with_suffix(".validation.sarif")
    report.unlink(missing_ok=True)
    # npx hands the arguments to a shell, so the lists are space-separated words.
    done = subprocess.run(
        [
            "npx",
            "sarif-multitool",
            "validate",
            str(sarif),
            "--rule-kind",
            "Sarif Gh",
            "--level",
            "Error Warning",
            "--output",
            str(report),
        ],
        check=False,
        cwd=multitool,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert report.is_file(), done.stdout + done.stderr
    results = json.loads(report.read_text())["runs"][0].get("results", [])
    return [r for r in results if r.get("level", "warning") in ("error", "warning")]


def test_check_sarif_has_no_validation_errors(
    tmp_path: Path, run_cli, monkeypatch, multitool: Path
) -> None:
    repository = tmp_path / "repo"
    repository.mkdir()
    write_repository(repository)
    (repository / "Dockerfile").write_text("FROM node:20\n")
    monkeypatch.chdir(repository)
    code, out, _ = run_cli("check", ".", "--format", "sarif", "--exit-zero")
    assert code == 0
    log = json.loads(out)
    assert len(log["runs"][0]["results"]) >= 5
    assert all("physicalLocation" in r["locations"][0] for r in log["runs"][0]["results"])
    sarif = tmp_path / "check.sarif"
    sarif.write_text(out)
    assert validate(multitool, sarif) == []

    # The validator does report problems: the same log with a location stripped of its region.
    del log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]
    broken = tmp_path / "broken.sarif"
    broken.write_text(json.dumps(log))
    assert validate(multitool, broken)
