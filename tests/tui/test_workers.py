"""AWS reads run in workers: progress is counted, failures and hangs show, the UI never blocks."""

from __future__ import annotations

import threading

import pytest
from botocore.exceptions import ClientError

from pipedoctor.model import CollectionError, Snapshot
from pipedoctor.tui.app import Source
from pipedoctor.tui.messages import FetchFailed, FetchProgress, SnapshotFetched
from pipedoctor.tui.screens.help import HelpScreen
from tests.tui.conftest import (
    SIZE,
    Recorder,
    demo_snapshot,
    header_text,
    settle,
    static_text,
    table_text,
)

pytestmark = pytest.mark.asyncio
LIVE = Source("live", profile="ci", region="eu-west-2")


def access_denied(operation: str) -> ClientError:
    error = {"Error": {"Code": "AccessDenied", "Message": "not authorized to perform this action"}}
    return ClientError(error, operation)  # type: ignore[arg-type]


async def test_live_fetch_reports_progress_then_shows_the_snapshot(make_app) -> None:
    def fetch(progress):
        progress("deploy-myapp (eu-west-2): 3 execution(s)")
        progress("roles")
        return demo_snapshot()

    recorder = Recorder()
    app = make_app(Snapshot(regions=["eu-west-2"]), source=LIVE, fetch=fetch, fetch_on_start=True)
    async with app.run_test(size=SIZE, message_hook=recorder) as pilot:
        await settle(pilot)
        assert [m.count for m in recorder.of(FetchProgress)][-1] == 2
        assert len(recorder.of(SnapshotFetched)) == 1
        assert "profile ci" in header_text(pilot) and "account 123456789012" in header_text(pilot)
        assert table_text(pilot, "#pipelines")[0].startswith("deploy-myapp")


async def test_access_denied_on_the_whole_fetch_shows_in_the_status_line(make_app) -> None:
    def fetch(progress):
        raise access_denied("ListPipelines")

    recorder = Recorder()
    app = make_app(demo_snapshot(), source=LIVE, fetch=fetch, fetch_on_start=True)
    async with app.run_test(size=SIZE, message_hook=recorder) as pilot:
        await settle(pilot)
        assert len(recorder.of(FetchFailed)) == 1
        assert "could not fetch: ClientError: An error occurred (AccessDenied)" in app.status.plain
        assert "ListPipelines" in app.status.plain
        await settle(pilot, "question_mark")  # still responsive
        assert isinstance(app.screen, HelpScreen)


async def test_access_denied_on_part_of_the_data_lists_what_was_not_read(make_app) -> None:
    def fetch(progress):
        snapshot = demo_snapshot()
        snapshot.errors.append(
            CollectionError(
                "iam", "GetRolePolicy", "AccessDenied", "not authorized", "codebuild-role"
            )
        )
        return snapshot

    app = make_app(Snapshot(), source=LIVE, fetch=fetch, fetch_on_start=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        errors = static_text(pilot, "#errors")
        assert "could not read (1)" in errors
        assert "iam:GetRolePolicy codebuild-role: AccessDenied: not authorized" in errors
        assert "1 read(s) failed" in app.status.plain
        assert table_text(pilot, "#pipelines")[0].startswith("deploy-myapp")


FETCH_TIMEOUT = 4.0  # long enough that the app is up and "fetching" before it expires, on a busy machine too


async def test_a_hung_call_times_out_without_freezing_the_ui(make_app) -> None:
    release, answered = threading.Event(), threading.Event()

    def fetch(progress):
        progress("deploy-myapp (eu-west-2): 1 execution(s)")
        release.wait(20)
        answered.set()
        return Snapshot(account_id="999999999999")

    app = make_app(
        demo_snapshot(), source=LIVE, fetch=fetch, fetch_on_start=True, fetch_timeout=FETCH_TIMEOUT
    )
    try:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            assert "fetching" in app.status.plain
            await pilot.press("question_mark")  # the UI answers while the call hangs
            assert isinstance(app.screen, HelpScreen)
            await pilot.press("escape")
            for _ in range(200):  # wait for the timeout, however busy the machine is
                if "did not answer" in app.status.plain:
                    break
                await pilot.pause(0.1)
            assert f"AWS did not answer within {FETCH_TIMEOUT:g}s" in app.status.plain
            release.set()
            # Not settle(): waiting on the cancelled worker raises WorkerCancelled while it is still
            # listed, which depends on timing. Wait for the abandoned call itself to return.
            assert answered.wait(10)
            await pilot.pause(0.3)
            # The late answer of the abandoned call is dropped, not shown.
            assert app.view.snapshot.account_id != "999999999999"
    finally:
        release.set()
