"""AWS failures are one line each and cost bounded time: HTML error pages, an API the endpoint
lacks, an endpoint that accepts connections and never answers; -v and --debug say which call."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import boto3
import pytest

from pipedoctor import terminal
from pipedoctor.collect import CallCounter, ClientFactory
from pipedoctor.collect.clients import DEFAULT_MAX_ATTEMPTS
from pipedoctor.collect.progress import DelayedProgress
from pipedoctor.collect.reader import Reader
from pipedoctor.errors import one_line
from tests.collect.world import CONNECTION_ARN, PIPELINE, REGION

HTML_500 = (
    "<!doctype html>\n<html lang=en>\n<title>500 Internal Server Error</title>\n"
    "<h1>Internal Server Error</h1>\n<p>The server encountered an internal error and was unable "
    "to complete your request.</p>\n"
)
GENEROUS = 30.0  # seconds; the bounds below are about ten times tighter on a quiet machine


class HtmlServer:
    """Answers every request with an HTML page and the given status; counts the requests."""

    def __init__(self, status: int) -> None:
        owner = self
        self.requests = 0

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                owner.requests += 1
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                body = HTML_500.encode()
                self.send_response(status)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST

            def log_message(self, *_: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def html_500() -> Iterator[HtmlServer]:
    server = HtmlServer(500)
    yield server
    server.close()


@pytest.fixture
def silent_endpoint() -> Iterator[str]:
    """A socket that accepts connections and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    stop.set()
    thread.join()
    for connection in held:
        connection.close()
    listener.close()


def test_one_line_makes_an_html_page_its_title() -> None:
    assert one_line(HTML_500) == "HTML page: 500 Internal Server Error"
    assert one_line("<html><body><h1>Bad &amp; Gateway</h1></body></html>") == (
        "HTML page: Bad & Gateway"
    )
    assert one_line(f"HTTP 500: {HTML_500}") == "HTTP 500: HTML page: 500 Internal Server Error"
    assert one_line("first line\n  second line") == "first line second line"
    long = one_line("x " * 500)
    assert len(long) == 200 and long.endswith("…")
    assert one_line("Role <b> is not authorized") == "Role <b> is not authorized"  # not a page


def test_an_api_the_endpoint_lacks_is_one_line_and_a_few_attempts(
    html_500: HtmlServer, capsys: pytest.CaptureFixture[str]
) -> None:
    terminal.configure(terminal.VERBOSE)
    session = boto3.Session(aws_access_key_id="a", aws_secret_access_key="b", region_name=REGION)
    client = ClientFactory(session, endpoint_url=html_500.url).client("codeconnections", REGION)
    reader = Reader()
    started = time.monotonic()
    assert (
        reader.call(client, "get_connection", CONNECTION_ARN, ConnectionArn=CONNECTION_ARN) is None
    )
    elapsed = time.monotonic() - started
    assert html_500.requests == DEFAULT_MAX_ATTEMPTS + 1  # the retry budget, then give up
    assert elapsed < GENEROUS
    [error] = reader.errors
    assert (error.service, error.operation, error.code) == (
        "codeconnections",
        "GetConnection",
        "500",
    )
    assert error.message == "HTML page: 500 Internal Server Error"
    said = capsys.readouterr().err.splitlines()  # -v: each retry and why, then the failed call
    assert len(said) == DEFAULT_MAX_ATTEMPTS + 1
    assert said[0].startswith(
        f"pipedoctor: {REGION} codeconnections:GetConnection retry 1 of 3, after attempt 1 "
    )
    assert said[0].endswith("(HTTP 500 500: HTML page: 500 Internal Server Error)")
    assert said[2].startswith(f"pipedoctor: {REGION} codeconnections:GetConnection retry 3 of 3")
    assert said[-1].startswith(f"pipedoctor: {REGION} codeconnections:GetConnection failed in ")
    assert said[-1].endswith("4 attempt(s): HTTP 500 500: HTML page: 500 Internal Server Error")


def test_moto_lacking_an_api_gives_a_one_line_collection_error(moto_endpoint: str) -> None:
    factory = ClientFactory(boto3.Session(), endpoint_url=moto_endpoint, max_attempts=0)
    reader = Reader()
    client = factory.client("codeconnections", REGION)
    reader.call(client, "get_connection", CONNECTION_ARN, ConnectionArn=CONNECTION_ARN)
    [error] = reader.errors
    assert "\n" not in error.message and "<" not in error.message
    assert error.message.startswith("HTML page: ")


