"""SVG snapshots of the main screens on the demo (fixed size, fixed "now", no cursor blink).

Update after an intended change: pytest tests/tui/test_snapshots.py --snapshot-update
"""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot

from tests.tui.conftest import SIZE, settle


def keys(*pressed: str):
    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        for key in pressed:
            await settle(pilot, key)

    return run_before


def test_pipelines_screen(snap_compare, make_app) -> None:
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=keys())


def test_diagnosis_detail(snap_compare, make_app) -> None:
    run_before = keys("enter", "enter", "enter")
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=run_before)


def test_policy_diff(snap_compare, make_app) -> None:
    run_before = keys("enter", "enter", "enter", "p")
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=run_before)


def test_help(snap_compare, make_app) -> None:
    run_before = keys("enter", "enter", "enter", "question_mark")
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=run_before)
