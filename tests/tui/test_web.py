"""`pipedoctor tui --web`: the TUI served to a browser, loaded in headless Chromium.

The browser terminal (xterm.js) draws on a canvas, so the page's DOM never holds the app's text.
What is asserted instead, through the Chrome DevTools Protocol: the bytes the app streams to the
page over the websocket, which the page's terminal draws, hold what the TUI shows; and a key typed
into the page's terminal reaches the app, which answers with the diagnosis and its fix.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

import pipedoctor.demo

pytest.importorskip("textual_serve", reason="the `web` extra (textual-serve) is not installed")
aiohttp = pytest.importorskip("aiohttp", reason="aiohttp comes with textual-serve")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")

DEMO_FILE = Path(pipedoctor.demo.__file__).with_name("demo-snapshot.json")
TIMEOUT = 60.0
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1280,900",
    "--remote-debugging-port=0",
]
# Installed before the page's own scripts: keeps, as text, every byte the app sends the terminal.
RECORD_TERMINAL_BYTES = """
(() => {
  const Original = window.WebSocket;
  const decoder = new TextDecoder();
  window.__received = "";
  window.WebSocket = function (url, protocols) {
    const socket = new Original(url, protocols);
    socket.addEventListener("message", (event) => {
      if (typeof event.data !== "string") {
        window.__received += decoder.decode(new Uint8Array(event.data), {stream: true});
      }
    });
    return socket;
  };
  window.WebSocket.prototype = Original.prototype;
})();
"""
ESCAPES = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_http(url: str) -> str:
    deadline = time.monotonic() + TIMEOUT
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.read().decode()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def stop(process: subprocess.Popen[bytes]) -> None:
    """End the process group this test started (the server and the app sessions it spawned)."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(10)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(process.pid, signal.SIGKILL)


class DevTools:
    """A minimal Chrome DevTools Protocol client over one page's websocket."""

    def __init__(self, socket: aiohttp.ClientWebSocketResponse) -> None:
        self.socket = socket
        self.next_id = 0

    async def call(self, method: str, **params: object) -> dict:
        self.next_id += 1
        await self.socket.send_json({"id": self.next_id, "method": method, "params": params})
        while True:
            message = json.loads((await self.socket.receive(timeout=TIMEOUT)).data)
            if message.get("id") == self.next_id:
                assert "error" not in message, message
                return message.get("result", {})

    async def evaluate(self, expression: str) -> object:
        result = await self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        return result["result"].get("value")

    async def terminal_text_until(self, *wanted: str) -> str:
        deadline = time.monotonic() + TIMEOUT
        text = ""
        while time.monotonic() < deadline:
            text = ESCAPES.sub("", str(await self.evaluate("window.__received || ''")))
            if all(item in text for item in wanted):
                return text
            await asyncio.sleep(0.3)
        raise AssertionError(f"{wanted} not sent to the page in {TIMEOUT}s; got {text[-2000:]!r}")


def page_socket_url(profile: Path) -> str:
    port_file = profile / "DevToolsActivePort"
    deadline = time.monotonic() + TIMEOUT
    while not port_file.exists() or not port_file.read_text().strip():
        assert time.monotonic() < deadline, "chromium did not open its DevTools port"
        time.sleep(0.1)
    port = port_file.read_text().splitlines()[0]
    targets = json.loads(wait_for_http(f"http://127.0.0.1:{port}/json/list"))
    return next(t["webSocketDebuggerUrl"] for t in targets if t["type"] == "page")


async def drive(page_url: str, profile: Path) -> tuple[str, str, str]:
    devtools_url = page_socket_url(profile)
    async with (
        aiohttp.ClientSession() as session,
        session.ws_connect(devtools_url, max_msg_size=0) as page,
    ):
        tools = DevTools(page)
        await tools.call("Page.enable")
        await tools.call("Page.addScriptToEvaluateOnNewDocument", source=RECORD_TERMINAL_BYTES)
        await tools.call("Page.navigate", url=page_url)
        first = await tools.terminal_text_until("deploy-myapp", "read-only", "finding(s)")
        classes = str(await tools.evaluate("document.body.className"))
        await tools.evaluate("document.querySelector('.xterm-helper-textarea').focus()")
        await tools.call("Input.insertText", text="d")
        after = await tools.terminal_text_until("Add this statement")
        return first, classes, after


def test_web_mode_serves_the_tui_to_chromium_and_takes_keys(tmp_path: Path) -> None:
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pipedoctor.cli",
            "tui",
            "--web",
            "--port",
            str(port),
            "--snapshot",
            str(DEMO_FILE),
            "--save-dir",
            str(tmp_path / "saves"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    profile = tmp_path / "chromium-profile"
    browser = None
    try:
        page_url = f"http://127.0.0.1:{port}/"
        index = wait_for_http(page_url)
        assert "textual-terminal" in index and f"ws://127.0.0.1:{port}/ws" in index
        browser = subprocess.Popen(
            [CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "about:blank"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        first, classes, after = asyncio.run(drive(page_url, profile))
    finally:
        if browser is not None:
            stop(browser)
        stop(server)
    # The pipelines screen, streamed to the page's terminal, which received and drew it.
    assert "snapshot:" in first and "? help" in first
    assert "-first-byte" in classes
    # `d` typed into the page reached the app: the newest failure's diagnosis and fix came back.
    assert "CodeBuild role cannot use the source connection" in after
