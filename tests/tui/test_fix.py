"""The TUI's `x` on a finding with a fix: the diff in a dialog, written only after `y`."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipedoctor.model import RepoFile, Snapshot
from pipedoctor.tui.screens.diagnosis import DiagnosisScreen
from pipedoctor.tui.screens.fix import FixScreen
from tests.tui.conftest import SIZE, settle, status_text

pytestmark = pytest.mark.asyncio

DOCKERFILE = "# the app\nFROM node:24-alpine\nRUN npm ci\n"


def repository_snapshot(tmp_path: Path, monkeypatch) -> Snapshot:
    (tmp_path / "Dockerfile").write_text(DOCKERFILE)
    monkeypatch.chdir(tmp_path)
    return Snapshot(origin="repository", repo_files=[RepoFile("Dockerfile", DOCKERFILE)])


async def test_x_shows_the_diff_and_y_writes_it(make_app, tmp_path: Path, monkeypatch) -> None:
    app = make_app(repository_snapshot(tmp_path, monkeypatch))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, "a", "enter")
        assert isinstance(app.screen, DiagnosisScreen)
        await settle(pilot, "x")
        assert isinstance(app.screen, FixScreen)
        assert "+FROM public.ecr.aws/docker/library/node:24-alpine" in app.screen.diff
        assert (tmp_path / "Dockerfile").read_text() == DOCKERFILE  # nothing written yet
        await settle(pilot, "y")
        assert isinstance(app.screen, DiagnosisScreen) and "fixed Dockerfile" in status_text(pilot)
    assert (tmp_path / "Dockerfile").read_text() == DOCKERFILE.replace("node:24", "public.ecr.aws/docker/library/node:24")


async def test_esc_leaves_the_files_and_a_finding_without_fix_says_so(make_app, tmp_path: Path, monkeypatch) -> None:
    app = make_app(repository_snapshot(tmp_path, monkeypatch))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, "a", "enter", "x", "escape")
        assert isinstance(app.screen, DiagnosisScreen) and status_text(pilot) == "fix not applied"
    assert (tmp_path / "Dockerfile").read_text() == DOCKERFILE
    demo = make_app()
    async with demo.run_test(size=SIZE) as pilot:
        await settle(pilot, "a", "down", "enter", "x")  # the UseConnection diagnosis of a failed run
        assert "has no fix pipedoctor can write" in status_text(pilot)
