"""Start-up of `pipedoctor check` on a one-Dockerfile repository, interpreter start included.

Each command runs N times in turn (so load on the shared machine hits them alike); the median
wall time and the median CPU time (user + system of the child) are printed against bare
`python -c pass` and `pipedoctor --version` measured in the same run. Bytecode is written on a
warm-up run first, as an installed package has it; the rule cache lives in a temporary folder,
and its first (cold) run is reported on its own.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GOAL_SECONDS = 0.15


def _child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_once(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    cpu_before = _child_cpu()
    started = time.perf_counter()
    subprocess.run(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - started, _child_cpu() - cpu_before


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=31, help="runs of each command (default 31)")
    args = parser.parse_args()

    pipedoctor = str(Path(sys.executable).with_name("pipedoctor"))
    with tempfile.TemporaryDirectory() as folder:
        repository = Path(folder) / "repository"
        repository.mkdir()
        (repository / "Dockerfile").write_text("FROM node:20\nRUN npm ci\n")
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["XDG_CACHE_HOME"] = str(Path(folder) / "cache")
        commands = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "pipedoctor --version": [pipedoctor, "--version"],
            "pipedoctor check": [pipedoctor, "check", str(repository), "--exit-zero"],
        }
        subprocess.run(  # bytecode for every module the check needs, and nothing cached yet
            [*commands["pipedoctor check"][:-1], "--exit-zero"],
            env={**env, "XDG_CACHE_HOME": str(Path(folder) / "warm-up")},
            stdout=subprocess.DEVNULL,
            check=True,
        )
        cold_wall, cold_cpu = run_once(commands["pipedoctor check"], env)  # builds the rule cache
        results: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
        for _ in range(args.runs):
            for name, command in commands.items():
                results[name].append(run_once(command, env))

    wall = {name: statistics.median(t[0] for t in runs) for name, runs in results.items()}
    cpu = {name: statistics.median(t[1] for t in runs) for name, runs in results.items()}
    base = "python -c pass"
    print(f"median of {args.runs} runs, load average {os.getloadavg()[0]:.1f}")
    print(f"{'command':<24}{'wall':>9}{'cpu':>9}{'wall / python':>15}{'cpu / python':>14}")
    for name in commands:
        print(
            f"{name:<24}{wall[name] * 1000:>7.0f}ms{cpu[name] * 1000:>7.0f}ms"
            f"{wall[name] / wall[base]:>14.1f}x{cpu[name] / cpu[base]:>13.1f}x"
        )
    print(f"pipedoctor check, first run (rule cache built): {cold_wall * 1000:.0f} ms wall, "
          f"{cold_cpu * 1000:.0f} ms cpu")
    check = wall["pipedoctor check"]
    print(f"check start-up: {check * 1000:.0f} ms median wall (goal <= {GOAL_SECONDS * 1000:.0f} ms): "
          f"{'met' if check <= GOAL_SECONDS else 'NOT met'}")


if __name__ == "__main__":
    main()
