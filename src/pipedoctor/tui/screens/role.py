"""A role: its least-privilege policy side by side with what it holds now, and its neighbourhood."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import ClassVar

from rich.console import Group, RenderableType
from rich.syntax import Syntax
from rich.text import Text
from textual import work
from textual.binding import BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.widget import Widget
from textual.widgets import Static, TabbedContent, TabPane

from pipedoctor.model import Role
from pipedoctor.tui import bindings
from pipedoctor.tui.console import role_url
from pipedoctor.tui.data import finding_key
from pipedoctor.tui.messages import RoleAnalysed
from pipedoctor.tui.neighbourhood import Neighbourhood, neighbourhood
from pipedoctor.tui.screens.base import PipedoctorScreen
from pipedoctor.tui.text import safe, severity_text
from pipedoctor.tui.widgets.table import Column, Row, RowTable

GRAPH_NOTE = "From the snapshot's permission graph (the same answers as `pipedoctor graph`)."


def _json(document: object) -> Syntax:
    return Syntax(
        json.dumps(document, indent=2), "json", theme="ansi_dark", background_color="default"
    )


def diff_rows(old: set[str], new: set[str]) -> list[Row]:
    """One row per action in either policy: now on the left, least privilege on the right."""
    rows = []
    for action in sorted(old | new, key=str.lower):
        if action not in new:
            cells = [Text(f"- {action}", style="red"), Text("")]
        elif action not in old:
            cells = [Text(""), Text(f"+ {action}", style="green")]
        else:
            cells = [Text(f"  {action}"), Text(f"  {action}")]
        rows.append(Row(action, cells))
    return rows


def describe_neighbourhood(found: Neighbourhood) -> Text:
    text = Text(GRAPH_NOTE + "\n", style="dim")
    text.append("\nwhat reaches it\n", style="bold underline")
    for item in found.reached_by or ["nothing in the snapshot"]:
        text.append_text(safe(f"  ← {item}\n"))
    text.append("\nwhat it reaches\n", style="bold underline")
    for reach in found.reaches:
        text.append_text(safe(f"  → {reach.kind} {reach.resource}: {', '.join(reach.actions)}\n"))
    if not found.reaches:
        text.append("  nothing in the snapshot\n")
    text.append("\nescalation paths\n", style="bold underline")
    for path in found.escalations:
        text.append_text(safe(f"  ⚠ {path}\n", "bold yellow"))
    if not found.escalations:
        text.append("  none found\n", style="green")
    return text


class RoleScreen(PipedoctorScreen):
    BINDINGS: ClassVar[list[BindingType]] = [bindings.NEXT_TAB]

    def __init__(self, arn: str) -> None:
        super().__init__()
        self.arn = arn
        self.document: dict[str, object] | None = None

    @property
    def role(self) -> Role | None:
        return self.view.snapshot.role(self.arn)

    @property
    def crumb(self) -> str:
        return f"role {self.arn.rsplit('/', 1)[-1]}"

    def body(self) -> Iterable[Widget]:
        yield Static(id="summary")
        with TabbedContent(id="tabs"):
            with TabPane("least privilege", id="tab-diff"):
                yield RowTable(
                    [Column("now"), Column("least privilege")], empty="computing…", id="diff"
                )
                yield Static(id="proof")
            with TabPane("policies", id="tab-policies"), Horizontal():
                with VerticalScroll(id="current"):
                    yield Static(id="current-policies")
                with VerticalScroll(id="generated"):
                    yield Static(id="generated-policy")
            with TabPane("neighbourhood", id="tab-graph"), VerticalScroll():
                yield Static(Text("computing…", style="dim"), id="neighbourhood")
            with TabPane("findings", id="tab-findings"):
                yield RowTable(
                    [
                        Column("Severity", 8),
                        Column("Title", min=30),
                        Column("Cause", priority=1, min=12),
                    ],
                    empty="no findings about this role",
                    id="role-findings",
                )

    def reload(self) -> None:
        role = self.role
        summary = self.query_one("#summary", Static)
        if role is None:
            summary.update(Text("this role is not in the snapshot", style="bold red"))
            return
        summary.update(self._summary(role))
        self.query_one("#current-policies", Static).update(self._current(role))
        findings = self.view.for_role(role)
        self.query_one("#role-findings", RowTable).set_rows(
            [
                Row(finding_key(f), [severity_text(f.severity), safe(f.title), safe(f.cause)])
                for f in findings
            ]
        )
        self.analyse_role(role)

    def _summary(self, role: Role) -> Text:
        text = safe(role.arn, "bold")
        attached = ", ".join(policy.name for policy in role.attached_policies) or "none"
        inline = ", ".join(role.inline_policies) or "none"
        text.append_text(safe(f"\nattached: {attached}; inline: {inline}"))
        if role.permissions_boundary:
            text.append_text(safe(f"; boundary: {role.permissions_boundary.name}"))
        return text

    def _current(self, role: Role) -> RenderableType:
        parts: list[RenderableType] = [Text("what it has now", style="bold underline")]
        for label, document in role.identity_documents():
            parts += [safe(label, "bold"), _json(document)]
        return Group(*parts)

    @work(thread=True, exclusive=True, exit_on_error=False, group="role")
    def analyse_role(self, role: Role) -> None:
        from pipedoctor.leastpriv.generate import generate_policy

        snapshot = self.view.snapshot
        try:
            generated = generate_policy(snapshot, role)
            found = neighbourhood(snapshot, role)
        except Exception as error:  # noqa: BLE001 - shown on screen, never a crash
            self.post_message(RoleAnalysed(error=f"{type(error).__name__}: {error}"))
            return
        self.post_message(RoleAnalysed(generated, found))

    def on_role_analysed(self, message: RoleAnalysed) -> None:
        proof = self.query_one("#proof", Static)
        if message.generated is None or message.neighbourhood is None:
            proof.update(safe(f"could not compute the policy: {message.error}", "bold red"))
            self.query_one("#neighbourhood", Static).update(safe(message.error, "bold red"))
            return
        generated = message.generated
        self.document = generated.document
        diff = generated.diff
        table = self.query_one("#diff", RowTable)
        table.columns = [
            Column(f"now: {len(diff.old_actions)} actions ({diff.old_wildcard_grants} on *)"),
            Column(f"least privilege: {len(diff.new_actions)} ({diff.new_wildcard_grants} on *)"),
        ]
        table.set_rows(diff_rows(diff.old_actions, diff.new_actions))
        proof.update(safe(generated.report().rstrip(), "dim"))
        self.query_one("#generated-policy", Static).update(
            Group(
                Text("least privilege (y copies it)", style="bold underline"),
                _json(generated.document),
            )
        )
        self.query_one("#neighbourhood", Static).update(
            describe_neighbourhood(message.neighbourhood)
        )

    def action_next_tab(self) -> None:
        tabs = self.query_one(TabbedContent)
        panes = [pane.id for pane in tabs.query(TabPane)]
        tabs.active = panes[(panes.index(tabs.active) + 1) % len(panes)] or ""

    def on_row_table_selected(self, event: RowTable.Selected) -> None:
        from pipedoctor.tui.screens.diagnosis import DiagnosisScreen

        if event.table.id == "role-findings":
            self.app.push_screen(DiagnosisScreen(event.key))
        else:
            row = event.table.cursor_row
            now, then = (cell.plain for cell in row.cells) if row else ("", "")
            change = "dropped by" if not then else "added by" if not now else "kept in"
            self.pd_app.set_status(
                f"{event.key} is {change} the least-privilege policy; y copies that policy"
            )

    def copy_targets(self) -> list[tuple[str, str]]:
        targets = []
        if self.document is not None:
            targets.append(("least-privilege policy", json.dumps(self.document, indent=2)))
        targets.append(("role ARN", self.arn))
        return targets

    def console_url(self) -> str | None:
        role = self.role
        return role_url(role, self.view.snapshot.partition) if role else None
