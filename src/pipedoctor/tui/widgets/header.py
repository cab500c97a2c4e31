"""The header every screen shows: where the data comes from, read-only, and the breadcrumb."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from pipedoctor.tui.text import safe

CRUMB_SEPARATOR = " › "


class ContextHeader(Static):
    DEFAULT_CSS = """
    ContextHeader { height: 2; background: $panel; padding: 0 1; }
    """

    def show(self, context: list[tuple[str, str]], crumbs: list[str]) -> None:
        """`context` is (label, value) pairs such as ("account", "123456789012")."""
        line = Text()
        line.append("pipedoctor", style="bold")
        for label, value in context:
            line.append(f"  {label} ", style="dim")
            line.append_text(safe(value or "-", "bold"))
        line.append("  ")
        line.append(" read-only ", style="bold black on green")
        line.append("\n")
        for index, crumb in enumerate(crumbs):
            if index:
                line.append(CRUMB_SEPARATOR, style="dim")
            line.append_text(safe(crumb, "bold" if index == len(crumbs) - 1 else ""))
        self.update(line)
