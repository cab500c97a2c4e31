"""The app-wide keys: filter, failures only, jump, help, palette, copy, console, save, quit."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from textual.command import CommandPalette

from pipedoctor.model import PipelineExecution, load
from pipedoctor.tui.app import Source
from pipedoctor.tui.screens.choose import ChooseScreen
from pipedoctor.tui.screens.diagnosis import DiagnosisScreen
from pipedoctor.tui.screens.execution import ExecutionScreen
from pipedoctor.tui.screens.help import HelpScreen
from pipedoctor.tui.screens.pipeline import PipelineScreen
from pipedoctor.tui.screens.pipelines import PipelinesScreen
from pipedoctor.tui.screens.role import RoleScreen
from tests.tui.conftest import (
    BUILD_ROLE,
    CONNECTION,
    SIZE,
    answer,
    demo_snapshot,
    header_text,
    rendered,
    settle,
    table_text,
)

pytestmark = pytest.mark.asyncio


def two_pipelines():
    snapshot = demo_snapshot()
    green = snapshot.pipelines[0].__class__(
        name="green-app",
        arn="arn:aws:codepipeline:eu-west-2:123456789012:green-app",
        role_arn="",
        region="eu-west-2",
    )
    snapshot.pipelines.append(green)
    snapshot.executions.append(
        PipelineExecution(
            "green-app", "11111111-2222", "Succeeded", start_time="2026-11-27T12:00:00Z"
        )
    )
    return snapshot


async def test_filter_narrows_rows_and_survives_a_refresh(make_app) -> None:
    app = make_app(two_pipelines())
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert [row.split(" | ")[0] for row in table_text(pilot, "#pipelines")] == [
            "deploy-myapp",
            "green-app",
        ]
        await settle(pilot, "slash", *"green", "enter")
        assert [row.split(" | ")[0] for row in table_text(pilot, "#pipelines")] == ["green-app"]
        await settle(pilot, "r")
        assert [row.split(" | ")[0] for row in table_text(pilot, "#pipelines")] == ["green-app"]
        await settle(pilot, "slash", "escape")
        assert len(table_text(pilot, "#pipelines")) == 2


async def test_failures_only_hides_green_pipelines_everywhere(make_app) -> None:
    app = make_app(two_pipelines())
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, "f")
        assert [row.split(" | ")[0] for row in table_text(pilot, "#pipelines")] == ["deploy-myapp"]
        await settle(pilot, "enter", "enter")
        assert isinstance(app.screen, ExecutionScreen)
        assert [row.split(" | ")[0] for row in table_text(pilot, "#actions")] == ["Build.Build"]
        await settle(pilot, "f")
        assert len(table_text(pilot, "#actions")) == 2


async def test_jump_opens_a_role_and_an_execution_with_a_breadcrumb(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, "colon")
        await answer(pilot, "role codebuild-build-myapp-service-role")
        assert isinstance(app.screen, RoleScreen) and app.screen.arn == BUILD_ROLE
        await settle(pilot, "colon")
        await answer(pilot, "4f9a1b2c")
        assert isinstance(app.screen, ExecutionScreen)
        assert "pipelines › deploy-myapp › 4f9a1b2c" in header_text(pilot)
        await settle(pilot, "colon")
        await answer(pilot, "no-such-thing")
        assert "nothing called 'no-such-thing'" in app.status.plain
        assert isinstance(app.screen, ExecutionScreen)


async def test_help_is_generated_from_the_bindings_of_the_screen(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, "enter", "enter", "enter", "question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = rendered(app.screen.query("Static")[1].content)
        shown = (
            "l  log: the failed build's log excerpt",
            "p  role & policy",
            "y  copy",
            "esc  back",
        )
        for line in (*shown, ":  jump", "q  quit"):
            assert line in text
        assert "navigate" in text and "application" in text
        await settle(pilot, "escape")
        assert isinstance(app.screen, DiagnosisScreen)


async def test_command_palette_offers_views_resources_and_copies(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        commands = [command.title for command in app.get_system_commands(app.screen)]
        assert {
            "Pipelines",
            "All findings",
            "Refresh",
            "Save snapshot",
            "Pipeline deploy-myapp",
        } <= set(commands)
        assert "Copy pipeline ARN" in commands
        await settle(pilot, "ctrl+p")
        assert isinstance(app.screen, CommandPalette)
        await settle(pilot, *"role codebuild", "enter")
        assert isinstance(app.screen, RoleScreen)


async def test_copy_keys_copy_the_policy_the_fix_and_arns(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, "y")
        assert app.clipboard == "arn:aws:codepipeline:eu-west-2:123456789012:deploy-myapp"
        await settle(pilot, "enter", "enter", "enter", "y")
        policy = json.loads(app.clipboard)
        assert policy["Statement"][0]["Action"] == ["codeconnections:UseConnection"]
        assert policy["Statement"][0]["Resource"] == CONNECTION
        await settle(pilot, "Y")
        assert isinstance(app.screen, ChooseScreen)
        await settle(pilot, "down", "enter")
        assert app.clipboard.startswith("Add this statement to the CodeBuild service role")
        assert "copied fix" in app.status.plain


async def test_o_opens_the_console_page_of_the_selection(make_app) -> None:
    app = make_app()
    opened: list[str] = []
    async with app.run_test(size=SIZE) as pilot:
        app.open_url = lambda url, new_tab=True: opened.append(url)  # type: ignore[method-assign]
        await settle(pilot, "o")
        await settle(pilot, "enter", "enter", "o")
    console = "https://eu-west-2.console.aws.amazon.com/codesuite"
    assert opened == [
        f"{console}/codepipeline/pipelines/deploy-myapp/view?region=eu-west-2",
        f"{console}/codebuild/123456789012/projects/build-myapp/build/"
        + "build-myapp%3Ae81f3c52-0b7d-4f1a-9c6e-2d4b8a7f5e31/?region=eu-west-2",
    ]


async def test_s_saves_the_snapshot_and_reports_a_bad_path(make_app, tmp_path: Path) -> None:
    target = tmp_path / "saved.json"
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, "s")
        assert app.focused.value.startswith(".pipedoctor/pipedoctor-123456789012-")
        await answer(pilot, str(target))
        assert "saved the snapshot to" in app.status.plain
        await settle(pilot, "s")
        await answer(pilot, str(tmp_path / "missing" / "x.json"))
        assert "not saved: cannot write snapshot" in app.status.plain
    assert load(target).pipelines[0].name == "deploy-myapp"


async def test_q_quits_with_exit_code_zero(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, "enter", "q")
    assert app.return_value == 0


async def test_refresh_rereads_the_snapshot_file(make_app, tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    snapshot = demo_snapshot()
    reads: list[int] = []

    def fetch(progress):
        reads.append(1)
        return snapshot

    app = make_app(snapshot, source=Source("snapshot", path=str(path)), fetch=fetch)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "snapshot: s.json" in header_text(pilot) and reads == []  # the file name: it fits
        await settle(pilot, "r")
        assert reads == [1] and isinstance(app.screen, PipelinesScreen)
        await settle(pilot, "enter", "r")
        assert reads == [1, 1] and isinstance(app.screen, PipelineScreen)
