"""A failed build's log excerpt: the lines a diagnosis matched are marked; `/` searches.

Long lines wrap (`w` toggles): a wrapped line is several rows, keyed "INDEX" then "INDEX+N".
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from rich.text import Text
from textual.binding import BindingType
from textual.widget import Widget
from textual.widgets import Input, Static

from pipedoctor.model import Build
from pipedoctor.report.sanitize import clean
from pipedoctor.tui import bindings
from pipedoctor.tui.console import build_url
from pipedoctor.tui.screens.base import PipedoctorScreen
from pipedoctor.tui.text import highlighted, safe, status_text
from pipedoctor.tui.widgets.filter import FilterBar
from pipedoctor.tui.widgets.table import GAP, Column, Row, RowTable

COLUMNS = [Column("#", 6), Column("line")]
MATCH_STYLE = "bold black on yellow"
NARROWEST_WRAP = 20


def line_index(key: str | None) -> int:
    """The log line a row shows (a continuation row of a wrapped line included)."""
    return int((key or "0").split("+", 1)[0])


class LogScreen(PipedoctorScreen):
    BINDINGS: ClassVar[list[BindingType]] = [
        bindings.SEARCH,
        bindings.NEXT_MATCH,
        bindings.PREVIOUS_MATCH,
        bindings.WRAP,
    ]

    def __init__(self, build_id: str, marked: list[int] | None = None) -> None:
        """`marked`: indexes of the lines a diagnosis matched; the cursor starts on the first."""
        super().__init__()
        self.build_id = build_id
        self.marked = set(marked or [])
        self.start_line = min(self.marked) if self.marked else None
        self.needle = ""
        self.matches: list[int] = []
        self.wrap = True

    @property
    def crumb(self) -> str:
        return f"log {self.build_id.rsplit(':', 1)[-1][:8]}"

    @property
    def build(self) -> Build | None:
        return self.view.build(self.build_id)

    def body(self) -> Iterable[Widget]:
        yield Static(id="summary")
        yield FilterBar(placeholder="search (enter: keep, esc: clear; n / N: next / previous)")
        yield RowTable(COLUMNS, empty="no log lines were collected for this build", id="log")

    def reload(self) -> None:
        build = self.build
        summary = self.query_one("#summary", Static)
        if build is None:
            summary.update(Text("this build is not in the snapshot any more", style="bold red"))
            return
        summary.update(self._summary(build))
        self._show_lines()
        table = self.query_one("#log", RowTable)
        if self.start_line is not None:
            table.move_to(str(self.start_line))
            self.start_line = None

    def _summary(self, build: Build) -> Text:
        text = safe(f"build {build.id}  ", "bold")
        text.append_text(status_text(build.status))
        for phase in build.failed_phases():
            for context in phase.contexts or []:
                message = f"\n{phase.phase_type}: {context.status_code or phase.phase_status}: {context.message}"
                text.append_text(safe(message, "red"))
        return text

    def _show_lines(self) -> None:
        build = self.build
        lines = build.log_excerpt if build else []
        needle = self.needle.lower()
        self.matches = [i for i, line in enumerate(lines) if needle and needle in line.lower()]
        table = self.query_one("#log", RowTable)
        current = line_index(table.cursor_key)
        width = max(NARROWEST_WRAP, table.scrollable_content_region.width - COLUMNS[0].width - 2 * GAP)
        rows = []
        for index, line in enumerate(lines):
            text = highlighted(line, self.needle, MATCH_STYLE)
            pieces = list(text.wrap(self.app.console, width)) if self.wrap else [text]
            for part, piece in enumerate(pieces):
                number = Text(str(index + 1) if part == 0 else "", style="dim")
                key = str(index) if part == 0 else f"{index}+{part}"
                rows.append(Row(key, [number, piece], failed=index in self.marked))
        # Unwrapped, the line column is as wide as the longest line: long lines scroll sideways.
        longest = max(map(len, lines), default=4)
        table.columns = [COLUMNS[0], Column("line", width if self.wrap else longest)]
        table.set_rows(rows)
        if line_index(table.cursor_key) != current:
            table.move_to(str(current))

    def on_resize(self) -> None:
        if self.wrap:
            self._show_lines()

    def action_wrap(self) -> None:
        self.wrap = not self.wrap
        self._show_lines()
        self.pd_app.set_status(
            "long lines wrap" if self.wrap else "one row per line: long lines scroll sideways"
        )

    def action_filter(self) -> None:
        self.query_one(FilterBar).open()

    def on_input_changed(self, event: Input.Changed) -> None:
        self.needle = event.value
        self._show_lines()
        self.action_next_match(1, from_cursor=True)
        count = len(self.matches)
        if self.needle:
            self.pd_app.set_status(f"{count} line(s) match {self.needle!r}", error=not count)

    def on_row_table_selected(self, event: RowTable.Selected) -> None:
        self.pd_app.set_status(
            f"line {line_index(event.key) + 1}: y copies it, Y the whole excerpt; / searches"
        )

    def on_filter_bar_done(self) -> None:
        self.query_one("#log", RowTable).focus()

    def action_next_match(self, step: int, from_cursor: bool = False) -> None:
        if not self.matches:
            return
        table = self.query_one("#log", RowTable)
        current = line_index(table.cursor_key)
        if from_cursor and current in self.matches:
            return
        if step > 0:
            target = next((i for i in self.matches if i > current), self.matches[0])
        else:
            target = next((i for i in reversed(self.matches) if i < current), self.matches[-1])
        table.move_to(str(target))

    def apply_filter(self) -> None:
        """The log is searched, not filtered: "failures only" leaves it whole."""

    def copy_targets(self) -> list[tuple[str, str]]:
        build = self.build
        if build is None:
            return []
        key = self.query_one("#log", RowTable).cursor_key
        targets = []
        if key is not None and line_index(key) < len(build.log_excerpt):
            targets.append(("log line", clean(build.log_excerpt[line_index(key)])))
        targets += [("log excerpt", clean("\n".join(build.log_excerpt))), ("build ARN", build.arn)]
        return targets

    def console_url(self) -> str | None:
        build = self.build
        if build is None:
            return None
        return build_url(build, self.view.snapshot.account_id, self.view.snapshot.partition)
