"""The pipedoctor TUI application: data, workers, app-wide keys and navigation.

Every read of AWS (or of the snapshot file) and every analysis runs in a thread worker that
reports back with a message (see messages.py); the UI thread only builds rows from results.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import work
from textual.app import App, SystemCommand
from textual.reactive import reactive
from textual.screen import Screen
from textual.timer import Timer
from textual.worker import Worker, get_current_worker

from pipedoctor.aws_env import credential_origin
from pipedoctor.errors import UserError
from pipedoctor.model import Finding, Snapshot
from pipedoctor.report.sanitize import clean
from pipedoctor.tui import bindings
from pipedoctor.tui.clipboard import file_name, osc52_plausible
from pipedoctor.tui.data import SnapshotView, finding_key, now_utc
from pipedoctor.tui.jump import Target, resolve, suggestions
from pipedoctor.tui.messages import (
    AnalysisReady,
    FetchFailed,
    FetchProgress,
    SnapshotFetched,
    SnapshotSaved,
)
from pipedoctor.tui.screens.base import PipedoctorScreen
from pipedoctor.tui.triage import finding_count, newest_failure

Progress = Callable[[str], None]
Fetcher = Callable[[Progress], Snapshot]
Analyser = Callable[[Snapshot], list[Finding]]

DEFAULT_FETCH_TIMEOUT = 300.0
DEFAULT_SAVE_DIR = ".pipedoctor"


@dataclass(frozen=True)
class Source:
    """Where the data comes from, as the header says it."""

    kind: str  # "demo" | "snapshot" | "live"
    path: str = ""
    profile: str = ""
    region: str = ""


def analyse(snapshot: Snapshot) -> list[Finding]:
    """Every finding of the bundled rules, failure diagnoses first, each ranked."""
    from pipedoctor.analysis import analyse_snapshot
    from pipedoctor.diagnose import load_rules

    sections = analyse_snapshot(snapshot, load_rules())
    return [finding for section in sections for finding in section.findings]


def describe_error(error: BaseException) -> str:
    if isinstance(error, UserError):
        return clean(str(error))
    return clean(f"{type(error).__name__}: {error}")


class PipedoctorApp(App[int]):
    CSS_PATH = "pipedoctor.tcss"
    TITLE = "pipedoctor"
    BINDINGS = bindings.APP_BINDINGS

    status: reactive[Text] = reactive(Text, always_update=True)
    failures_only: reactive[bool] = reactive(False)

    def __init__(
        self,
        snapshot: Snapshot,
        source: Source,
        *,
        fetch: Fetcher | None = None,
        fetch_on_start: bool = False,
        analyser: Analyser = analyse,
        now: datetime | None = None,
        fetch_timeout: float = DEFAULT_FETCH_TIMEOUT,
        blink: bool = True,
        save_dir: Path | str = DEFAULT_SAVE_DIR,
        osc52: bool | None = None,
    ) -> None:
        """`save_dir`: where `s` saves snapshots and a copy falls back to a file; `osc52`:
        whether the terminal takes clipboard writes (None: judged from the environment)."""
        super().__init__()
        self.source = source
        self.fetcher = fetch
        self.fetch_on_start = fetch_on_start
        self.analyser = analyser
        self.fixed_now = now
        self.fetch_timeout = fetch_timeout
        self.blink = blink
        self.save_dir = Path(save_dir)
        self.osc52 = osc52
        self.view = SnapshotView(snapshot)
        self._generation = 0
        self._fetch_started = 0.0
        self._fetch_count = 0
        self._fetch_what = ""
        self._fetch_worker: Worker[None] | None = None
        self._fetch_timers: list[Timer] = []
        self._newest_failure_asked = False  # `d` pressed before the analysis was in
        self.status_screen: Screen[Any] | None = None  # whose status line shows `status`

    @property
    def now(self) -> datetime:
        return self.fixed_now or now_utc()

    # Start-up and navigation

    def on_mount(self) -> None:
        from pipedoctor.tui.screens.pipelines import PipelinesScreen

        self.push_screen(PipelinesScreen())
        # The workers start once the first screen is drawn: their imports (rules, boto3) hold
        # the interpreter and would otherwise delay that first paint.
        if self.fetch_on_start and self.fetcher is not None:
            self.call_after_refresh(self.start_fetch)
        else:
            self.call_after_refresh(self._analyse)

    def pipedoctor_screens(self) -> list[PipedoctorScreen]:
        return [s for s in self.screen_stack if isinstance(s, PipedoctorScreen)]

    def header_context(self) -> list[tuple[str, str]]:
        snapshot = self.view.snapshot
        context = [
            ("account", snapshot.account_id),
            ("region", self.source.region or ", ".join(snapshot.regions)),
        ]
        if self.source.kind == "live":
            context.append(("credentials", credential_origin(self.source.profile or None)))
        else:
            context.append(("snapshot:", self.source.path or self.source.kind))
        return context

    def set_status(self, message: str, error: bool = False, *, everywhere: bool = False) -> None:
        """Say something on the status line of the screen on top (of every screen: `everywhere`).

        A screen's message goes when another screen says something, so none lingers elsewhere.
        """
        self.status_screen = None if everywhere else self._screen_below_modals()
        self.status = Text(clean(message), style="bold red" if error else "")

    def _screen_below_modals(self) -> Screen[Any] | None:
        screens = self.pipedoctor_screens()
        return screens[-1] if screens else None

    def copy(self, what: str, text: str) -> None:
        """Copy through the terminal; where that may not work, show the text and write a file."""
        from pipedoctor.tui.screens.copied import CopiedScreen

        self.copy_to_clipboard(text)
        works = self.osc52
        if works is None:
            works = osc52_plausible(os.environ, web=self.is_web)
        if works:
            self.set_status(f"copied {what} ({len(text)} characters)")
            return
        path = self.save_dir / file_name(what)
        try:
            self.save_dir.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        except OSError as error:
            saved = f"not written to {path}: {error.strerror or error}"
        else:
            saved = f"written to {path}"
        self.push_screen(CopiedScreen(what, text, saved))
        self.set_status(f"{what} shown for selection and {saved}")

    def show(self, screens: list[Screen[Any]]) -> None:
        """Go back to the pipelines list, then open `screens` in order (the breadcrumb)."""
        while len(self.pipedoctor_screens()) > 1 or not isinstance(self.screen, PipedoctorScreen):
            self.pop_screen()
        for screen in screens:
            self.push_screen(screen)

    def open_target(self, target: Target) -> None:
        from pipedoctor.tui.screens.diagnosis import DiagnosisScreen
        from pipedoctor.tui.screens.execution import ExecutionScreen
        from pipedoctor.tui.screens.findings import FindingsScreen
        from pipedoctor.tui.screens.log import LogScreen
        from pipedoctor.tui.screens.pipeline import PipelineScreen
        from pipedoctor.tui.screens.role import RoleScreen

        chains: dict[str, Callable[[], list[Screen[Any]]]] = {
            "pipelines": list,
            "findings": lambda: [FindingsScreen()],
            "pipeline": lambda: [PipelineScreen(target.key)],
            "execution": lambda: [
                PipelineScreen(target.pipeline),
                ExecutionScreen(target.pipeline, target.key),
            ],
            "build": lambda: [LogScreen(target.key)],
            "role": lambda: [RoleScreen(target.key)],
            "finding": lambda: [FindingsScreen(), DiagnosisScreen(target.key)],
        }
        self.show(chains[target.kind]())

    # App-wide actions

    def action_help(self) -> None:
        from pipedoctor.tui.screens.help import HelpScreen

        if isinstance(self.screen, PipedoctorScreen):
            self.push_screen(HelpScreen(self.screen))

    def action_jump(self) -> None:
        from pipedoctor.tui.screens.prompt import PromptScreen

        def go(query: str | None) -> None:
            if not query:
                return
            target = resolve(self.view, query)
            if target is None:
                self.set_status(f"nothing called {query!r} in the snapshot", error=True)
            else:
                self.open_target(target)

        prompt = PromptScreen(
            "jump to: pipelines, findings, or a pipeline, execution, build, project, role or cause",
            suggestions=suggestions(self.view),
        )
        self.push_screen(prompt, go)

    def action_newest_failure(self) -> None:
        """The chain pipeline › execution › top diagnosis of the newest failed execution."""
        from pipedoctor.tui.screens.diagnosis import DiagnosisScreen
        from pipedoctor.tui.screens.execution import ExecutionScreen
        from pipedoctor.tui.screens.pipeline import PipelineScreen

        if not self.view.analysed:
            self._newest_failure_asked = True
            self.set_status("analysing: the newest failure opens as soon as its diagnoses are in")
            return
        failure = newest_failure(self.view)
        if failure is None:
            self.set_status("no failed execution in the snapshot")
            return
        action = failure.action.action_execution_id if failure.action else ""
        chain: list[Screen[Any]] = [
            PipelineScreen(failure.pipeline, failure.execution_id),
            ExecutionScreen(failure.pipeline, failure.execution_id, action),
        ]
        if failure.finding is not None:
            chain.append(DiagnosisScreen(finding_key(failure.finding)))
        self.show(chain)
        if failure.finding is None:
            self.set_status("no diagnosis for the newest failure; l opens the build log")

    def action_failures_only(self) -> None:
        self.failures_only = not self.failures_only
        self.set_status("failures only" if self.failures_only else "showing everything")
        for screen in self.pipedoctor_screens():
            screen.apply_filter()

    def action_refresh(self) -> None:
        if self.fetcher is not None:
            self.start_fetch()
        else:
            self._analyse()

    def action_save(self) -> None:
        from pipedoctor.tui.screens.prompt import PromptScreen

        snapshot = self.view.snapshot
        stamp = "".join(ch for ch in snapshot.collected_at if ch.isalnum())[:15] or "now"
        default = str(self.save_dir / f"pipedoctor-{snapshot.account_id or 'snapshot'}-{stamp}.json")

        def save(path: str | None) -> None:
            if path:
                self.set_status(f"saving to {path}…")
                self.save_worker(path, snapshot)

        self.push_screen(PromptScreen("save the snapshot to", value=default), save)

    async def action_quit(self) -> None:
        self.exit(0)

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Pipelines", "the list of pipelines", lambda: self.show([]))
        yield SystemCommand(
            "All findings",
            "every finding, most severe first",
            lambda: self.open_target(Target("findings", "")),
        )
        yield SystemCommand("Refresh", "read the data again and re-analyse", self.action_refresh)
        yield SystemCommand("Save snapshot", "write the snapshot to a file", self.action_save)
        yield SystemCommand(
            "Failures only", "toggle showing only failures", self.action_failures_only
        )
        yield SystemCommand("Help", "the keys of this screen", self.action_help)
        if isinstance(screen, PipedoctorScreen):
            for what, text in screen.copy_targets():
                yield SystemCommand(
                    f"Copy {what}", text[:80], lambda w=what, t=text: self.copy(w, t)
                )
        for pipeline in self.view.snapshot.pipelines:
            target = Target("pipeline", pipeline.name)
            yield SystemCommand(
                f"Pipeline {pipeline.name}", pipeline.arn, lambda t=target: self.open_target(t)
            )
        for role in self.view.snapshot.roles:
            target = Target("role", role.arn)
            yield SystemCommand(f"Role {role.name}", role.arn, lambda t=target: self.open_target(t))

    # Data: fetch, analyse, save (thread workers reporting by message)

    def start_fetch(self) -> None:
        for timer in self._fetch_timers:
            timer.stop()
        self._fetch_started = time.monotonic()
        self._fetch_count, self._fetch_what = 0, ""
        self._fetch_timers = [
            self.set_interval(1.0, self._show_fetch_progress),
            self.set_timer(self.fetch_timeout, self._fetch_timed_out),
        ]
        self._show_fetch_progress()
        self._fetch_worker = self.fetch_worker()
        self.call_after_refresh(self._show_fetch_progress)  # once the first screen is mounted

    @work(thread=True, exclusive=True, exit_on_error=False, group="fetch")
    def fetch_worker(self) -> None:
        worker = get_current_worker()
        assert self.fetcher is not None
        count = 0

        def progress(what: str) -> None:
            nonlocal count
            count += 1
            if not worker.is_cancelled:
                self.post_message(FetchProgress(count, what))

        try:
            snapshot = self.fetcher(progress)
        except Exception as error:  # noqa: BLE001 - any failure is shown, none may crash the UI
            if not worker.is_cancelled:
                self.post_message(FetchFailed(describe_error(error)))
            return
        if not worker.is_cancelled:
            self.post_message(SnapshotFetched(snapshot))

    def _fetching(self) -> bool:
        return self._fetch_worker is not None and self._fetch_worker.is_running

    def _show_fetch_progress(self) -> None:
        if not self._fetch_timers:  # the fetch ended (its result already said) or never started
            return
        elapsed = int(time.monotonic() - self._fetch_started)
        what = f": {self._fetch_what}" if self._fetch_what else ""
        self.status_screen = None
        self.status = Text.assemble(
            ("⟳ fetching ", "bold cyan"), f"{self._fetch_count} read, {elapsed}s", clean(what)
        )
        self._say_loading(f"{elapsed}s{clean(what)}")

    def _say_loading(self, progress: str | None) -> None:
        from pipedoctor.tui.screens.pipelines import PipelinesScreen

        for screen in self.pipedoctor_screens():
            if isinstance(screen, PipelinesScreen) and screen.is_mounted:
                screen.loading(progress)

    def _fetch_timed_out(self) -> None:
        if not self._fetching():
            return
        assert self._fetch_worker is not None
        self._fetch_worker.cancel()
        self._stop_fetch_timers()
        self.set_status(
            f"AWS did not answer within {self.fetch_timeout:g}s: gave up waiting "
            "(showing the last data; r retries)",
            error=True,
            everywhere=True,
        )

    def _stop_fetch_timers(self) -> None:
        for timer in self._fetch_timers:
            timer.stop()
        self._fetch_timers = []
        self._say_loading(None)

    def on_fetch_progress(self, message: FetchProgress) -> None:
        self._fetch_count, self._fetch_what = message.count, message.what
        self._show_fetch_progress()

    def on_fetch_failed(self, message: FetchFailed) -> None:
        self._stop_fetch_timers()
        self.set_status(
            f"could not fetch: {message.error} (showing the last data; r retries)",
            error=True,
            everywhere=True,
        )

    def on_snapshot_fetched(self, message: SnapshotFetched) -> None:
        self._stop_fetch_timers()
        self._use(message.snapshot)

    def _use(self, snapshot: Snapshot) -> None:
        self.view = SnapshotView(snapshot)
        self._reload_screens()
        self._analyse()

    def _analyse(self) -> None:
        self._generation += 1
        self.set_status("analysing…")
        self.analysis_worker(self._generation, self.view.snapshot)

    @work(thread=True, exclusive=True, exit_on_error=False, group="analysis")
    def analysis_worker(self, generation: int, snapshot: Snapshot) -> None:
        try:
            findings = self.analyser(snapshot)
        except Exception as error:  # noqa: BLE001 - a broken rule must not take the UI down
            self.post_message(FetchFailed(f"analysis failed: {describe_error(error)}"))
            return
        self.post_message(AnalysisReady(generation, findings))

    def on_analysis_ready(self, message: AnalysisReady) -> None:
        if message.generation != self._generation:
            return
        self.view = SnapshotView(self.view.snapshot, message.findings)
        self._reload_screens()
        snapshot = self.view.snapshot
        summary = f"{len(snapshot.pipelines)} pipeline(s), {finding_count(self.view)} finding(s)"
        if newest_failure(self.view) is not None:
            summary += "; d opens the newest failure's diagnosis"
        if snapshot.errors:
            self.set_status(
                f"{summary}; {len(snapshot.errors)} read(s) failed, listed on the pipelines screen",
                error=True,
                everywhere=True,
            )
        else:
            self.set_status(summary)
        if self._newest_failure_asked:
            self._newest_failure_asked = False
            self.action_newest_failure()

    def _reload_screens(self) -> None:
        for screen in self.pipedoctor_screens():
            if screen.is_mounted:
                screen.reload()
                screen.show_header()

    @work(thread=True, exclusive=True, exit_on_error=False, group="save")
    def save_worker(self, path: str, snapshot: Snapshot) -> None:
        from pipedoctor.model import dump

        try:
            if Path(path).parent == self.save_dir:  # the save folder is made; other paths not
                self.save_dir.mkdir(parents=True, exist_ok=True)
            dump(snapshot, path)
        except (UserError, OSError) as error:
            self.post_message(SnapshotSaved(path, describe_error(error)))
            return
        self.post_message(SnapshotSaved(path))

    def on_snapshot_saved(self, message: SnapshotSaved) -> None:
        if message.error:
            self.set_status(f"not saved: {message.error}", error=True)
        else:
            self.set_status(f"saved the snapshot to {message.path}")


def run_app(snapshot: Snapshot, source: str | Source = "demo", **options: Any) -> int:
    """Run the TUI until the user quits; the exit code."""
    app = PipedoctorApp(
        snapshot, source if isinstance(source, Source) else Source(source), **options
    )
    result = app.run()
    return int(result or 0)
