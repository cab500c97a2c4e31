"""One diagnosis: cause, evidence with the log lines in context, the fix, the policy, the docs."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import ClassVar

from rich.console import Group
from rich.style import Style
from rich.syntax import Syntax
from rich.text import Text
from textual.binding import BindingType
from textual.containers import VerticalScroll
from textual.widget import Widget
from textual.widgets import Static

from pipedoctor.model import Build, Finding
from pipedoctor.report.sanitize import clean
from pipedoctor.tui import bindings
from pipedoctor.tui.console import build_url, execution_url
from pipedoctor.tui.data import matched_line_numbers
from pipedoctor.tui.screens.base import PipedoctorScreen
from pipedoctor.tui.text import safe, severity_text

CONTEXT_LINES = 3


def log_context(build: Build, finding: Finding) -> Text | None:
    """The matched log lines with CONTEXT_LINES around each, numbered, the matches highlighted."""
    hits = set(matched_line_numbers(build, finding))
    if not hits:
        return None
    shown = sorted(
        {
            index
            for hit in hits
            for index in range(hit - CONTEXT_LINES, hit + CONTEXT_LINES + 1)
            if 0 <= index < len(build.log_excerpt)
        }
    )
    text = Text()
    previous = None
    for index in shown:
        if previous is not None and index != previous + 1:
            text.append("  ⋮\n", style="dim")
        marker, style = ("▶", "bold white on dark_red") if index in hits else (" ", "")
        text.append(f"{marker}{index + 1:>5} ", style="dim")
        text.append_text(safe(build.log_excerpt[index], style))
        text.append("\n")
        previous = index
    return text


def _heading(title: str) -> Text:
    return Text(f"\n{title}", style="bold underline")


class DiagnosisScreen(PipedoctorScreen):
    BINDINGS: ClassVar[list[BindingType]] = [
        bindings.LOG,
        bindings.ROLE,
        bindings.FIX,
        bindings.SHOW_FIX,
    ]
    AUTO_FOCUS = "#detail"

    def __init__(self, key: str) -> None:
        super().__init__()
        self.key = key

    @property
    def finding(self) -> Finding | None:
        return self.view.finding(self.key)

    @property
    def crumb(self) -> str:
        finding = self.finding
        return finding.cause if finding else "diagnosis"

    def body(self) -> Iterable[Widget]:
        # The fix comes right after the cause: what the user came for is on the first page.
        with VerticalScroll(id="detail"):
            yield Static(id="diagnosis")
            yield Static(id="policy")
            yield Static(id="evidence")

    def reload(self) -> None:
        finding = self.finding
        detail = self.query_one("#diagnosis", Static)
        policy = self.query_one("#policy", Static)
        evidence = self.query_one("#evidence", Static)
        if finding is None:
            detail.update(Text("this diagnosis is not in the analysis any more", style="bold red"))
            policy.update("")
            evidence.update("")
            return
        detail.update(self._describe(finding))
        evidence.update(self._evidence(finding))
        policy.display = bool(finding.policy_fix)
        if finding.policy_fix:
            document = json.dumps(finding.policy_fix, indent=2)
            policy.update(
                Group(
                    _heading("policy statement to add (y copies it)"),
                    Syntax(document, "json", theme="ansi_dark", background_color="default"),
                )
            )

    def _describe(self, finding: Finding) -> Group:
        head = severity_text(finding.severity)
        head.append_text(safe(f"  {finding.title}", "bold"))
        head.append_text(
            safe(
                f"\ncause {finding.cause}, rule {finding.rule}, confidence {finding.confidence:.2f}",
                "dim",
            )
        )
        head.append_text(safe(f"\nat {finding.location}", "dim"))
        parts: list[Text] = [head, Text(""), safe(finding.message)]
        parts += [_heading("fix"), safe(finding.fix or "-", "green")]
        return Group(*parts)

    def _evidence(self, finding: Finding) -> Group:
        parts = [_heading("evidence")]
        parts += [safe(f"• {item}") for item in finding.evidence]
        build = self.view.build_of(finding)
        context = log_context(build, finding) if build else None
        if context is not None:
            parts += [_heading(f"build log ({build.id if build else ''}), l opens it"), context]
        if finding.unverified:
            parts.append(_heading("not verified"))
            parts += [safe(f"? {item}", "yellow") for item in finding.unverified]
        if finding.references:
            parts.append(_heading("AWS documentation"))
            parts += [Text(url, style=Style(link=url, underline=True)) for url in _urls(finding)]
        return Group(*parts)

    def copy_targets(self) -> list[tuple[str, str]]:
        finding = self.finding
        if finding is None:
            return []
        targets = []
        if finding.policy_fix:
            targets.append(("policy statement", json.dumps(finding.policy_fix, indent=2)))
        if finding.fix:
            targets.append(("fix", finding.fix))
        if finding.resource:
            targets.append(("resource", finding.resource))
        return targets

    def console_url(self) -> str | None:
        finding = self.finding
        if finding is None:
            return None
        snapshot = self.view.snapshot
        build = self.view.build_of(finding)
        if build is not None:
            return build_url(build, snapshot.account_id, snapshot.partition)
        where = finding.where
        pipeline = snapshot.pipeline(where.pipeline) if where.pipeline else None
        if pipeline is not None and where.execution:
            return execution_url(pipeline, where.execution, snapshot.partition)
        return finding.references[0] if finding.references else None

    def action_show_fix(self) -> None:
        """Enter: bring the fix to the top and say what can be done with it."""
        finding = self.finding
        if finding is None:
            self.pd_app.set_status("this diagnosis is not in the analysis any more", error=True)
            return
        self.query_one("#detail", VerticalScroll).scroll_home(animate=False)
        keys = ["y copies it"] + (["x writes it into the files"] if finding.edits else [])
        self.pd_app.set_status(f"the fix is above: {', '.join(keys)}; l log, p role")

    def action_log(self) -> None:
        from pipedoctor.tui.screens.log import LogScreen

        finding = self.finding
        build = self.view.build_of(finding) if finding else None
        if build is None or finding is None:
            self.pd_app.set_status("this diagnosis has no build log in the snapshot", error=True)
            return
        self.app.push_screen(LogScreen(build.id, matched_line_numbers(build, finding)))

    def action_role(self) -> None:
        from pipedoctor.tui.screens.role import RoleScreen

        finding = self.finding
        roles = self.view.roles_in(finding) if finding else []
        if not roles:
            self.pd_app.set_status("this diagnosis names no role in the snapshot", error=True)
            return
        self.app.push_screen(RoleScreen(roles[0].arn))


    def action_fix(self) -> None:
        from pipedoctor.fixes import plan_fixes, write_fixes
        from pipedoctor.tui.screens.fix import FixScreen

        finding = self.finding
        if finding is None or not finding.edits:
            self.pd_app.set_status("this finding has no fix pipedoctor can write", error=True)
            return
        files = self.view.snapshot.repo_files
        plan = plan_fixes(finding.edits, files, ["."])
        if not plan.new_texts:
            why = "; ".join(f"{edit.path}: {reason}" for edit, reason in plan.refused) or "nothing to change"
            self.pd_app.set_status(f"not fixing: {why}", error=True)
            return

        def applied(confirmed: bool | None) -> None:
            if not confirmed:
                self.pd_app.set_status("fix not applied")
                return
            write_fixes(plan)
            self.pd_app.set_status(
                f"fixed {', '.join(sorted(plan.new_texts))}; r reads the files again"
            )

        diff = plan.diff({f.path: f.text for f in files})
        self.app.push_screen(FixScreen(diff, any(not edit.safe for edit in finding.edits)), applied)


def _urls(finding: Finding) -> list[str]:
    return [clean(url) for url in finding.references if url.startswith(("https://", "http://"))]
