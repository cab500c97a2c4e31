"""Empty states that say which filter hid the rows, status lines scoped to their screen, `:` over
everything shown, the copy fallback and the save folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipedoctor.model import load
from pipedoctor.tui.screens.copied import CopiedScreen
from pipedoctor.tui.screens.diagnosis import DiagnosisScreen
from pipedoctor.tui.screens.pipeline import PipelineScreen
from pipedoctor.tui.screens.pipelines import PipelinesScreen
from pipedoctor.tui.widgets.status import StatusLine
from pipedoctor.tui.widgets.table import RowTable
from tests.tui.conftest import (
    SIZE,
    USE_CONNECTION,
    answer,
    demo_snapshot,
    header_text,
    screen_text,
    settle,
)

pytestmark = pytest.mark.asyncio


def status_line(app) -> str:
    return str(app.screen.query_one(StatusLine).render())


async def test_a_filter_matching_nothing_says_so_and_esc_clears_it(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, "slash", *"zzz", "enter")
        table = app.screen.query_one("#pipelines", RowTable)
        assert table.rows == []
        drawn = "\n".join(screen_text(pilot))
        assert "no row contains 'zzz': esc clears the filter" in drawn
        assert "no pipelines in the snapshot" not in drawn
        await settle(pilot, "escape")
        assert isinstance(app.screen, PipelinesScreen)
        assert [row.key for row in table.rows] == ["deploy-myapp"]
        assert "filter cleared" in app.status.plain
        await settle(pilot, "escape")  # nothing left to clear: esc goes back (here: stays)
        assert isinstance(app.screen, PipelinesScreen)


async def test_failures_only_hiding_every_row_says_f_shows_everything(make_app) -> None:
    snapshot = demo_snapshot()
    for execution in snapshot.executions:
        execution.status = "Succeeded"
    app = make_app(snapshot)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, "f")
        assert "nothing failed here: f shows everything" in "\n".join(screen_text(pilot))


async def test_esc_on_a_filtered_pipeline_screen_clears_before_going_back(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, "enter", "slash", *"4f9a", "enter")
        table = app.screen.query_one("#executions", RowTable)
        assert len(table.rows) == 1
        await settle(pilot, "escape")
        assert isinstance(app.screen, PipelineScreen) and len(table.rows) == 3
        await settle(pilot, "escape")
        assert isinstance(app.screen, PipelinesScreen)


async def test_a_status_message_stays_on_its_screen(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await settle(pilot, "y")
        assert "copied pipeline ARN" in status_line(app)
        await settle(pilot, "enter")
        assert isinstance(app.screen, PipelineScreen)
        assert "copied" not in status_line(app)
        await settle(pilot, "o")  # says something on this screen
        await settle(pilot, "escape")
        assert "opened" not in status_line(app)


async def test_read_errors_are_said_on_every_screen(make_app) -> None:
    from pipedoctor.model.snapshot import CollectionError

    snapshot = demo_snapshot()
    snapshot.errors.append(
        CollectionError("ecr", "DescribeRepositories", "AccessDenied", "not allowed")
    )
    app = make_app(snapshot)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await settle(pilot, "enter")
        assert "1 read(s) failed" in status_line(app)


@pytest.mark.parametrize(
    ("query", "crumb"),
    [
        ("project build-myapp", "pipelines › deploy-myapp"),
        ("build-myapp", "pipelines › deploy-myapp"),
        (USE_CONNECTION, f"pipelines › findings › {USE_CONNECTION}"),
        ("finding dockerhub-pull-rate-limit", "pipelines › findings › dockerhub-pull-rate-limit"),
    ],
)
async def test_jump_finds_projects_and_causes_shown_on_screen(make_app, query, crumb) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await settle(pilot, "colon")
        await answer(pilot, query)
        assert crumb in header_text(pilot), app.status.plain


async def test_every_name_the_pipeline_tree_shows_can_be_jumped_to(make_app) -> None:
    """The project and roles of the tree (what the issue found missing) all resolve."""
    from pipedoctor.tui.jump import resolve

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, "enter")
        snapshot = app.view.snapshot
        names = [p.name for p in snapshot.projects] + [r.name for r in snapshot.roles]
        names += [e.execution_id[:8] for e in snapshot.executions] + [b.id for b in snapshot.builds]
        names += [a.name for p in snapshot.pipelines for s in p.stages for a in s.actions]
        names += [f"{s.name}.{a.name}" for p in snapshot.pipelines for s in p.stages for a in s.actions]
        assert names and all(resolve(app.view, name) is not None for name in names), names


async def test_copy_without_osc52_shows_the_text_and_writes_it_to_the_save_folder(
    make_app, tmp_path: Path
) -> None:
    folder = tmp_path / "saves"
    app = make_app(osc52=False, save_dir=folder)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await settle(pilot, "d")
        assert isinstance(app.screen, DiagnosisScreen)
        await settle(pilot, "y")
        assert isinstance(app.screen, CopiedScreen)
        written = folder / "copied-policy-statement.txt"
        assert "codeconnections:UseConnection" in written.read_text()
        assert "copied" not in app.status.plain.split(" ")[0]
        drawn = "\n".join(screen_text(pilot))
        assert "codeconnections:UseConnection" in drawn and str(written)[-40:] in drawn
        await settle(pilot, "escape")
        assert isinstance(app.screen, DiagnosisScreen)
        assert f"written to {written}" in status_line(app)


async def test_s_saves_into_the_save_folder_it_creates(make_app, tmp_path: Path) -> None:
    folder = tmp_path / ".pipedoctor"
    app = make_app(save_dir=folder)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, "s")
        proposed = Path(app.focused.value)
        assert proposed.parent == folder and proposed.name.startswith("pipedoctor-123456789012-")
        await settle(pilot, "enter")
        assert f"saved the snapshot to {proposed}" in app.status.plain
    assert load(proposed).pipelines[0].name == "deploy-myapp"


async def test_copy_fallback_says_when_the_file_could_not_be_written(
    make_app, tmp_path: Path
) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("")
    app = make_app(osc52=False, save_dir=blocked)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await settle(pilot, "y")
        assert isinstance(app.screen, CopiedScreen)
        assert f"pipeline ARN shown for selection and not written to {blocked}" in app.status.plain
