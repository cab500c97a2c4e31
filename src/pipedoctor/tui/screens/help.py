"""`?`: the keys of the screen below, generated from its active bindings, by group."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from pipedoctor.tui.bindings import ACT, APP, GROUPS, NAVIGATE, VIEW

OTHER = "other"
MOUSE = (
    "mouse: click a row to select it, click it again (or double-click) to open it; wheel scrolls"
)


def help_table(screen: Screen[object]) -> Table:
    groups: dict[str, list[tuple[str, str]]] = {}
    seen: set[str] = set()
    for key, active in screen.active_bindings.items():
        binding = active.binding
        if not binding.description or (binding.id or key) in seen:
            continue
        seen.add(binding.id or key)
        shown = binding.key_display or screen.app.get_key_display(binding)
        explained = binding.description + (f": {binding.tooltip}" if binding.tooltip else "")
        group = GROUPS.get(binding.id or "", OTHER)
        groups.setdefault(group, []).append((shown, explained))
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold cyan", justify="right")
    table.add_column()
    order = [NAVIGATE, VIEW, ACT, APP, OTHER]
    for group in sorted(
        groups, key=lambda name: order.index(name) if name in order else len(order)
    ):
        table.add_row("", Text(group, style="bold underline"))
        for shown, explained in groups[group]:
            table.add_row(Text(shown), Text(explained))
    return table


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss", "close"),
        Binding("question_mark", "dismiss", "close", key_display="?"),
        Binding("q", "dismiss", "close"),
    ]

    def __init__(self, below: Screen[object]) -> None:
        super().__init__()
        self.below = below

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help"):
            yield Static(Text("keys", style="bold"))
            yield Static(help_table(self.below))
            yield Static(Text(MOUSE, style="dim"))
