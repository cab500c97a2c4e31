"""The first screen: every pipeline, failures first, and the reads that failed."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from rich.text import Text
from textual.binding import BindingType
from textual.widget import Widget
from textual.widgets import Static

from pipedoctor.model import Pipeline
from pipedoctor.tui import bindings
from pipedoctor.tui.console import pipeline_url
from pipedoctor.tui.data import PipelineRow, age
from pipedoctor.tui.screens.base import PipedoctorScreen
from pipedoctor.tui.text import safe, status_text
from pipedoctor.tui.widgets.table import Column, Row, RowTable

COLUMNS = [
    Column("Pipeline", min=16),
    Column("Region", priority=3),
    Column("Last status", 11),
    Column("Failing stage", priority=2, min=8),
    Column("Age", 5, priority=1),
    Column("Findings", 8),
]


EMPTY = "no pipelines in the snapshot"


class PipelinesScreen(PipedoctorScreen):
    BINDINGS: ClassVar[list[BindingType]] = [
        bindings.NEWEST_FAILURE,
        bindings.FILTER,
        bindings.FINDINGS,
    ]
    FILTERED_TABLE = "#pipelines"

    @property
    def crumb(self) -> str:
        return "pipelines"

    def body(self) -> Iterable[Widget]:
        yield RowTable(COLUMNS, empty=EMPTY, id="pipelines")
        yield Static(id="errors")

    def reload(self) -> None:
        table = self.query_one("#pipelines", RowTable)
        table.set_rows([self._row(row) for row in self.view.pipeline_rows()])
        self.apply_filter()
        self._show_errors()

    def loading(self, progress: str | None) -> None:
        """While a live fetch runs, the empty list says so and how far it got; None: done."""
        table = self.query_one("#pipelines", RowTable)
        table.empty = f"loading from AWS… {progress}" if progress is not None else EMPTY
        table.refresh()

    def _row(self, row: PipelineRow) -> Row:
        findings = str(row.findings) if self.view.analysed else "…"
        cells = [
            safe(row.name, "bold"),
            safe(row.region),
            status_text(row.status),
            safe(row.failing_stage or "-"),
            Text(age(row.started, self.pd_app.now)),
            Text(findings, style="bold" if row.findings else "dim"),
        ]
        return Row(row.name, cells, failed=row.status == "Failed")

    def _show_errors(self) -> None:
        errors = self.view.snapshot.errors
        panel = self.query_one("#errors", Static)
        panel.display = bool(errors)
        if not errors:
            return
        text = Text(
            f"could not read ({len(errors)}), so what they hold is unknown:\n", style="bold yellow"
        )
        for error in errors:
            text.append_text(safe(f"  {error.describe()}: {error.message}\n"))
        panel.update(text)

    def on_row_table_selected(self, event: RowTable.Selected) -> None:
        from pipedoctor.tui.screens.pipeline import PipelineScreen

        self.app.push_screen(PipelineScreen(event.key))

    def action_findings(self) -> None:
        from pipedoctor.tui.screens.findings import FindingsScreen

        self.app.push_screen(FindingsScreen())

    def _selected(self) -> Pipeline | None:
        key = self.query_one("#pipelines", RowTable).cursor_key
        return self.view.snapshot.pipeline(key) if key else None

    def copy_targets(self) -> list[tuple[str, str]]:
        pipeline = self._selected()
        return (
            [("pipeline ARN", pipeline.arn), ("pipeline name", pipeline.name)] if pipeline else []
        )

    def console_url(self) -> str | None:
        pipeline = self._selected()
        return pipeline_url(pipeline, self.view.snapshot.partition) if pipeline else None
