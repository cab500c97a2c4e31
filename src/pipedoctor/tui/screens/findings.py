"""Every finding of the analysis, most severe and most likely first."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from rich.text import Text
from textual.binding import BindingType
from textual.widget import Widget

from pipedoctor.model import Finding, severity_rank
from pipedoctor.tui import bindings
from pipedoctor.tui.data import finding_key
from pipedoctor.tui.screens.base import PipedoctorScreen
from pipedoctor.tui.text import safe, severity_text
from pipedoctor.tui.widgets.table import Column, Row, RowTable

COLUMNS = [
    Column("Severity", 8),
    Column("Conf.", 5, priority=1),
    Column("Title", min=50),
    Column("Location", priority=3, min=16),
    Column("Cause", priority=2, min=12),
]


def is_failure(finding: Finding) -> bool:
    """A diagnosis of a failed action or build, not a posture finding."""
    return finding.location.count(" / ") == 2 or finding.location.startswith("build ")


class FindingsScreen(PipedoctorScreen):
    BINDINGS: ClassVar[list[BindingType]] = [bindings.FILTER]
    FILTERED_TABLE = "#findings"

    @property
    def crumb(self) -> str:
        return "findings"

    def body(self) -> Iterable[Widget]:
        yield RowTable(COLUMNS, empty="no findings", id="findings")

    def reload(self) -> None:
        table = self.query_one("#findings", RowTable)
        table.empty = "no findings" if self.view.analysed else "analysing…"
        ordered = sorted(
            self.view.findings, key=lambda f: (-severity_rank(f.severity), -f.confidence)
        )
        table.set_rows([self._row(finding) for finding in ordered])
        self.apply_filter()

    def _row(self, finding: Finding) -> Row:
        cells = [
            severity_text(finding.severity),
            Text(f"{finding.confidence:.2f}"),
            safe(finding.title),
            safe(finding.location),
            safe(finding.cause),
        ]
        return Row(finding_key(finding), cells, failed=is_failure(finding))

    def on_row_table_selected(self, event: RowTable.Selected) -> None:
        from pipedoctor.tui.screens.diagnosis import DiagnosisScreen

        self.app.push_screen(DiagnosisScreen(event.key))

    def copy_targets(self) -> list[tuple[str, str]]:
        key = self.query_one("#findings", RowTable).cursor_key
        finding = self.view.finding(key) if key else None
        if finding is None:
            return []
        return [
            (what, text)
            for what, text in (("fix", finding.fix), ("resource", finding.resource))
            if text
        ]
