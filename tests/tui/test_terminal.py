"""`pipedoctor demo` in a real terminal (tmux): the CLIENT_ERROR diagnosis and its fix on screen."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable

import pytest

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
TIMEOUT = 20.0


class Terminal:
    def __init__(self) -> None:
        self.socket = f"pipedoctor-test-{os.getpid()}"

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
        assert "1   0.99        HIGH      codebuild-role-missing-use-connection" in screen
        terminal.keys("Enter", "Enter")
        fix = (
            "Add this statement to the CodeBuild service role",
            '"codeconnections:UseConnection"',
        )
        screen = terminal.wait_for(lambda s: all(text in s for text in fix))
        assert "read-only" in screen and "snapshot: demo" in screen
        terminal.keys("q")
        terminal.wait_for(lambda s: "read-only" not in s)  # quit: the shell's sleep is left
    finally:
        terminal.tmux("kill-server")
