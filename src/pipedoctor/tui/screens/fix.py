"""The diff a finding's fix makes, to apply (`y`) or leave (esc): `check --fix` for one finding."""

from __future__ import annotations

from typing import ClassVar

from rich.syntax import Syntax
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from pipedoctor.tui.text import safe


class FixScreen(ModalScreen[bool]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "apply", "apply"),
        Binding("escape", "cancel", "cancel"),
    ]

    def __init__(self, diff: str, changes_permissions: bool) -> None:
        super().__init__()
        self.diff = diff
        self.changes_permissions = changes_permissions

    def compose(self) -> ComposeResult:
        warning = " It changes permissions." if self.changes_permissions else ""
        with Vertical(id="fix"):
            yield Static(safe(f"y writes these changes, esc leaves the files as they are.{warning}", "bold"))
            with VerticalScroll():
                yield Static(Syntax(self.diff, "diff", theme="ansi_dark", background_color="default"))

    def action_apply(self) -> None:
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)
