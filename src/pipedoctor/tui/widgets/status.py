"""The status line: what is being fetched, what failed, what could not be read, what a key did.

Each screen has its own: it shows the app's status when that was said everywhere or on it.
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static


class StatusLine(Static):
    DEFAULT_CSS = """
    StatusLine { height: 1; background: $boost; padding: 0 1; color: $text-muted; }
    """

    def on_mount(self) -> None:
        self.watch(self.app, "status", self._show)

    def _show(self, status: Text) -> None:
        owner = getattr(self.app, "status_screen", None)
        self.update(status if owner is None or owner is self.screen else "")
