"""`check --pipeline` on a live (moto) pipeline gets the configuration checks, with no repository
files: the model the checks read holds what was collected from AWS."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pipedoctor.app import live as collect_command
from pipedoctor.model import load
from tests.collect.seed_world import (
    BUILD_ROLE,
    EXPECTED_CAUSES,
    IMAGE_PROJECT,
    PIPELINE,
    REGION,
    build_seed_world,
    connection_reply,
)
from tests.collect.stubs import StubbedFactory


@pytest.fixture(scope="module")
def seed_world(moto_endpoint: str) -> str:
    build_seed_world(moto_endpoint)
    return moto_endpoint


@pytest.fixture
def live(monkeypatch: pytest.MonkeyPatch, seed_world: str) -> None:
    """The CLI collects from moto; CodeConnections (which moto lacks) from a Stubber."""
    factory = StubbedFactory(seed_world, connection_reply())
    monkeypatch.setattr(collect_command, "client_factory", lambda session, url: factory)


def _check(run_cli: Any, *arguments: str) -> tuple[int, list[dict[str, Any]]]:
    code, out, err = run_cli("check", *arguments, "--format", "json", "--fail-on", "critical")
    assert code in (0, 1), err
    return code, json.loads(out)["diagnoses"]


def test_live_pipeline_gets_every_configuration_finding(run_cli: Any, live: None) -> None:
    _, findings = _check(run_cli, "--pipeline", PIPELINE, "--region", REGION)

    assert EXPECTED_CAUSES <= {f["cause"] for f in findings}
    privileged = next(f for f in findings if f["rule"] == "static-docker-without-privileged-mode")
    # Known only from AWS: the finding points at the project's ARN and says where it came from.
    assert privileged["location"].endswith(f":project/{IMAGE_PROJECT}")
    assert privileged["location"].startswith("arn:aws:codebuild:")
    assert any("read from AWS" in line for line in privileged["evidence"])
    missing = next(f for f in findings if f["cause"] == "codebuild-role-missing-use-connection")
    assert BUILD_ROLE in missing["message"]


def test_tui_shows_the_live_findings(
    run_cli: Any, live: None, tmp_path: Path
) -> None:
    from pipedoctor.tui.app import analyse
    from pipedoctor.tui.data import SnapshotView, finding_key

    target = tmp_path / "live.json"
    code, _, err = run_cli(
        "collect", "--pipeline", PIPELINE, "--region", REGION, "-o", str(target), "-q"
    )
    assert code == 0, err
    snapshot = load(target)
    assert snapshot.repo_files == []
    view = SnapshotView(snapshot, analyse(snapshot))

    assert EXPECTED_CAUSES <= {finding.cause for finding in view.findings}
    for finding in view.findings:
        assert view.finding(finding_key(finding)) is not None  # each one can be opened
