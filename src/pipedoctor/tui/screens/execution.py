"""One execution: its actions (failures highlighted) and the ranked diagnoses of the selected one."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from rich.text import Text
from textual.binding import BindingType
from textual.widget import Widget
from textual.widgets import Static

from pipedoctor.model import ActionExecution, Finding, PipelineExecution
from pipedoctor.tui import bindings
from pipedoctor.tui.console import build_url, execution_url
from pipedoctor.tui.data import finding_key
from pipedoctor.tui.screens.base import PipedoctorScreen
from pipedoctor.tui.text import safe, severity_text, status_text
from pipedoctor.tui.widgets.table import Column, Row, RowTable

ACTION_COLUMNS = [
    Column("Action", min=12),
    Column("Status", 11),
    Column("Error", 14, priority=2),
    Column("Provider", priority=3, min=10),
    Column("Summary", min=12),
]
DIAGNOSIS_COLUMNS = [
    Column("#", 2),
    Column("Conf.", 5),
    Column("Severity", 8, priority=1),
    Column("Title", min=45),
    Column("Cause", priority=2, min=12),
]


class ExecutionScreen(PipedoctorScreen):
    BINDINGS: ClassVar[list[BindingType]] = [bindings.FILTER, bindings.LOG]
    FILTERED_TABLE = "#actions"

    def __init__(self, pipeline: str, execution_id: str, action: str = "") -> None:
        """`action`: the action execution the cursor starts on (default: the first failed one)."""
        super().__init__()
        self.pipeline_name = pipeline
        self.execution_id = execution_id
        self.start_action = action
        self._placed = False  # the cursor is placed once, not again on every reload

    @property
    def crumb(self) -> str:
        return self.execution_id[:8]

    @property
    def execution(self) -> PipelineExecution | None:
        return self.view.snapshot.execution(self.pipeline_name, self.execution_id)

    def body(self) -> Iterable[Widget]:
        yield Static(id="summary")
        yield RowTable(ACTION_COLUMNS, empty="no action executions collected", id="actions")
        diagnoses = RowTable(
            DIAGNOSIS_COLUMNS, empty="no diagnosis for this action", id="diagnoses"
        )
        diagnoses.border_title = "diagnoses, most likely first"
        yield diagnoses

    def reload(self) -> None:
        execution = self.execution
        summary = self.query_one("#summary", Static)
        if execution is None:
            summary.update(Text("this execution is not in the snapshot any more", style="bold red"))
            return
        summary.update(self._summary(execution))
        actions = self.view.action_executions(self.pipeline_name, self.execution_id)
        table = self.query_one("#actions", RowTable)
        table.set_rows([self._row(action) for action in actions])
        self.apply_filter()
        failed = next((a.action_execution_id for a in actions if a.status == "Failed"), None)
        start = self.start_action or failed
        if start is not None and not self._placed:
            self._placed = table.move_to(start)
        self._show_diagnoses()

    def _summary(self, execution: PipelineExecution) -> Text:
        text = status_text(execution.status)
        text.append_text(
            safe(f"  started {execution.start_time or '-'} by {execution.trigger_type or '-'}")
        )
        if execution.trigger_detail:
            text.append_text(safe(f" ({execution.trigger_detail})"))
        for revision in execution.source_revisions:
            what = revision.get("revisionSummary") or revision.get("revisionId") or ""
            text.append_text(safe(f"\nsource {revision.get('actionName', '')}: {what}"))
        if execution.status_summary:
            text.append_text(safe(f"\n{execution.status_summary}"))
        return text

    def _row(self, action: ActionExecution) -> Row:
        cells = [
            safe(f"{action.stage_name}.{action.action_name}", "bold"),
            status_text(action.status),
            safe(action.error_code or "-"),
            safe(action.provider or "-"),
            safe(action.summary.splitlines()[0] if action.summary else "-"),
        ]
        return Row(action.action_execution_id, cells, failed=action.status == "Failed")

    def selected_action(self) -> ActionExecution | None:
        key = self.query_one("#actions", RowTable).cursor_key
        actions = self.view.action_executions(self.pipeline_name, self.execution_id)
        return next((a for a in actions if a.action_execution_id == key), None)

    def _findings(self) -> list[Finding]:
        action = self.selected_action()
        return self.view.for_action(action) if action else []

    def _show_diagnoses(self) -> None:
        rows = []
        for rank, finding in enumerate(self._findings(), start=1):
            cells = [
                Text(str(rank)),
                Text(f"{finding.confidence:.2f}"),
                severity_text(finding.severity),
                safe(finding.title),
                safe(finding.cause),
            ]
            rows.append(Row(finding_key(finding), cells))
        table = self.query_one("#diagnoses", RowTable)
        table.empty = "no diagnosis for this action" if self.view.analysed else "analysing…"
        table.set_rows(rows)

    def on_row_table_highlighted(self, event: RowTable.Highlighted) -> None:
        if event.table.id == "actions":
            self._show_diagnoses()

    def on_row_table_selected(self, event: RowTable.Selected) -> None:
        from pipedoctor.tui.screens.diagnosis import DiagnosisScreen

        # Enter on an action opens its most likely diagnosis, or its log when it has none.
        diagnoses = self.query_one("#diagnoses", RowTable)
        if event.table.id == "diagnoses":
            self.app.push_screen(DiagnosisScreen(event.key))
        elif diagnoses.rows:
            self.app.push_screen(DiagnosisScreen(diagnoses.rows[0].key))
        else:
            self.action_log()

    def action_log(self) -> None:
        from pipedoctor.tui.screens.log import LogScreen

        action = self.selected_action()
        if action is None or self.view.build(action.external_execution_id) is None:
            self.pd_app.set_status("this action has no build log in the snapshot", error=True)
            return
        self.app.push_screen(LogScreen(action.external_execution_id))

    def copy_targets(self) -> list[tuple[str, str]]:
        targets = []
        diagnoses = self.query_one("#diagnoses", RowTable)
        finding = next(
            (f for f in self._findings() if finding_key(f) == diagnoses.cursor_key), None
        )
        if finding is not None and finding.fix:
            targets.append(("fix", finding.fix))
        targets.append(("execution id", self.execution_id))
        action = self.selected_action()
        if action is not None and action.external_execution_id:
            targets.append(("build id", action.external_execution_id))
        return targets

    def console_url(self) -> str | None:
        action = self.selected_action()
        build = self.view.build(action.external_execution_id) if action else None
        if build is not None:
            return build_url(build, self.view.snapshot.account_id, self.view.snapshot.partition)
        pipeline = self.view.snapshot.pipeline(self.pipeline_name)
        if pipeline is None:
            return None
        return execution_url(pipeline, self.execution_id, self.view.snapshot.partition)
