"""From "my build is red" to the fix: at most three keys from launch, every key visible.

Run on the demo snapshot file, as `pipedoctor tui --snapshot src/pipedoctor/demo/demo-snapshot.json`.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from textual.widgets._footer import FooterKey

import pipedoctor.demo
from pipedoctor.model import load
from pipedoctor.tui.app import Source, analyse
from pipedoctor.tui.screens.diagnosis import DiagnosisScreen
from pipedoctor.tui.screens.execution import ExecutionScreen
from pipedoctor.tui.screens.log import LogScreen
from pipedoctor.tui.screens.pipeline import PipelineScreen
from pipedoctor.tui.widgets.footer import KeyFooter
from pipedoctor.tui.widgets.table import RowTable
from tests.tui.conftest import USE_CONNECTION, header_text, settle, static_text

pytestmark = pytest.mark.asyncio

DEMO_FILE = Path(pipedoctor.demo.__file__).with_name("demo-snapshot.json")
NEWEST_FAILED = "b7e2c0d4-6a1f-4c3e-9d2b-0f5a8e7c1d93"
FIX = "Add this statement to the CodeBuild service role"
SIZES = [(160, 45), (80, 24)]


@pytest.fixture
def demo_file_app(make_app):
    def make():
        return make_app(load(DEMO_FILE), source=Source("snapshot", path=str(DEMO_FILE)))

    return make


def footer_keys(app) -> dict[str, bool]:
    """Footer key -> whether it is drawn entirely inside the terminal."""
    width = app.size.width
    return {
        key.key_display: key.region.width > 0 and key.region.right <= width
        for key in app.screen.query_one(KeyFooter).query(FooterKey)
    }


async def assert_on_the_fix(pilot) -> None:
    app = pilot.app
    assert isinstance(app.screen, DiagnosisScreen)
    assert app.screen.finding is not None and app.screen.finding.cause == USE_CONNECTION
    assert f"{NEWEST_FAILED[:8]} › {USE_CONNECTION}" in header_text(pilot)
    # The fix is on the first page (above the status line and footer), not below the evidence.
    assert FIX in static_text(pilot, "#diagnosis")
    assert app.screen.query_one("#diagnosis").region.bottom <= app.size.height - 2


@pytest.mark.parametrize("size", SIZES)
async def test_enter_three_times_reaches_the_fix(demo_file_app, size) -> None:
    app = demo_file_app()
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await settle(pilot, "enter")
        assert isinstance(app.screen, PipelineScreen)
        assert app.screen.query_one("#executions", RowTable).cursor_key == NEWEST_FAILED
        await settle(pilot, "enter")
        assert isinstance(app.screen, ExecutionScreen)
        actions = app.screen.query_one("#actions", RowTable)
        assert actions.cursor_row is not None and actions.cursor_row.failed
        assert app.focused is actions
        await settle(pilot, "enter")
        await assert_on_the_fix(pilot)


@pytest.mark.parametrize("size", SIZES)
async def test_d_shown_in_the_footer_opens_the_newest_failure(demo_file_app, size) -> None:
    app = demo_file_app()
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        assert footer_keys(app)["d"], footer_keys(app)
        assert "d opens the newest failure's diagnosis" in app.status.plain
        await settle(pilot, "d")
        await assert_on_the_fix(pilot)
        # Back along the breadcrumb: the failed action, then the failed execution, are selected.
        await settle(pilot, "escape")
        assert isinstance(app.screen, ExecutionScreen)
        assert app.screen.query_one("#actions", RowTable).cursor_row.failed
        await settle(pilot, "escape")
        assert isinstance(app.screen, PipelineScreen)
        assert app.screen.query_one("#executions", RowTable).cursor_key == NEWEST_FAILED


@pytest.mark.parametrize("size", SIZES)
async def test_help_and_quit_are_always_in_the_footer(demo_file_app, size) -> None:
    app = demo_file_app()
    async with app.run_test(size=size) as pilot:
        for keys in [(), ("enter",), ("enter",), ("enter",), ("l",)]:
            await settle(pilot, *keys)
            shown = footer_keys(app)
            assert shown.get("?") and shown.get("q"), (type(app.screen).__name__, shown)


async def test_enter_on_an_action_without_diagnosis_opens_its_log_or_says_why(
    demo_file_app,
) -> None:
    app = demo_file_app()
    async with app.run_test(size=SIZES[0]) as pilot:
        await settle(pilot, "enter", "enter", "up")  # Source.Source: succeeded, no build
        before = app.screen
        await settle(pilot, "enter")
        assert app.screen is before
        assert "this action has no build log in the snapshot" in app.status.plain


async def test_enter_on_the_diagnosis_brings_back_the_fix(demo_file_app) -> None:
    app = demo_file_app()
    async with app.run_test(size=SIZES[1]) as pilot:
        await settle(pilot, "d")
        detail = app.screen.query_one("#detail")
        await settle(pilot, "end")
        assert detail.scroll_y > 0
        await settle(pilot, "enter")
        assert detail.scroll_y == 0
        assert "the fix is above: y copies it" in app.status.plain
        await settle(pilot, "l")
        assert isinstance(app.screen, LogScreen)


async def test_d_pressed_while_analysing_opens_the_failure_when_the_analysis_is_in(
    make_app,
) -> None:
    release = threading.Event()

    def slow_analysis(snapshot):
        release.wait(10)
        return analyse(snapshot)

    app = make_app(load(DEMO_FILE), analyser=slow_analysis)
    async with app.run_test(size=SIZES[0]) as pilot:
        await pilot.press("d")
        assert not app.view.analysed
        assert "analysing: the newest failure opens" in app.status.plain
        release.set()
        await settle(pilot)
        await assert_on_the_fix(pilot)


async def test_d_without_a_failed_execution_says_so(make_app) -> None:
    snapshot = load(DEMO_FILE)
    for execution in snapshot.executions:
        execution.status = "Succeeded"
    app = make_app(snapshot)
    async with app.run_test(size=SIZES[0]) as pilot:
        await settle(pilot)
        await settle(pilot, "d")
        assert "no failed execution in the snapshot" in app.status.plain
        assert not isinstance(app.screen, DiagnosisScreen)


async def test_enter_on_log_lines_policy_rows_and_tree_lines_says_something(
    demo_file_app,
) -> None:
    app = demo_file_app()
    async with app.run_test(size=SIZES[0]) as pilot:
        await settle(pilot)
        await settle(pilot, "d", "l", "enter")
        assert "line 4: y copies it" in app.status.plain
        await settle(pilot, "escape", "p")
        diff = app.screen.query_one("#diff", RowTable)
        diff.focus()
        assert diff.move_to("ecr:DeleteRepository")
        await settle(pilot, "enter")
        assert "ecr:DeleteRepository is dropped by the least-privilege policy" in app.status.plain
        await settle(pilot, "escape", "escape", "escape")
        assert isinstance(app.screen, PipelineScreen)
        tree = app.screen.query_one("#stages")
        tree.focus()
        await settle(pilot, "down", "down", "down", "enter")  # Source › Source: no role under it
        assert "enter on a role line" in app.status.plain
