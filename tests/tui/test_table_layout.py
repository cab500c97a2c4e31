"""RowTable's column layout: which columns a width shows, and how wide each is."""

from __future__ import annotations

from pipedoctor.tui.widgets.table import Column, layout


def test_layout_drops_the_least_important_columns_first_and_shrinks_before_dropping() -> None:
    columns = [
        Column("id", min=8),
        Column("status", 6),
        Column("when", 20, priority=2),
        Column("age", 4, priority=1),
        Column("note", priority=3, min=10),
    ]
    natural = [36, 6, 20, 4, 50]
    wide = layout(columns, natural, 200)
    assert [i for i, _ in wide] == [0, 1, 2, 3, 4] and sum(w for _, w in wide) + 10 == 200
    # Too narrow for everything at its natural width: the note shrinks first, then the id.
    assert dict(layout(columns, natural, 100)) == {0: 36, 1: 6, 2: 20, 3: 4, 4: 24}
    assert dict(layout(columns, natural, 70)) == {0: 20, 1: 6, 2: 20, 3: 4, 4: 10}
    # Narrower than the minimums: the note goes, then the time, the age last.
    assert [i for i, _ in layout(columns, natural, 50)] == [0, 1, 2, 3]
    assert [i for i, _ in layout(columns, natural, 30)] == [0, 1, 3]
    assert [i for i, _ in layout(columns, natural, 10)] == [0, 1]
