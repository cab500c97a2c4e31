"""Text from AWS is shown literally: no markup is interpreted, no escape sequence passes."""

from __future__ import annotations

import pytest

from pipedoctor.tui.screens.execution import ExecutionScreen
from pipedoctor.tui.screens.log import LogScreen
from tests.tui.conftest import SIZE, demo_snapshot, settle, static_text, table_text

pytestmark = pytest.mark.asyncio
HOSTILE = "[@click=app.quit]x[/] [bold red]boom\x1b[2J\x1b]0;title\x07"


def hostile_snapshot():
    snapshot = demo_snapshot()
    snapshot.executions[0].status_summary = HOSTILE
    for action in snapshot.action_executions:
        action.summary = HOSTILE
    snapshot.builds[0].log_excerpt.append(HOSTILE)
    return snapshot


async def test_markup_and_escapes_from_aws_are_shown_as_text(make_app) -> None:
    app = make_app(hostile_snapshot())
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, "enter", "enter")
        assert isinstance(app.screen, ExecutionScreen)
        literal = "[@click=app.quit]x[/] [bold red]boom"
        assert literal in static_text(pilot, "#summary")
        assert all(literal in row for row in table_text(pilot, "#actions"))
        assert not any("\x1b" in row or "\x07" in row for row in table_text(pilot, "#actions"))
        await pilot.click("#summary")  # a click on the text must not run the injected action
        await settle(pilot, "l")
        assert isinstance(app.screen, LogScreen)
        last = table_text(pilot, "#log")[-1]
        assert last.endswith(literal) and "\x1b" not in last
        screenshot = app.export_screenshot()
        assert "\x1b[2J" not in screenshot and "title\x07" not in screenshot
    assert app.return_value is None  # still running until the test closed it: quit never fired
