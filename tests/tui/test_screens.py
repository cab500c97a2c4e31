"""Every screen, reached through keys on the demo snapshot: what it shows and what it sends."""

from __future__ import annotations

import json

import pytest

from pipedoctor.tui.messages import AnalysisReady
from pipedoctor.tui.screens.diagnosis import DiagnosisScreen
from pipedoctor.tui.screens.execution import ExecutionScreen
from pipedoctor.tui.screens.findings import FindingsScreen
from pipedoctor.tui.screens.log import LogScreen
from pipedoctor.tui.screens.pipeline import PipelineScreen
from pipedoctor.tui.screens.pipelines import PipelinesScreen
from pipedoctor.tui.screens.role import RoleScreen
from pipedoctor.tui.widgets.table import RowTable
from tests.tui.conftest import (
    BUILD_ROLE,
    CONNECTION,
    SIZE,
    USE_CONNECTION,
    Recorder,
    header_text,
    settle,
    static_text,
    table_text,
)

pytestmark = pytest.mark.asyncio


async def test_pipelines_screen_lists_failures_first_with_findings(make_app) -> None:
    recorder = Recorder()
    app = make_app()
    async with app.run_test(size=SIZE, message_hook=recorder) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, PipelinesScreen)
        header = header_text(pilot)
        for shown in ("account 123456789012", "region eu-west-2", "snapshot: demo", "read-only"):
            assert shown in header
        assert table_text(pilot, "#pipelines") == [
            "deploy-myapp | eu-west-2 | Failed | Build | 57m | 7"
        ]
        ready = recorder.of(AnalysisReady)
        assert len(ready) == 1 and len(ready[0].findings) == 12
        assert "1 pipeline(s), 8 finding(s)" in pilot.app.status.plain


async def test_drill_from_pipelines_to_diagnosis_and_back(make_app) -> None:
    recorder = Recorder()
    app = make_app()
    async with app.run_test(size=SIZE, message_hook=recorder) as pilot:
        await settle(pilot, "enter")
        assert isinstance(app.screen, PipelineScreen)
        assert "pipelines › deploy-myapp" in header_text(pilot)
        executions = table_text(pilot, "#executions")
        assert executions[0].startswith("b7e2c0d4-6a1f-4c3e-9d2b-0f5a8e7c1d93 | Failed | 1 | 57m")
        assert executions[0].endswith("| WebhookV2 (arn:aws:codeconnections push of tag release-1.5.0)")
        assert "StartPipelineExecution" in executions[1]
        stages = [str(node.label) for node in app.screen.query_one("#stages").root.children]
        assert stages[1:] == ["Source", "Build", "Deploy"]

        await settle(pilot, "enter")
        assert isinstance(app.screen, ExecutionScreen)
        actions = app.screen.query_one("#actions", RowTable)
        assert actions.cursor_row is not None and actions.cursor_row.failed
        assert table_text(pilot, "#diagnoses")[0] == (
            "1 | 0.99 | HIGH | CodeBuild role cannot use the source connection | " + USE_CONNECTION
        )

        await settle(pilot, "enter")
        assert isinstance(app.screen, DiagnosisScreen)
        detail = static_text(pilot, "#diagnosis")
        assert "CodeBuild role cannot use the source connection" in detail
        assert "Add this statement to the CodeBuild service role" in detail
        detail = static_text(pilot, "#evidence")
        assert (
            "IAM: codebuild-build-myapp-service-role is denied codeconnections:UseConnection"
            in detail
        )
        assert "▶    4 [Container]" in detail  # the matched log line, in context
        assert (
            "https://docs.aws.amazon.com/codepipeline/latest/userguide/troubleshooting.html"
            in detail
        )
        assert CONNECTION in static_text(pilot, "#policy")
        selected = [m.key for m in recorder.of(RowTable.Selected)]
        assert selected[:2] == ["deploy-myapp", "b7e2c0d4-6a1f-4c3e-9d2b-0f5a8e7c1d93"]

        await settle(pilot, "escape")
        assert isinstance(app.screen, ExecutionScreen)
        await settle(pilot, "escape", "escape", "escape", "escape")
        assert isinstance(app.screen, PipelinesScreen)  # esc stops at the first screen


async def test_log_view_marks_the_matched_line_and_searches(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, "enter", "enter", "enter", "l")
        assert isinstance(app.screen, LogScreen)
        log = app.screen.query_one("#log", RowTable)
        assert log.cursor_key == "3" and log.cursor_row is not None and log.cursor_row.failed
        assert "DOWNLOAD_SOURCE: CLIENT_ERROR" in static_text(pilot, "#summary")
        await settle(pilot, "slash")
        app.focused.value = "waiting"  # as typed, without a key round trip per letter
        await settle(pilot)
        assert "2 line(s) match 'waiting'" in pilot.app.status.plain
        assert log.cursor_key == "0"
        await settle(pilot, "enter", "n")
        assert log.cursor_key == "1"
        await settle(pilot, "N")
        assert log.cursor_key == "0"


async def test_role_screen_shows_the_policy_diff_and_neighbourhood(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, "enter", "enter", "enter", "p")
        assert isinstance(app.screen, RoleScreen) and app.screen.arn == BUILD_ROLE
        diff = table_text(pilot, "#diff")
        assert " | + codeconnections:UseConnection" in diff
        assert "- ecr:DeleteRepository | " in diff
        assert "  ecr:PutImage |   ecr:PutImage" in diff
        assert "proof: all 16 needs replay Allowed" in static_text(pilot, "#proof")
        assert CONNECTION in static_text(pilot, "#generated-policy")
        assert "AmazonEC2ContainerRegistryFullAccess" in static_text(pilot, "#current-policies")
        graph = static_text(pilot, "#neighbourhood")
        assert "← service role of CodeBuild project build-myapp" in graph
        [billing] = [line for line in graph.split("→") if "repository/billing-api:" in line]
        assert "ecr:PutImage" in billing
        await settle(pilot, "y")
        assert json.loads(app.clipboard)["Statement"]
        assert "copied least-privilege policy" in pilot.app.status.plain


async def test_findings_screen_lists_every_finding_and_opens_one(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, "a")
        assert isinstance(app.screen, FindingsScreen)
        rows = table_text(pilot, "#findings")
        # Most severe first: the pipeline role's PassRole on any role, then the failures' causes.
        assert len(rows) == 12
        assert rows[0].startswith("CRITICAL | 0.95 | CI role can make itself administrator | ")
        assert rows[0].endswith(" | ci-role-full-access-policy")
        assert rows[1].startswith("HIGH | 0.99 | CodeBuild role cannot use the source connection")
        assert rows[1].endswith(" | " + USE_CONNECTION)
        await settle(pilot, "down", "enter")
        assert isinstance(app.screen, DiagnosisScreen)
        assert "pipelines › findings › " + USE_CONNECTION in header_text(pilot)


async def test_pipeline_tree_opens_the_role_of_a_node(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, "enter")
        tree = app.screen.query_one("#stages")
        tree.focus()
        await settle(pilot, "down", "enter")  # the pipeline's service role
        assert isinstance(app.screen, RoleScreen)
        assert app.screen.arn.endswith("AWSCodePipelineServiceRole-eu-west-2-deploy-myapp")


async def test_mouse_click_selects_then_opens(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        # Row 1 of the table: header line 2, border 1, column header 1.
        await pilot.click("#pipelines", offset=(5, 2))
        await settle(pilot)
        assert isinstance(app.screen, PipelineScreen)
