"""The TUI in a real terminal (tmux): the CLIENT_ERROR diagnosis and its fix three keys from launch,
at 140x45 and at 80x24 (where help and quit stay in the footer)."""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

import pipedoctor.demo

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
TIMEOUT = 30.0
# After the app: its exit status and whatever it printed stay on screen for a failure's message.
AFTER_EXIT = '; echo "exited with $?"; sleep 120'


DEMO_FILE = Path(pipedoctor.demo.__file__).with_name("demo-snapshot.json")
FIX = "Add this statement to the CodeBuild service role"
SERVER_NUMBERS = itertools.count()


class Terminal:
    def __init__(self) -> None:
        # A server of its own per test: a new session on the socket of a server that is still
        # shutting down from the previous test can be lost with it.
        self.socket = f"pipedoctor-test-{os.getpid()}-{next(SERVER_NUMBERS)}"
        self.sent: list[str] = []

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        # Own server and no user configuration: nothing else decides the window size.
        command = ["tmux", "-L", self.socket, "-f", os.devnull, *args]
        # COLUMNS/LINES from the test run would override the terminal's real size in the app.
        env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
        return subprocess.run(command, capture_output=True, text=True, check=False, env=env)

    def tmux(self, *args: str) -> str:
        return self.run(*args).stdout

    def start(self, width: int, height: int, command: str) -> None:
        size = ("-x", str(width), "-y", str(height))
        started = self.run("new-session", "-d", "-s", "demo", *size, command)
        assert started.returncode == 0, f"tmux could not start the session: {started.stderr}"

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", "demo")

    def wait_for(self, found: Callable[[str], bool]) -> str:
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            screen = self.screen()
            if found(screen):
                return screen
            time.sleep(0.2)
        capture = self.run("capture-pane", "-p", "-t", "demo")
        no_pane = f"(no pane: {capture.stderr.strip()})"
        shown = capture.stdout if capture.returncode == 0 else no_pane
        raise AssertionError(f"not on screen after {TIMEOUT}s:\n{shown}")

    def keys(self, *keys: str) -> None:
        for key in keys:
            self.sent.append(key)
            self.tmux("send-keys", "-t", "demo", key)
            time.sleep(0.3)


def test_demo_in_tmux_shows_the_client_error_diagnosis_and_fix() -> None:
    terminal = Terminal()
    command = f"{sys.executable} -m pipedoctor.cli demo{AFTER_EXIT}"
    terminal.start(140, 45, command)
    try:
        terminal.wait_for(lambda s: "deploy-myapp" in s and "finding(s)" in s)
        terminal.keys("Enter", "Enter")
        # The terminal is drawn in pieces: wait until everything expected is there.
        diagnosis = (
            "codebuild-role-missing-use-connection",
            "CodeBuild role cannot use the source",
        )
        screen = terminal.wait_for(lambda s: all(text in s for text in diagnosis))
        assert "1   0.99   HIGH      CodeBuild role cannot use the source connection" in screen
        terminal.keys("Enter")
        fix = (FIX, '"codeconnections:UseConnection"')
        screen = terminal.wait_for(lambda s: all(text in s for text in fix))
        assert terminal.sent == ["Enter", "Enter", "Enter"]
        assert "read-only" in screen and "snapshot: demo" in screen
        terminal.keys("q")
        terminal.wait_for(lambda s: "exited with 0" in s)
    finally:
        terminal.tmux("kill-server")


def test_snapshot_at_80x24_keeps_help_and_quit_and_d_opens_the_fix() -> None:
    terminal = Terminal()
    command = f"{sys.executable} -m pipedoctor.cli tui --snapshot {DEMO_FILE}{AFTER_EXIT}"
    terminal.start(80, 24, command)
    try:
        keys = ("? help", "q quit", "d newest failure")
        screen = terminal.wait_for(
            lambda s: "d opens the newest failure" in s and all(key in s for key in keys)
        )
        footer = screen.rstrip("\n").splitlines()[-1]
        assert "? help" in footer and "q quit" in footer and "d newest failure" in footer
        terminal.keys("d")
        screen = terminal.wait_for(lambda s: "Add this statement" in s and "q quit" in s)
        assert "b7e2c0d4 › codebuild-role-missing-use-connection" in screen
        assert "demo-snapshot.json" in screen.splitlines()[0]  # the header keeps to one line
        assert max(len(line) for line in screen.splitlines()) <= 80
        footer = screen.rstrip("\n").splitlines()[-1]
        assert "? help" in footer and "q quit" in footer
        assert terminal.sent == ["d"]
        terminal.keys("q")
        terminal.wait_for(lambda s: "exited with 0" in s)
    finally:
        terminal.tmux("kill-server")
