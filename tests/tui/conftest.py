"""Building the app on the demo snapshot, deterministically, and reading what it shows."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from rich.console import Console
from textual.message import Message
from textual.pilot import Pilot
from textual.widgets import Input, Static

from pipedoctor.commands.demo import demo_snapshot_text
from pipedoctor.model import Snapshot, loads
from pipedoctor.tui.app import PipedoctorApp, Source
from pipedoctor.tui.widgets.table import RowTable

# The demo's latest run started 2026-11-27T14:02:11Z: ages are fixed relative to this.
FIXED_NOW = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)
SIZE = (140, 40)
USE_CONNECTION = "codebuild-role-missing-use-connection"
CONNECTION = (
    "arn:aws:codeconnections:eu-west-2:123456789012:connection/7d3e1f2a-5b6c-4d8e-9f01-23456789abcd"
)
BUILD_ROLE = "arn:aws:iam::123456789012:role/service-role/codebuild-build-myapp-service-role"


def demo_snapshot() -> Snapshot:
    return loads(demo_snapshot_text(), origin="demo")


@pytest.fixture
def make_app() -> Callable[..., PipedoctorApp]:
    def make(snapshot: Snapshot | None = None, **options: Any) -> PipedoctorApp:
        options.setdefault("now", FIXED_NOW)
        options.setdefault("blink", False)
        options.setdefault("osc52", True)  # the fallback has its own tests
        source = options.pop("source", Source("demo"))
        return PipedoctorApp(snapshot or demo_snapshot(), source, **options)

    return make


class Recorder:
    """The messages an app handled, for a run_test(message_hook=...)."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    def __call__(self, message: Message) -> None:
        self.messages.append(message)

    def of(self, kind: type[Message]) -> list[Any]:
        """Each message once, though the hook sees it at every node it bubbles through."""
        unique = {id(m): m for m in self.messages if isinstance(m, kind)}
        return list(unique.values())


async def settle(pilot: Pilot[Any], *keys: str) -> None:
    """Press each key as a user would: after each, wait for every worker and for the screen to catch
    up (an enter opens a screen whose rows a worker fills; the next key needs them)."""
    for key in keys:
        await pilot.press(key)
        await _caught_up(pilot)
    if not keys:
        await _caught_up(pilot)


async def _caught_up(pilot: Pilot[Any]) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    if any(worker.is_running for worker in pilot.app.workers):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def answer(pilot: Pilot[Any], text: str) -> None:
    """Fill the focused input (a prompt) and press enter: typing key by key is slow."""
    field = pilot.app.focused
    assert isinstance(field, Input), field
    field.value = text
    await settle(pilot, "enter")


def rendered(renderable: Any) -> str:
    console = Console(width=200, file=io.StringIO(), record=True, color_system=None)
    console.print(renderable)
    return console.export_text()


def static_text(pilot: Pilot[Any], selector: str) -> str:
    return rendered(pilot.app.screen.query_one(selector, Static).content)


def table_text(pilot: Pilot[Any], selector: str) -> list[str]:
    table = pilot.app.screen.query_one(selector, RowTable)
    return [" | ".join(cell.plain for cell in row.cells) for row in table.rows]


def header_text(pilot: Pilot[Any]) -> str:
    return static_text(pilot, "ContextHeader")


def status_text(pilot: Pilot[Any]) -> str:
    return pilot.app.status.plain


def screen_text(pilot: Pilot[Any]) -> list[str]:
    """The lines of the terminal as drawn, without colours."""
    app = pilot.app
    width = app.size.width
    console = Console(width=width, file=io.StringIO(), record=True, color_system=None)
    console.print(app.screen._compositor.render_update(full=True))
    return console.export_text().splitlines()[1:]  # render_update starts with a cursor move
