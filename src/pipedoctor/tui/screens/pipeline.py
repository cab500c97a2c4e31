"""One pipeline: its stages and actions as a tree, and its recent executions."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from rich.text import Text
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import Static, Tree

from pipedoctor.model import Pipeline
from pipedoctor.tui import bindings
from pipedoctor.tui.console import execution_url, pipeline_url
from pipedoctor.tui.data import age
from pipedoctor.tui.screens.base import PipedoctorScreen
from pipedoctor.tui.text import safe, status_text
from pipedoctor.tui.widgets.table import Column, Row, RowTable

COLUMNS = [
    Column("Execution", min=13),
    Column("Status", 11),
    Column("Findings", 8),
    Column("Age", 5, priority=1),
    Column("Started", 20, priority=2),
    Column("Trigger", priority=3, min=12),
]
ROLE = "role"


class PipelineScreen(PipedoctorScreen):
    BINDINGS: ClassVar[list[BindingType]] = [bindings.NEWEST_FAILURE, bindings.FILTER]
    FILTERED_TABLE = "#executions"
    AUTO_FOCUS = "#executions"

    def __init__(self, name: str, execution_id: str = "") -> None:
        """`execution_id`: the execution the cursor starts on (default: the newest)."""
        super().__init__()
        self.pipeline_name = name
        self.start_execution = execution_id

    @property
    def crumb(self) -> str:
        return self.pipeline_name

    @property
    def pipeline(self) -> Pipeline | None:
        return self.view.snapshot.pipeline(self.pipeline_name)

    def body(self) -> Iterable[Widget]:
        yield Static(id="summary")
        with Horizontal():
            tree: Tree[tuple[str, str]] = Tree(safe(self.pipeline_name), id="stages")
            tree.border_title = "stages and actions"
            yield tree
            with Vertical():
                yield RowTable(COLUMNS, empty="no executions collected", id="executions")

    def reload(self) -> None:
        pipeline = self.pipeline
        summary = self.query_one("#summary", Static)
        if pipeline is None:
            summary.update(Text("this pipeline is not in the snapshot any more", style="bold red"))
            self.query_one("#executions", RowTable).set_rows([])
            return
        summary.update(self._summary(pipeline))
        self._fill_tree(pipeline)
        table = self.query_one("#executions", RowTable)
        table.set_rows(self._rows())
        self.apply_filter()
        if self.start_execution and table.move_to(self.start_execution):
            self.start_execution = ""

    def _summary(self, pipeline: Pipeline) -> Text:
        text = Text()
        text.append_text(safe(f"{pipeline.pipeline_type} pipeline, version {pipeline.version}, "))
        text.append_text(safe(f"{pipeline.region}; service role {pipeline.role_arn}"))
        for trigger in pipeline.triggers:
            on = trigger.on_push_tags and f"tags {', '.join(trigger.on_push_tags)}"
            on = on or (
                trigger.on_push_branches and f"branches {', '.join(trigger.on_push_branches)}"
            )
            on = on or ("pull requests" if trigger.on_pull_request else "any push")
            text.append_text(safe(f"\ntrigger: {trigger.source_action} on {on}"))
        return text

    def _fill_tree(self, pipeline: Pipeline) -> None:
        tree: Tree[tuple[str, str]] = self.query_one("#stages", Tree)
        tree.clear()
        tree.root.expand()
        tree.root.add_leaf(
            safe(f"service role: {pipeline.role_arn}", "cyan"), (ROLE, pipeline.role_arn)
        )
        for stage in pipeline.stages:
            stage_node = tree.root.add(safe(stage.name, "bold"), expand=True)
            for action in stage.actions:
                label = safe(f"{action.name}  ({action.category}: {action.provider})")
                action_node = stage_node.add(label, expand=True)
                if action.role_arn:
                    action_node.add_leaf(
                        safe(f"role: {action.role_arn}", "cyan"), (ROLE, action.role_arn)
                    )
                project = self.view.snapshot.project(action.configuration.get("ProjectName", ""))
                if project is not None:
                    action_node.add_leaf(
                        safe(
                            f"project {project.name}, service role: {project.service_role}", "cyan"
                        ),
                        (ROLE, project.service_role),
                    )
                if not action_node.children:
                    action_node.allow_expand = False

    def _rows(self) -> list[Row]:
        rows = []
        for execution in self.view.executions(self.pipeline_name):
            found = self.view.for_execution(self.pipeline_name, execution.execution_id)
            trigger = execution.trigger_type + (
                f" ({execution.trigger_detail})" if execution.trigger_detail else ""
            )
            cells = [
                safe(execution.execution_id),
                status_text(execution.status),
                Text(str(len(found)) if self.view.analysed else "…"),
                Text(age(execution.start_time, self.pd_app.now)),
                safe(execution.start_time or "-"),
                safe(trigger or "-"),
            ]
            rows.append(Row(execution.execution_id, cells, failed=execution.status == "Failed"))
        return rows

    def on_row_table_selected(self, event: RowTable.Selected) -> None:
        from pipedoctor.tui.screens.execution import ExecutionScreen

        self.app.push_screen(ExecutionScreen(self.pipeline_name, event.key))

    def on_tree_node_selected(self, event: Tree.NodeSelected[tuple[str, str]]) -> None:
        from pipedoctor.tui.screens.role import RoleScreen

        if event.node.data and event.node.data[0] == ROLE:
            self.app.push_screen(RoleScreen(event.node.data[1]))
        elif not event.node.allow_expand:
            self.pd_app.set_status("enter on a role line (in cyan) opens the role and its policy")

    def _selected_role(self) -> str | None:
        tree: Tree[tuple[str, str]] = self.query_one("#stages", Tree)
        node = tree.cursor_node
        if self.focused is tree and node is not None and node.data and node.data[0] == ROLE:
            return node.data[1]
        return None

    def copy_targets(self) -> list[tuple[str, str]]:
        pipeline = self.pipeline
        targets = []
        role = self._selected_role()
        if role:
            targets.append(("role ARN", role))
        if pipeline is not None:
            targets.append(("pipeline ARN", pipeline.arn))
        execution = self.query_one("#executions", RowTable).cursor_key
        if execution:
            targets.append(("execution id", execution))
        return targets

    def console_url(self) -> str | None:
        pipeline = self.pipeline
        if pipeline is None:
            return None
        table = self.query_one("#executions", RowTable)
        if self.focused is table and table.cursor_key:
            return execution_url(pipeline, table.cursor_key, self.view.snapshot.partition)
        return pipeline_url(pipeline, self.view.snapshot.partition)
