"""What every pipedoctor screen shares: header, status line, footer, back, copy, console, filter."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, ClassVar, cast

from textual.app import ComposeResult
from textual.binding import BindingType
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Input

from pipedoctor.tui import bindings
from pipedoctor.tui.data import SnapshotView
from pipedoctor.tui.widgets.filter import FilterBar
from pipedoctor.tui.widgets.footer import KeyFooter
from pipedoctor.tui.widgets.header import ContextHeader
from pipedoctor.tui.widgets.status import StatusLine
from pipedoctor.tui.widgets.table import Row, RowTable

if TYPE_CHECKING:
    from pipedoctor.tui.app import PipedoctorApp


class PipedoctorScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = bindings.SCREEN_BINDINGS
    AUTO_FOCUS = "RowTable"
    # The table `/` and `f` act on, if the screen has one.
    FILTERED_TABLE: str | None = None

    @property
    def crumb(self) -> str:
        return ""

    @property
    def pd_app(self) -> PipedoctorApp:
        return cast("PipedoctorApp", self.app)

    @property
    def view(self) -> SnapshotView:
        return self.pd_app.view

    def compose(self) -> ComposeResult:
        yield ContextHeader()
        if self.FILTERED_TABLE:
            yield FilterBar()
        yield from self.body()
        yield StatusLine()
        yield KeyFooter()

    def body(self) -> Iterable[Widget]:
        raise NotImplementedError

    def reload(self) -> None:
        """Show the app's current view (after a refresh or when the analysis arrives)."""

    def copy_targets(self) -> list[tuple[str, str]]:
        """(what, text) that `y` copies, the main one first."""
        return []

    def console_url(self) -> str | None:
        return None

    def on_mount(self) -> None:
        self.reload()

    def on_screen_resume(self) -> None:
        self.show_header()

    def show_header(self) -> None:
        crumbs = [
            screen.crumb for screen in self.app.screen_stack if isinstance(screen, PipedoctorScreen)
        ]
        self.query_one(ContextHeader).show(self.pd_app.header_context(), crumbs)

    def action_back(self) -> None:
        """Esc clears the filter first, then goes back along the breadcrumb."""
        if self.FILTERED_TABLE and self.query_one(FilterBar).value:
            self.query_one(FilterBar).action_clear()
            self.pd_app.set_status("filter cleared")
        elif len(self.pd_app.pipedoctor_screens()) > 1:
            self.app.pop_screen()

    def action_copy(self) -> None:
        targets = self.copy_targets()
        if not targets:
            self.pd_app.set_status("nothing to copy here", error=True)
            return
        self.pd_app.copy(*targets[0])

    def action_copy_choose(self) -> None:
        from pipedoctor.tui.screens.choose import ChooseScreen

        targets = self.copy_targets()
        if not targets:
            self.pd_app.set_status("nothing to copy here", error=True)
            return

        def chosen(index: int | None) -> None:
            if index is not None:
                self.pd_app.copy(*targets[index])

        self.app.push_screen(ChooseScreen("copy", [what for what, _ in targets]), chosen)

    def action_open_console(self) -> None:
        url = self.console_url()
        if url is None:
            self.pd_app.set_status("no console page for this", error=True)
            return
        self.app.open_url(url)
        self.pd_app.set_status(f"opened {url}")

    # Filtering: `/` opens the bar; the text and the app's failures-only flag select rows.

    def action_filter(self) -> None:
        if self.FILTERED_TABLE:
            self.query_one(FilterBar).open()

    def apply_filter(self) -> None:
        if not self.FILTERED_TABLE:
            return
        needle = self.query_one(FilterBar).value
        failures_only = self.pd_app.failures_only
        keep = _failed if failures_only else None
        self.query_one(self.FILTERED_TABLE, RowTable).filter(
            needle, keep, hidden_by(needle, failures_only)
        )

    def on_input_changed(self, event: Input.Changed) -> None:
        if isinstance(event.input, FilterBar):
            self.apply_filter()

    def on_filter_bar_done(self) -> None:
        if self.FILTERED_TABLE:
            self.query_one(self.FILTERED_TABLE, RowTable).focus()


def _failed(row: Row) -> bool:
    return row.failed


def hidden_by(needle: str, failures_only: bool) -> str:
    """What an empty table says when its rows are there but the filters hide them all."""
    if needle and failures_only:
        return (
            f"no failure contains {needle!r}: esc clears the filter, f shows more than failures"
        )
    if needle:
        return f"no row contains {needle!r}: esc clears the filter"
    if failures_only:
        return "nothing failed here: f shows everything"
    return ""
