"""The copy fallback: the copied text on screen, selectable, with where it was written."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static, TextArea

from pipedoctor.tui.text import safe


class CopiedScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss", "close"),
        Binding("q", "dismiss", "close", show=False),
    ]

    def __init__(self, what: str, text: str, saved: str) -> None:
        """`saved`: where the text was written ("written to PATH") or why it was not."""
        super().__init__()
        self.what = what
        self.text = text
        self.saved = saved

    def compose(self) -> ComposeResult:
        with Vertical(id="copied"):
            yield Static(
                safe(
                    f"This terminal may not take a copy (OSC 52). The {self.what} is below to "
                    f"select; it was also {self.saved}. esc closes."
                )
            )
            yield TextArea(self.text, read_only=True, id="copied-text")
