"""The filter bar: hidden until `/`, filters as you type, stays visible while a filter is set."""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import Input


class FilterBar(Input):
    DEFAULT_CSS = """
    FilterBar { display: none; height: 1; border: none; padding: 0 1; }
    FilterBar.-shown { display: block; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "clear", "clear filter", show=False)]

    class Done(Message):
        """Enter or escape: focus goes back to the table."""

    def __init__(self, placeholder: str = "filter (enter: keep, esc: clear)") -> None:
        super().__init__(placeholder=placeholder, compact=True)
        self.can_focus = False  # until `/` opens it: tab and auto-focus skip it

    def on_mount(self) -> None:
        self.cursor_blink = getattr(self.app, "blink", True)

    def open(self) -> None:
        self.can_focus = True
        self.add_class("-shown")
        self.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._close(keep=bool(self.value))

    def action_clear(self) -> None:
        self.value = ""
        self._close(keep=False)

    def _close(self, keep: bool) -> None:
        self.set_class(keep, "-shown")
        self.can_focus = False
        self.post_message(self.Done())
