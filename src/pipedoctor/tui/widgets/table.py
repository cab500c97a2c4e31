"""RowTable: a virtual table. Rows are plain data; only the lines on screen are rendered.

DataTable takes about a second to load 10,000 rows, so re-filtering it on every keystroke is
too slow. Here filtering is a list comprehension over precomputed lower-case search text, and
render_line draws the ~40 visible rows (cached until the rows, cursor, focus or width change).

Columns adapt to the width: a column with a `priority` is dropped when the table is too narrow
for it (the highest number first), a column with a `min` shrinks toward it before that.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

MAX_AUTO_WIDTH = 80
GAP = 2


@dataclass(frozen=True)
class Column:
    label: str
    width: int = 0  # 0: the widest cell, up to MAX_AUTO_WIDTH; the last column takes what is left
    priority: int = 0  # 0: always shown; otherwise dropped when too narrow, highest first
    min: int = 0  # narrower than its widest cell down to this, cut with an ellipsis (0: never)


def layout(columns: Sequence[Column], natural: Sequence[int], width: int) -> list[tuple[int, int]]:
    """(column index, width) of the columns shown in `width` cells, in order.

    Columns are dropped by priority until the rest fit at their minimum widths; the shrinkable
    ones then give up the excess, the least important first (in proportion to how much each can
    give among equals); the last column shown takes what is left.
    """
    least = [min(c.min, n) if c.min else n for c, n in zip(columns, natural, strict=True)]
    shown = list(range(len(columns)))

    def needed(widths: Sequence[int]) -> int:
        return sum(widths[i] for i in shown) + GAP * len(shown)

    droppable = sorted(
        (i for i, c in enumerate(columns) if c.priority), key=lambda i: (-columns[i].priority, -i)
    )
    while droppable and needed(least) > width:
        shown.remove(droppable.pop(0))
    widths = list(natural)
    for priority in sorted({columns[i].priority for i in shown}, reverse=True):
        excess = needed(widths) - width
        slack = {
            i: natural[i] - least[i]
            for i in shown
            if columns[i].priority == priority and natural[i] > least[i]
        }
        total = sum(slack.values())
        if excess <= 0:
            break
        for i, give in slack.items():
            widths[i] -= min(give, -(-excess * give // total))
    if shown:
        widths[shown[-1]] += max(0, width - needed(widths))
    return [(i, widths[i]) for i in shown]


@dataclass
class Row:
    key: str
    cells: Sequence[Text]
    failed: bool = False  # drawn in the failure colour; kept by "failures only"
    search: str = field(default="", repr=False)

    def __post_init__(self) -> None:
        if not self.search:
            self.search = " ".join(cell.plain for cell in self.cells).lower()


class RowTable(ScrollView, can_focus=True):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "cursor(-1)", "up", show=False),
        Binding("down", "cursor(1)", "down", show=False),
        Binding("pageup", "page(-1)", "page up", show=False),
        Binding("pagedown", "page(1)", "page down", show=False),
        Binding("home", "edge(0)", "first", show=False),
        Binding("end", "edge(1)", "last", show=False),
        Binding("enter", "select", "open", show=False),
    ]
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "rowtable--header",
        "rowtable--cursor",
        "rowtable--empty",
        "rowtable--failed",
    }
    DEFAULT_CSS = """
    RowTable { height: 1fr; }
    RowTable > .rowtable--header { text-style: bold; color: $text-accent; }
    RowTable > .rowtable--cursor { background: $surface-lighten-2; }
    RowTable:focus > .rowtable--cursor { background: $block-cursor-background; color: $block-cursor-foreground; }
    RowTable > .rowtable--empty { color: $text-muted; }
    RowTable > .rowtable--failed { color: $text-error; }
    """

    class Highlighted(Message):
        def __init__(self, table: RowTable, key: str | None) -> None:
            super().__init__()
            self.table = table
            self.key = key

        @property
        def control(self) -> RowTable:
            return self.table

    class Selected(Message):
        def __init__(self, table: RowTable, key: str) -> None:
            super().__init__()
            self.table = table
            self.key = key

        @property
        def control(self) -> RowTable:
            return self.table

    def __init__(
        self, columns: Sequence[Column], empty: str = "nothing to show", *, id: str | None = None
    ) -> None:
        super().__init__(id=id)
        self.columns = list(columns)
        self.empty = empty
        self._rows: list[Row] = []
        self._visible: list[Row] = []
        self._widths: list[int] = [len(column.label) for column in self.columns]
        self._cursor = 0
        self._needle = ""
        self._keep: Callable[[Row], bool] | None = None
        self.hidden = ""  # what to say when the filter hides every row
        self._lines: dict[tuple[int, bool, int, int], Strip] = {}
        self._layouts: dict[int, list[tuple[int, int]]] = {}

    @property
    def rows(self) -> list[Row]:
        """The rows that pass the filter, in order."""
        return self._visible

    @property
    def cursor_row(self) -> Row | None:
        return self._visible[self._cursor] if self._visible else None

    @property
    def cursor_key(self) -> str | None:
        row = self.cursor_row
        return row.key if row else None

    def set_rows(self, rows: list[Row]) -> None:
        """Replace the rows, keeping the filter and, when it is still there, the cursor's row."""
        self._rows = rows
        self._widths = [
            column.width
            or min(MAX_AUTO_WIDTH, max([len(column.label)] + [r.cells[i].cell_len for r in rows]))
            for i, column in enumerate(self.columns)
        ]
        self._apply(self.cursor_key)

    def filter(
        self, needle: str, keep: Callable[[Row], bool] | None = None, hidden: str = ""
    ) -> None:
        """Show the rows whose text contains `needle` (any case) and that `keep` accepts;
        `hidden` says what hid them when none is left."""
        self._needle = needle.lower()
        self._keep = keep
        self.hidden = hidden
        self._apply(self.cursor_key)

    @property
    def empty_text(self) -> str:
        """What the table says when it shows no row."""
        return self.hidden if self._rows and self.hidden else self.empty

    def move_to(self, key: str) -> bool:
        for index, row in enumerate(self._visible):
            if row.key == key:
                self._set_cursor(index)
                return True
        return False

    def _apply(self, keep_key: str | None) -> None:
        needle, keep = self._needle, self._keep
        self._visible = [
            row
            for row in self._rows
            if (not needle or needle in row.search) and (keep is None or keep(row))
        ]
        self._cursor = 0
        if keep_key is not None:
            self._cursor = next((i for i, r in enumerate(self._visible) if r.key == keep_key), 0)
        self._invalidate()
        self.scroll_to(
            y=max(0, self._cursor - self._page_rows() + 1), animate=False, immediate=True
        )
        self.post_message(self.Highlighted(self, self.cursor_key))

    def layout(self, width: int) -> list[tuple[int, int]]:
        """(column index, width) of the columns shown at this width."""
        if width not in self._layouts:
            self._layouts[width] = layout(self.columns, self._widths, width)
        return self._layouts[width]

    def shown_columns(self) -> list[str]:
        """The labels of the columns drawn at the current width."""
        width = self.scrollable_content_region.width
        return [self.columns[i].label for i, _ in self.layout(width)]

    def _invalidate(self) -> None:
        self._lines.clear()
        self._layouts.clear()
        width = self.scrollable_content_region.width or self.size.width
        total = sum(w for _, w in self.layout(width)) + GAP * len(self.layout(width))
        self.virtual_size = Size(total, len(self._visible) + 1)
        self.refresh()

    def _page_rows(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def _set_cursor(self, index: int) -> None:
        if not self._visible:
            return
        index = max(0, min(index, len(self._visible) - 1))
        if index == self._cursor and self._lines:
            return
        self._cursor = index
        self._lines.clear()
        top, page = round(self.scroll_y), self._page_rows()
        if index < top:
            self.scroll_to(y=index, animate=False, immediate=True)
        elif index >= top + page:
            self.scroll_to(y=index - page + 1, animate=False, immediate=True)
        self.refresh()
        self.post_message(self.Highlighted(self, self.cursor_key))

    def action_cursor(self, step: int) -> None:
        self._set_cursor(self._cursor + step)

    def action_page(self, direction: int) -> None:
        self._set_cursor(self._cursor + direction * self._page_rows())

    def action_edge(self, end: int) -> None:
        self._set_cursor(len(self._visible) - 1 if end else 0)

    def action_select(self) -> None:
        if self.cursor_key is not None:
            self.post_message(self.Selected(self, self.cursor_key))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None or offset.y == 0:
            return
        index = round(self.scroll_y) + offset.y - 1
        if index >= len(self._visible):
            return
        if index == self._cursor or event.chain > 1:
            self._set_cursor(index)
            self.action_select()
        else:
            self._set_cursor(index)

    def on_focus(self) -> None:
        self._lines.clear()
        self.refresh()

    def on_blur(self) -> None:
        self._lines.clear()
        self.refresh()

    def on_resize(self) -> None:
        self._invalidate()

    def _line_text(self, cells: Sequence[Text], width: int) -> Text:
        line = Text(no_wrap=True, overflow="ellipsis")
        for index, cell_width in self.layout(width):
            if index >= len(cells):
                break
            piece = cells[index].copy()
            piece.truncate(cell_width, overflow="ellipsis", pad=True)
            line.append_text(piece)
            line.append(" " * GAP)
        return line

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        scroll_x = round(self.scroll_x)
        base = self.rich_style
        if y == 0:
            header = self.get_component_rich_style("rowtable--header")
            text = self._line_text([Text(c.label) for c in self.columns], width)
            return self._strip(text, base + header, width, scroll_x)
        index = round(self.scroll_y) + y - 1
        if not self._visible:
            if y == 1:
                empty = self.get_component_rich_style("rowtable--empty")
                return self._strip(Text(self.empty_text), base + empty, width, 0)
            return Strip.blank(width, base)
        if index >= len(self._visible):
            return Strip.blank(width, base)
        is_cursor = index == self._cursor
        cache_key = (index, is_cursor, width, scroll_x)
        cached = self._lines.get(cache_key)
        if cached is not None:
            return cached
        row = self._visible[index]
        style = base
        if row.failed:
            style += self.get_component_rich_style("rowtable--failed")
        if is_cursor:
            style += self.get_component_rich_style("rowtable--cursor")
        strip = self._strip(self._line_text(row.cells, width), style, width, scroll_x)
        self._lines[cache_key] = strip
        return strip

    def _strip(self, text: Text, style: Style, width: int, scroll_x: int) -> Strip:
        segments = [
            Segment(segment.text, style + segment.style if segment.style else style)
            for segment in text.render(self.app.console)
            if segment.text != "\n"
        ]
        return Strip(segments).crop_extend(scroll_x, scroll_x + width, style)