def test_html_error_at_the_first_call_is_one_line_with_exit_3_and_verbose_says_which_call(
    run_cli: Any, html_500: HtmlServer, moto_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", html_500.url)
    code, out, err = run_cli("-v", "check", "--pipeline", PIPELINE)
    assert (code, out) == (3, "")
    lines = [line for line in err.splitlines() if ": collect: " not in line]  # not the steps
    assert lines[-1] == (
        "pipedoctor: error: cannot use AWS: the endpoint's answer is not an AWS response: "
        "HTML page: 500 Internal Server Error"
    ), err
    assert f"pipedoctor: {REGION} sts:GetCallerIdentity failed in " in err  # -v
    assert len(lines) == 2 and all("<" not in line for line in lines)


def test_an_endpoint_that_never_answers_fails_in_seconds(
    run_cli: Any, silent_endpoint: str, moto_endpoint: str
) -> None:
    started = time.monotonic()
    code, out, err = run_cli(
        "collect", "--pipeline", PIPELINE, "--endpoint-url", silent_endpoint, "-o", "-"
    )
    assert time.monotonic() - started < GENEROUS
    assert (code, out) == (3, "")
    assert err == (
        f"pipedoctor: error: cannot reach AWS: {silent_endpoint}/ accepted the connection but did "
        "not answer\n"
    )


def test_debug_logs_every_call_with_its_time(
    run_cli: Any, moto_endpoint: str, stubbed_factory: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pipedoctor.app import live as collect_command

    factory = stubbed_factory()
    monkeypatch.setattr(collect_command, "client_factory", lambda session, url: factory)
    code, _, err = run_cli(
        "collect", "--pipeline", PIPELINE, "--endpoint-url", moto_endpoint, "-o", "-", "--debug"
    )
    assert code == 0, err
    assert f"pipedoctor: {REGION} sts:GetCallerIdentity ok in " in err
    assert f"{REGION} codepipeline:GetPipeline ok in " in err
    code, _, quiet_err = run_cli(
        "collect", "--pipeline", PIPELINE, "--endpoint-url", moto_endpoint, "-o", "-"
    )
    assert code == 0 and " ok in " not in quiet_err


def test_steps_are_shown_only_once_the_run_lasts() -> None:
    shown: list[str] = []
    with DelayedProgress(shown.append, CallCounter(), delay=0.2, every=0.3) as step:
        step("reading pipelines")  # before the delay: held back
        assert shown == []
        deadline = time.monotonic() + GENEROUS
        while not shown and time.monotonic() < deadline:
            time.sleep(0.02)
        assert shown == ["reading pipelines"]
        step("reading builds")  # after the delay: at once
        assert shown[-1] == "reading builds"
        while len(shown) < 3 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert shown[2].startswith("reading builds (0 calls, ")  # a reminder while it lasts
    with DelayedProgress(shown.append, CallCounter(), delay=5.0) as step:
        step("quick")
    assert "quick" not in shown


def test_steps_go_to_a_terminal_or_with_verbose_never_with_quiet() -> None:
    terminal.configure(terminal.VERBOSE)
    assert terminal.live_progress()
    terminal.configure(terminal.QUIET)
    assert not terminal.live_progress()
    terminal.configure(terminal.NORMAL)
    assert not terminal.live_progress()  # stderr is captured here, not a terminal


def test_an_old_snapshot_holding_an_html_page_is_reported_on_one_line() -> None:
    from pipedoctor.model import CollectionError
    from pipedoctor.report.text import render_text

    error = CollectionError("codeconnections", "GetConnection", "500", HTML_500, CONNECTION_ARN)
    text = render_text([], [error])
    assert f"GetConnection {CONNECTION_ARN}: 500: HTML page: 500 Internal Server Error\n" in text
    assert "<" not in text


def test_a_failing_first_call_is_not_called_a_refusal_of_the_credentials() -> None:
    from botocore.exceptions import ClientError

    from pipedoctor.collect.identity import unavailable

    def answer(status: int, code: str, message: str) -> ClientError:
        response = {"Error": {"Code": code, "Message": message}}
        response["ResponseMetadata"] = {"HTTPStatusCode": status}  # type: ignore[assignment]
        return ClientError(response, "GetCallerIdentity")  # type: ignore[arg-type]

    assert str(unavailable(answer(503, "ServiceUnavailable", HTML_500))) == (
        "cannot use AWS: sts:GetCallerIdentity answered HTTP 503: ServiceUnavailable: "
        "HTML page: 500 Internal Server Error"
    )
    assert str(unavailable(answer(403, "InvalidClientTokenId", "The token is invalid."))) == (
        "AWS refused the credentials: InvalidClientTokenId: The token is invalid."
    )
