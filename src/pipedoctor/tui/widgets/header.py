"""The header every screen shows: where the data comes from, read-only, and the breadcrumb."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from pipedoctor.tui.text import safe

CRUMB_SEPARATOR = " › "
SHORT_CRUMB = 12  # earlier crumbs are cut to this when the breadcrumb is wider than the header


class ContextHeader(Static):
    DEFAULT_CSS = """
    ContextHeader { height: 2; background: $panel; padding: 0 1; }
    """

    _shown: tuple[list[tuple[str, str]], list[str]] | None = None

    def on_resize(self) -> None:
        if self._shown is not None:
            self.show(*self._shown)

    def show(self, context: list[tuple[str, str]], crumbs: list[str]) -> None:
        """`context` is (label, value) pairs such as ("account", "123456789012")."""
        self._shown = (context, crumbs)
        room = self.size.width - 2 if self.size.width else 0
        context = _fitted(context, room)
        line = Text()
        line.append("pipedoctor", style="bold")
        for label, value in context:
            line.append(f"  {label} " if label else "  ", style="dim")
            line.append_text(safe(value or "-", "bold"))
        line.append("  ")
        line.append(" read-only ", style="bold black on green")
        line.append("\n")
        if room and len(CRUMB_SEPARATOR.join(crumbs)) > room:
            crumbs = [
                crumb if len(crumb) <= SHORT_CRUMB else crumb[: SHORT_CRUMB - 1] + "…"
                for crumb in crumbs[:-1]
            ] + crumbs[-1:]
        for index, crumb in enumerate(crumbs):
            if index:
                line.append(CRUMB_SEPARATOR, style="dim")
            line.append_text(safe(crumb, "bold" if index == len(crumbs) - 1 else ""))
        self.update(line)


def _width(context: list[tuple[str, str]]) -> int:
    return len("pipedoctor") + sum(len(f"  {k} {v}") for k, v in context) + len("   read-only ")


def _fitted(context: list[tuple[str, str]], room: int) -> list[tuple[str, str]]:
    """The context made to fit one line of `room` cells: paths by file name, then without the
    labels, then the longest value cut from the left."""
    if not room or _width(context) <= room:
        return context
    context = [(k, v.rsplit("/", 1)[-1] if "/" in v else v) for k, v in context]
    if _width(context) > room:
        context = [("", v) for _, v in context]
    excess = _width(context) - room
    if excess > 0 and context:
        longest = max(range(len(context)), key=lambda i: len(context[i][1]))
        label, value = context[longest]
        context[longest] = (label, "…" + value[-max(SHORT_CRUMB, len(value) - excess - 1) :])
    return context
