"""While the live fetch runs, the empty pipelines list says it is loading and how far it got."""

from __future__ import annotations

import threading

import pytest

from pipedoctor.model import Snapshot
from pipedoctor.tui.app import Source
from pipedoctor.tui.widgets.table import RowTable
from tests.tui.conftest import SIZE, demo_snapshot, settle, table_text

pytestmark = pytest.mark.asyncio


async def test_the_empty_list_says_loading_then_shows_the_pipelines(make_app) -> None:
    release = threading.Event()

    def fetch(progress):
        progress("reading pipelines in eu-west-2")
        release.wait(10)
        return demo_snapshot()

    live = Source("live", region="eu-west-2")
    app = make_app(Snapshot(regions=["eu-west-2"]), source=live, fetch=fetch, fetch_on_start=True)
    async with app.run_test(size=SIZE) as pilot:
        table = app.screen.query_one("#pipelines", RowTable)
        for _ in range(100):
            if "reading pipelines" in table.empty:
                break
            await pilot.pause(0.05)
        assert table.empty.startswith("loading from AWS… ")
        assert table.empty.endswith("s: reading pipelines in eu-west-2")
        assert "no pipelines" not in table.empty
        release.set()
        for _ in range(100):
            if table.rows:
                break
            await pilot.pause(0.05)
        await settle(pilot)
        assert table_text(pilot, "#pipelines")[0].startswith("deploy-myapp")
        assert table.empty == "no pipelines in the snapshot"  # once loaded, the usual words


async def test_a_failed_fetch_leaves_the_usual_empty_words(make_app) -> None:
    def fetch(progress):
        raise RuntimeError("no network")

    app = make_app(Snapshot(), source=Source("live"), fetch=fetch, fetch_on_start=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.screen.query_one("#pipelines", RowTable).empty == "no pipelines in the snapshot"
        assert "could not fetch" in app.status.plain
