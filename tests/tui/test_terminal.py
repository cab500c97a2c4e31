"""The TUI in a real terminal (tmux): the CLIENT_ERROR diagnosis and its fix three keys from launch,
at 140x45 and at 80x24 (where help and quit stay in the footer)."""

from __future__ import annotations

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
TIMEOUT = 20.0


DEMO_FILE = Path(pipedoctor.demo.__file__).with_name("demo-snapshot.json")
FIX = "Add this statement to the CodeBuild service role"


class Terminal:
    def __init__(self) -> None:
        self.socket = f"pipedoctor-test-{os.getpid()}"
        self.sent: list[str] = []

    def tmux(self, *args: str) -> str:
        # Own server and no user configuration: nothing else decides the window size.
        command = ["tmux", "-L", self.socket, "-f", os.devnull, *args]
        # COLUMNS/LINES from the test run would override the terminal's real size in the app.
        env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
        return subprocess.run(command, capture_output=True, text=True, check=False, env=env).stdout

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", "demo")

    def wait_for(self, found: Callable[[str], bool]) -> str:
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            screen = self.screen()
            if found(screen):
                return screen
            time.sleep(0.2)
        raise AssertionError(f"not on screen after {TIMEOUT}s:\n{self.screen()}")

    def keys(self, *keys: str) -> None:
        for key in keys:
            self.sent.append(key)
            self.tmux("send-keys", "-t", "demo", key)
            time.sleep(0.3)


def test_demo_in_tmux_shows_the_client_error_diagnosis_and_fix() -> None:
    terminal = Terminal()
    command = f"{sys.executable} -m pipedoctor.cli demo; sleep 5"
    terminal.tmux("new-session", "-d", "-s", "demo", "-x", "140", "-y", "45", command)
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
        terminal.wait_for(lambda s: "read-only" not in s)  # quit: the shell's sleep is left
    finally:
        terminal.tmux("kill-server")


def test_snapshot_at_80x24_keeps_help_and_quit_and_d_opens_the_fix() -> None:
    terminal = Terminal()
    command = f"{sys.executable} -m pipedoctor.cli tui --snapshot {DEMO_FILE}; sleep 5"
    terminal.tmux("new-session", "-d", "-s", "demo", "-x", "80", "-y", "24", command)
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
        terminal.wait_for(lambda s: "read-only" not in s)
    finally:
        terminal.tmux("kill-server")
