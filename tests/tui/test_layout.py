"""Columns that adapt to the width, titles before ids, wrapped log lines: at 160x45 and 80x24."""

from __future__ import annotations

import pytest

from pipedoctor.tui.screens.findings import FindingsScreen
from pipedoctor.tui.screens.log import LogScreen
from pipedoctor.tui.widgets.table import RowTable
from tests.tui.conftest import screen_text, settle

pytestmark = pytest.mark.asyncio
WIDE, SMALL = (160, 45), (80, 24)


async def test_executions_table_shows_started_age_and_findings_at_160(make_app) -> None:
    app = make_app()
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot, "enter")
        table = app.screen.query_one("#executions", RowTable)
        assert table.shown_columns() == [
            "Execution",
            "Status",
            "Findings",
            "Age",
            "Started",
            "Trigger",
        ]
        drawn = "\n".join(screen_text(pilot))
        assert "2026-11-27T14:02:11Z" in drawn and "57m" in drawn


async def test_executions_table_keeps_status_and_findings_at_80(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot, "enter")
        shown = app.screen.query_one("#executions", RowTable).shown_columns()
        assert shown[:3] == ["Execution", "Status", "Findings"]
        assert "Trigger" not in shown


@pytest.mark.parametrize("size", [WIDE, SMALL])
async def test_findings_show_whole_titles_before_cause_ids(make_app, size) -> None:
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await settle(pilot, "a")
        assert isinstance(app.screen, FindingsScreen)
        shown = app.screen.query_one("#findings", RowTable).shown_columns()
        assert shown.index("Title") == 2
        assert "Cause" not in shown or shown.index("Cause") > shown.index("Title")
        drawn = "\n".join(screen_text(pilot))
        titles = {finding.title for finding in app.view.findings}
        cut = [title for title in titles if title not in drawn]
        if size == WIDE:
            assert cut == []
        else:  # 80 columns leave about 57 for the title: only longer titles are cut
            assert all(len(title) > 55 for title in cut), cut


@pytest.mark.parametrize("size", [WIDE, SMALL])
async def test_log_lines_wrap_and_w_toggles_sideways_scrolling(make_app, size) -> None:
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await settle(pilot, "d", "l")
        assert isinstance(app.screen, LogScreen)
        build = app.screen.build
        assert build is not None
        longest = max(build.log_excerpt, key=len)
        assert len(longest) > size[0] - 10  # longer than the table is wide
        table = app.screen.query_one("#log", RowTable)
        assert len(table.rows) > len(build.log_excerpt)  # the long lines take several rows
        drawn = " ".join(line.strip("│ ") for line in screen_text(pilot))
        assert " ".join(longest.split()[-4:]) in " ".join(drawn.split())  # its end is on screen
        cursor = table.cursor_key
        await settle(pilot, "w")
        assert len(table.rows) == len(build.log_excerpt)
        assert table.cursor_key == cursor  # still on the matched line
        assert "scroll sideways" in app.status.plain
        await settle(pilot, "w")
        assert len(table.rows) > len(build.log_excerpt)
