"""First paint of `pipedoctor tui --snapshot` in a real terminal (tmux), process start included.

Each run opens a fresh tmux session (its own server, no user configuration, 160x45) whose command
is the TUI on the demo snapshot, and polls the pane until the first screen is drawn: the pipeline
row and the footer's `? help` are both on it. The time runs from just before tmux starts to the
first capture that shows both. The capture poll costs a few milliseconds, so figures are a few ms
late at worst.

Baselines in the same run, measured the same way: `python -c` printing a line (interpreter and
tmux), and a minimal Textual app drawing one line (Textual's own start-up and first paint).
Runs alternate between the commands so that load on the shared machine hits them alike.
"""

from __future__ import annotations

import argparse
import os
import shlex
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pipedoctor.demo

DEMO_FILE = Path(pipedoctor.demo.__file__).with_name("demo-snapshot.json")
SIZE = ("160", "45")
TIMEOUT = 30.0
MINIMAL_TEXTUAL = """
from textual.app import App
from textual.widgets import Footer, Static

class Minimal(App):
    def compose(self):
        yield Static("deploy-myapp")
        yield Footer()

Minimal().run()
"""


RUNS = iter(range(1_000_000))


def first_paint(command: list[str], wanted: tuple[str, ...], socket: str) -> float:
    # A tmux server of its own per run: a killed server's socket may linger for a moment.
    tmux = ["tmux", "-L", f"{socket}-{next(RUNS)}", "-f", os.devnull]
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    shell = shlex.join(command) + "; sleep 30"
    start = time.perf_counter()
    subprocess.run(
        [*tmux, "new-session", "-d", "-s", "b", "-x", SIZE[0], "-y", SIZE[1], shell],
        env=env,
        check=True,
    )
    try:
        while time.perf_counter() - start < TIMEOUT:
            screen = subprocess.run(
                [*tmux, "capture-pane", "-p", "-t", "b"], capture_output=True, text=True, check=False
            ).stdout
            if all(text in screen for text in wanted):
                return time.perf_counter() - start
            time.sleep(0.005)
        raise SystemExit(f"not drawn in {TIMEOUT}s: {shlex.join(command)}")
    finally:
        subprocess.run([*tmux, "kill-server"], check=False, capture_output=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="runs of each command (default 15)")
    args = parser.parse_args()
    pipedoctor = str(Path(sys.executable).with_name("pipedoctor"))
    commands = {
        "python -c print (floor)": (
            [sys.executable, "-c", "print('deploy-myapp ? help')"],
            ("deploy-myapp", "? help"),
        ),
        "minimal Textual app": ([sys.executable, "-c", MINIMAL_TEXTUAL], ("deploy-myapp", "^p")),
        "pipedoctor tui --snapshot demo": (
            [pipedoctor, "tui", "--snapshot", str(DEMO_FILE)],
            ("deploy-myapp", "? help"),
        ),
    }
    socket = f"pipedoctor-bench-{os.getpid()}"
    for command, wanted in commands.values():  # warm-up: bytecode written, files cached
        first_paint(command, wanted, socket)
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(args.runs):
        for name, (command, wanted) in commands.items():
            times[name].append(first_paint(command, wanted, socket))
    print(f"first paint through tmux {SIZE[0]}x{SIZE[1]}, process start included; "
          f"{args.runs} runs each, load average {os.getloadavg()[0]:.1f}")
    floor = statistics.median(times["minimal Textual app"])
    for name, runs in times.items():
        median = statistics.median(runs)
        print(
            f"  {name:<32} median {median:.2f} s (min {min(runs):.2f}, max {max(runs):.2f}); "
            f"{median / floor:.2f}x the minimal Textual app"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
