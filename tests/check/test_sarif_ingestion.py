"""`check --format sarif` passes Microsoft's SARIF validator with GitHub's ingestion rules.

The validator (Sarif.Multitool, a native program shipped in the npm package) is installed once
into a cache folder under the system temp directory (reused by later runs; `.ci/run` installs it
there first). GitHub's rules GH1001-GH1018 are off by default in the validator: the test turns
every one of them on, so a result without a file location (GH1001) is an error. The test skips,
saying why, only when npm is missing or the package cannot be installed.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from pipedoctor.commands.demo import demo_snapshot_text
from tests.check.test_static_checks import write_repository

INSTALL_DIR = Path(tempfile.gettempdir()) / "pipedoctor-sarif-multitool"
GITHUB_RULES = [
    "GH1001.ProvideRequiredLocationProperties",
    "GH1002.InlineThreadFlowLocations",
    "GH1003.ProvideRequiredRegionProperties",
    "GH1004.ReviewArraysThatExceedConfigurableDefaults",
    "GH1005.LocationsMustBeRelativeUrisOrFilePaths",
    "GH1006.ProvideCheckoutPath",
    "GH1007.ProvideFullyFormattedMessageStrings",
    "GH1011.GhasReferenceFinalSchema",
    "GH1013.GhProvideRequiredSarifLogProperties",
    "GH1014.GhasProvideRequiredRunProperties",
    "GH1015.GhasProvideRequiredResultProperties",
    "GH1016.GhasProvideRequiredLocationProperties",
    "GH1017.GhasProvideRequiredPhysicalLocationProperties",
    "GH1018.GhasProvideToolDriver",
    "GH2012.GhasProvideRequiredReportingDescriptorProperties",
]


def _binary() -> Path:
    system = {"Linux": "linux", "Darwin": "darwin", "Windows": "win32"}.get(platform.system(), "")
    name = "Sarif.Multitool.exe" if system == "win32" else "Sarif.Multitool"
    return INSTALL_DIR / "node_modules" / "@microsoft" / f"sarif-multitool-{system}" / name


@pytest.fixture(scope="module")
def multitool(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The validator's program and a configuration turning GitHub's rules on, as errors."""
    binary = _binary()
    if not binary.is_file():
        if shutil.which("npm") is None:
            pytest.skip("npm is not available to install @microsoft/sarif-multitool")
        INSTALL_DIR.mkdir(exist_ok=True)
        done = subprocess.run(
            ["npm", "install", "--no-audit", "--no-fund", "--silent", "@microsoft/sarif-multitool"],
            cwd=INSTALL_DIR,
            check=False,
            capture_output=True,
            text=True,
            timeout=600,
        )
        if done.returncode != 0 or not binary.is_file():
            pytest.skip(f"@microsoft/sarif-multitool could not be installed: {done.stderr.strip()[-300:]}")
    if not os.access(binary, os.X_OK):
        binary.chmod(binary.stat().st_mode | 0o100)  # the package's postinstall may not have run
    try:
        subprocess.run([str(binary), "--version"], check=True, capture_output=True, timeout=120)
    except (OSError, subprocess.SubprocessError) as error:
        pytest.skip(f"the SARIF validator does not run on this machine: {error}")
    options = "\n".join(
        f'  <Properties Key="{rule}.Options">\n'
        '    <Property Key="RuleEnabled" Value="Error" Type="Driver.RuleEnabledState" />\n'
        "  </Properties>"
        for rule in GITHUB_RULES
    )
    config = tmp_path_factory.mktemp("multitool") / "github-rules.xml"
    config.write_text(f'<?xml version="1.0" encoding="utf-8"?>\n<Properties>\n{options}\n</Properties>\n')
    return binary, config


def validate(multitool: tuple[Path, Path], sarif: Path) -> list[str]:
    """Problems the validator reports for `sarif`: its errors and warnings, and its own failures
    (which the validator also reports as errors)."""
    binary, config = multitool
    report = sarif.with_suffix(".validation.sarif")
    report.unlink(missing_ok=True)
    done = subprocess.run(
        [str(binary), "validate", str(sarif), "--rule-kind", "Sarif;Gh", "--config", str(config),
         "--level", "Error;Warning", "--output", str(report)],
        check=False,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert report.is_file(), done.stdout + done.stderr
    run = json.loads(report.read_text(encoding="utf-8-sig"))["runs"][0]
    problems = [
        f"{r['ruleId']}: {r['message'].get('arguments') or r['message'].get('text')}"
        for r in run.get("results", [])
        if r.get("level", "warning") in ("error", "warning")
    ]
    problems += [
        f"{n.get('descriptor', {}).get('id', 'tool')}: {n['message']['text'][:200]}"
        for invocation in run.get("invocations", [])
        for n in invocation.get("toolExecutionNotifications", [])
        if n.get("level") == "error"
    ]
    if done.returncode != 0 and not problems:
        problems.append(f"exit {done.returncode}: {done.stdout[-300:]}")
    return problems


def test_check_sarif_of_a_repository_has_no_validation_errors(
    tmp_path: Path, run_cli, monkeypatch, multitool
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


def _check_snapshot_sarif(tmp_path: Path, run_cli, snapshot: dict) -> tuple[dict, Path]:
    path = tmp_path / "snapshot.json"
    path.write_text(json.dumps(snapshot))
    code, out, _ = run_cli("check", "--snapshot", str(path), "--format", "sarif")
    assert code == 1
    sarif = tmp_path / "check.sarif"
    sarif.write_text(out)
    return json.loads(out), sarif


def test_demo_sarif_passes_github_rules_with_aws_findings_as_notifications(
    tmp_path: Path, run_cli, multitool
) -> None:
    log, sarif = _check_snapshot_sarif(tmp_path, run_cli, json.loads(demo_snapshot_text()))
    run = log["runs"][0]
    # The Dockerfile is in the snapshot's repository files: a result on its line.
    [result] = [r for r in run["results"] if r["ruleId"] == "dockerfile-docker-hub-base-image"]
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "myapp.dockerfile"
    # The failed runs and the roles read from AWS: notifications naming rule and resource.
    notes = run["invocations"][0]["toolExecutionNotifications"]
    rule_ids = [rule["id"] for rule in run["tool"]["driver"]["rules"]]
    noted = {rule_ids[n["associatedRule"]["index"]] for n in notes}
    assert {"codebuild-role-missing-use-connection", "ci-role-admin-equivalent-policy"} <= noted
    assert validate(multitool, sarif) == []

    # What GH1001 catches: the same finding as a result with only a logical location.
    run["results"].append(
        {
            "ruleId": "ci-role-admin-equivalent-policy",
            "message": {"text": "known only from AWS"},
            "locations": [notes[0]["locations"][0]],
        }
    )
    sarif.write_text(json.dumps(log))
    assert validate(multitool, sarif)


def test_live_only_sarif_has_no_result_without_a_file(tmp_path: Path, run_cli, multitool) -> None:
    """What `check --pipeline` sees: the pipeline from AWS and no repository file."""
    snapshot = json.loads(demo_snapshot_text())
    snapshot["repo_files"] = []
    log, sarif = _check_snapshot_sarif(tmp_path, run_cli, snapshot)
    run = log["runs"][0]
    assert run["results"] == []
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert len(notes) >= 4 and all(n["locations"][0]["logicalLocations"] for n in notes)
    assert validate(multitool, sarif) == []
