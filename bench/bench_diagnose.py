"""Diagnosing log text vs a plain regex scan: `pipedoctor diagnose --text` against `grep -E -f`.

Builds a realistic CodeBuild log (default 200 MB; `--mb N`) with failures sprinkled in, then times
both on the same file in the same run and prints MB/s, the ratio to grep (pipedoctor on every core,
and pinned to one core like grep) and peak memory. CPU seconds (user + system of the command and
its workers) are printed beside wall seconds: on a shared machine they are the steadier measure.
Goal: pipedoctor >= 0.5x grep's throughput, memory flat in input size.
"""

from __future__ import annotations

import argparse
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

LINES = [
    "[Container] 2026/11/27 10:{m:02d}:{s:02d}.{u:06d} Running command npm ci --omit=dev",
    "[Container] 2026/11/27 10:{m:02d}:{s:02d}.{u:06d} Phase complete: INSTALL State: SUCCEEDED",
    "[Container] 2026/11/27 10:{m:02d}:{s:02d}.{u:06d} Entering phase BUILD",
    "Step {n}/12 : RUN apk add --no-cache python3 make g++",
    " ---> Running in 5f3c2a{u:06d}",
    "added {n} packages, and audited {u} packages in 14s",
    "#{n} [build 3/7] COPY package*.json ./",
    "#{n} DONE 0.{n}s",
    "{u:06d}: Pushed",
    "latest: digest: sha256:{u:064d} size: 2419",
    "npm WARN deprecated inflight@1.0.6: This module is not supported, and leaks memory.",
    "[Container] 2026/11/27 10:{m:02d}:{s:02d}.{u:06d} Running command docker build -t $REPOSITORY_URI:$TAG .",
    # a deploy tool waiting on the service relays ECS's events, which are read again as ECS's texts
    "2026/11/27 10:{m:02d}:{s:02d} (service web) has started {n} tasks: (task {u:032d}).",
]
FAILURES = [
    "toomanyrequests: You have reached your pull rate limit. You may increase the limit by authenticating",
    "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?",
    "[Container] 2026/11/27 10:00:00 Phase context status code: CLIENT_ERROR Message: authorization failed for primary source and source version main",
    "no basic auth credentials",
]


def build_log(path: Path, megabytes: int) -> None:
    rng = random.Random(7)
    target = megabytes << 20
    written = 0
    with path.open("w") as out:
        while written < target:
            block = []
            for _ in range(5000):
                template = rng.choice(LINES)
                block.append(template.format(m=rng.randrange(60), s=rng.randrange(60), u=rng.randrange(10**6), n=rng.randrange(1, 99)))
            if rng.random() < 0.05:
                block.append(rng.choice(FAILURES))
            text = "\n".join(block) + "\n"
            out.write(text)
            written += len(text)


def ere(pattern: str) -> str:
    """RE2 syntax to POSIX ERE for grep (case folding comes from grep -i)."""
    pattern = re.sub(r"^\(\?[a-z]+\)", "", pattern)
    pattern = pattern.replace("\n", "\\n")  # a newline a YAML double-quoted pattern wrote: one line per pattern
    pattern = re.sub(r"\(\?P<\w+>|\(\?[a-zA-Z-]*:", "(", pattern)  # groups, scoped flags too
    for short, posix in [(r"\d", "[0-9]"), (r"\w", "[[:alnum:]_]"), (r"\s", "[[:space:]]"), (r"\S", "[^[:space:]]")]:
        pattern = pattern.replace(short, posix)
    return pattern


# Output goes to a pipe, never /dev/null: GNU grep stops at the first match when its output is
# /dev/null, which would time a partial scan.
PEAK_RSS = (
    "import resource, subprocess, sys\n"
    "subprocess.run(sys.argv[1:], stdout=subprocess.PIPE)\n"
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024)\n"
)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(command: list[str]) -> tuple[float, int, float]:
    """Wall seconds and CPU seconds (measured here) and peak RSS in MB (measured by a wrapper of
    this one run)."""
    cpu_before = _children_cpu()
    start = time.perf_counter()
    done = subprocess.run(command, stdout=subprocess.PIPE, check=False)
    elapsed = time.perf_counter() - start
    cpu = _children_cpu() - cpu_before
    if done.returncode not in (0, 1):
        sys.exit(f"{command[0]} failed with exit code {done.returncode}")
    peak = subprocess.run(
        [sys.executable, "-c", PEAK_RSS, *command], capture_output=True, text=True, check=False
    )
    return elapsed, int(peak.stdout.strip() or 0), cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mb", type=int, default=200)
    args = parser.parse_args()
    from pipedoctor.diagnose import load_rules

    rules = load_rules()
    patterns = [ere(p.source) for rule in rules if rule.kind == "diagnosis" for p in rule.match]
    pipedoctor = str(Path(sys.executable).with_name("pipedoctor"))
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "build.log"
        build_log(log, args.mb)
        pattern_file = Path(tmp) / "patterns.txt"
        pattern_file.write_text("\n".join(patterns) + "\n")
        size_mb = log.stat().st_size / (1 << 20)
        subprocess.run(["cat", str(log)], stdout=subprocess.DEVNULL, check=True)  # warm the page cache
        grep_s, grep_rss, grep_cpu = timed(["grep", "-i", "-E", "-c", "-f", str(pattern_file), str(log)])
        ours_s, ours_rss, ours_cpu = timed([pipedoctor, "diagnose", "--text", str(log), "--format", "json"])
        one_core_s, _, one_core_cpu = timed(["taskset", "-c", "0", pipedoctor, "diagnose", "--text", str(log)])
        small = Path(tmp) / "small.log"
        build_log(small, 10)
        _, small_rss, _ = timed([pipedoctor, "diagnose", "--text", str(small)])
    print(f"input: {size_mb:.0f} MB, {len(patterns)} rule patterns")
    print(f"grep -E -f   : {grep_s:6.2f} s  {size_mb / grep_s:7.1f} MB/s, {grep_cpu:6.2f} CPU s")
    print(f"pipedoctor   : {ours_s:6.2f} s  {size_mb / ours_s:7.1f} MB/s, {ours_cpu:6.2f} CPU s (every core)")
    print(f"pipedoctor   : {one_core_s:6.2f} s  {size_mb / one_core_s:7.1f} MB/s, {one_core_cpu:6.2f} CPU s (one core, taskset)")
    print(f"ratio pipedoctor/grep throughput: {grep_s / ours_s:.2f}x (goal >= 0.5x); one core {grep_s / one_core_s:.2f}x")
    print(f"ratio pipedoctor/grep CPU: {grep_cpu / ours_cpu:.2f}x every core; {grep_cpu / one_core_cpu:.2f}x one core")
    # ru_maxrss of children is the largest single process, so this is per process, not summed.
    print(f"peak RSS per process: pipedoctor {ours_rss} MB on {size_mb:.0f} MB, {small_rss} MB on 10 MB; grep {grep_rss} MB")


if __name__ == "__main__":
    main()
