"""Benchmark: CloudTrail usage aggregation against `gzip -dc` and trailscraper.

Generates CloudTrail log files once (record shapes sampled from ../shared/corpus/cloudtrail,
~100 role principals, gzipped `{"Records": [...]}` files of 5,000 records) in a temporary folder,
then measures in the same run:

- `gzip -dc` of the same files to /dev/null: the decompression floor (best of two runs);
- `usage_from_cloudtrail` over every file for every principal (DuckDB parses every record):
  records/s (goal: <= 1.5x the floor);
- the usage pass `policy generate` makes, for one role (its name, as the command passes it):
  files in the AWS shape are searched for the role's name before any JSON is parsed
  (leastpriv/trail_prefilter.py), best of two runs;
- the plain standard-library reading path (zlib + json.loads of every file, in one and in two
  processes) beside DuckDB's, to show what parsing every record costs;
- `pipedoctor policy generate --role ARN --cloudtrail DIR` from CloudTrail alone (a process of its
  own, interpreter start, mapping, synthesis and proof included; goal: <= 1.0x the floor), best
  of two runs;
- `trailscraper generate` on a 100,000-record subset (installed with pip into a temporary venv,
  never a project dependency; goal: >= 20x slower than us on the same subset).

The last lines print the ratios to the floor, all measured in this run.

    .venv/bin/python bench/bench_cloudtrail.py [--records 1000000] [--subset 100000] [--skip-trailscraper]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import venv
import zlib
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT / "src"))

from pipedoctor.leastpriv.cloudtrail import usage_from_cloudtrail

CORPUS_TRAIL = REPO_ROOT.parent / "shared" / "corpus" / "cloudtrail"
RECORDS_PER_FILE = 5_000
PRINCIPALS = 100
ROLE_NAME = "ci-role-000"  # the role policy generate is measured for (role 0 of the generator)
SHAPES_PER_ROLE = 40  # a CI role calls a few dozen distinct APIs, not the whole corpus
ACCOUNTS = ("111122223333", "444455556666", "777788889999")
REGIONS = ("eu-west-1", "us-east-1", "ap-southeast-2")
# Placeholders filled per record after the template is serialised once.
ROLE, SESSION, ACCOUNT, TIME, EVENT_ID = (
    "@@role@@",
    "@@session@@",
    "@@account@@",
    "@@time@@",
    "@@id@@",
)


def corpus_records() -> Iterator[dict[str, Any]]:
    """Every parseable CloudTrail record of the corpus (malformed files are passed over)."""
    for path in sorted(CORPUS_TRAIL.rglob("*.json*")):
        text = path.read_text(encoding="utf-8")
        try:
            documents = [json.loads(text)]
        except json.JSONDecodeError:
            try:
                documents = [json.loads(line) for line in text.splitlines() if line.strip()]
            except json.JSONDecodeError:
                continue
        for document in documents:
            document = document.get("record", document) if isinstance(document, dict) else document
            if isinstance(document, dict) and "Records" in document:
                yield from document["Records"]
            elif isinstance(document, list):
                yield from document
            elif isinstance(document, dict):
                yield document


def templates() -> list[str]:
    """Corpus record shapes as `str.format` templates (serialised once, filled fast)."""
    found: list[str] = []
    for record in corpus_records():
        if not (record.get("eventSource") and record.get("eventName") and record.get("eventTime")):
            continue
        record = dict(record)
        if record.get("resources") is None:
            record.pop("resources", None)  # trailscraper crashes on `"resources": null`
        record["userIdentity"] = {
            "type": "AssumedRole",
            "principalId": f"AROAEXAMPLE:{SESSION}",
            "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/{ROLE}/{SESSION}",
            "accountId": ACCOUNT,
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "arn": f"arn:aws:iam::{ACCOUNT}:role/service-role/{ROLE}",
                    "accountId": ACCOUNT,
                    "userName": ROLE,
                },
                "attributes": {"creationDate": TIME, "mfaAuthenticated": "false"},
            },
        }
        record["eventTime"], record["eventID"], record["recipientAccountId"] = (
            TIME,
            EVENT_ID,
            ACCOUNT,
        )
        text = json.dumps(record, separators=(",", ":")).replace("{", "{{").replace("}", "}}")
        for placeholder in (ROLE, SESSION, ACCOUNT, TIME, EVENT_ID):
            text = text.replace(placeholder, "{" + placeholder.strip("@") + "}")
        found.append(text)
    return found


def write_file(job: tuple[Path, int, int, list[str]]) -> None:
    """One gzipped log file of `count` records; each role calls its own few dozen API shapes."""
    path, seed, count, shapes = job
    rng = random.Random(seed)
    records: list[str] = []
    for index in range(count):
        role = rng.randrange(PRINCIPALS)
        shape = shapes[
            random.Random(role * 1_000 + rng.randrange(SHAPES_PER_ROLE)).randrange(len(shapes))
        ]
        records.append(
            shape.format(
                role=f"ci-role-{role:03d}",
                session=f"AWSCodeBuild-{seed:06d}-{role:03d}",
                account=ACCOUNTS[role % len(ACCOUNTS)],
                time=f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T{rng.randint(0, 23):02d}:00:00Z",
                id=f"{seed:08x}-{index:08x}",
            )
        )
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=6) as handle:
        handle.write('{"Records":[' + ",".join(records) + "]}")


def generate(folder: Path, total: int) -> list[Path]:
    """Write `total` records into gzipped files of RECORDS_PER_FILE; returns the files."""
    shapes = templates()
    jobs = []
    for number, start in enumerate(range(0, total, RECORDS_PER_FILE)):
        region = REGIONS[number % len(REGIONS)]
        stamp = (
            f"2025{1 + number % 12:02d}{1 + number % 28:02d}T{number % 24:02d}{number % 60:02d}Z"
        )
        path = folder / f"{ACCOUNTS[0]}_CloudTrail_{region}_{stamp}_{number:016x}.json.gz"
        jobs.append((path, number, min(RECORDS_PER_FILE, total - start), shapes))
    with ProcessPoolExecutor() as pool:
        list(pool.map(write_file, jobs))
    return [job[0] for job in jobs]


def timed(action: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


def children_cpu() -> float:
    """CPU seconds (user and system) of the finished child processes so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def gunzip_floor(files: list[Path]) -> tuple[float, float]:
    """(wall, CPU) seconds for `gzip -dc` of every file to /dev/null (one process, like a shell
    loop)."""
    cpu = children_cpu()
    with open("/dev/null", "wb") as sink:
        seconds, _ = timed(
            lambda: subprocess.run(["gzip", "-dc", *map(str, files)], stdout=sink, check=True)
        )
    return seconds, children_cpu() - cpu


def _inflate_and_parse(path: Path) -> int:
    """Records in one gzipped `{"Records": [...]}` file, read with the standard library only."""
    document = json.loads(zlib.decompress(path.read_bytes(), zlib.MAX_WBITS | 16))
    return len(document["Records"])


def plain_reading(files: list[Path], processes: int) -> tuple[float, int]:
    """Seconds to inflate (zlib) and parse (json.loads) every file, in `processes` processes:
    the plain standard-library reading path, to compare DuckDB's reading with."""
    if processes == 1:
        return timed(lambda: sum(map(_inflate_and_parse, files)))  # type: ignore[return-value]
    with ProcessPoolExecutor(processes) as pool:
        pool.submit(int).result()  # workers started before the clock
        return timed(lambda: sum(pool.map(_inflate_and_parse, files, chunksize=8)))  # type: ignore[return-value]


def generate_from_trail(logs: Path) -> tuple[float, float]:
    """(wall, CPU) seconds for `pipedoctor policy generate --role ARN --cloudtrail DIR` in its own
    process (its workers included), without credentials (no IAM read: the policy is proven
    sufficient, no comparison made)."""
    cpu = children_cpu()
    role = f"arn:aws:iam::{ACCOUNTS[0]}:role/service-role/{ROLE_NAME}"
    command = [sys.executable, "-m", "pipedoctor.cli", "policy", "generate", "--role", role]
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(REPO_ROOT / "src"),
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_EC2_METADATA_DISABLED": "true",  # no instance-metadata probe for credentials
    }
    seconds, result = timed(
        lambda: subprocess.run(
            [*command, "--cloudtrail", str(logs)],
            check=False,
            capture_output=True,
            text=True,
            env=environment,
        )
    )
    if result.returncode != 0:  # type: ignore[attr-defined]
        raise SystemExit(f"policy generate failed: {result.stderr[-2000:]}")  # type: ignore[attr-defined]
    return seconds, children_cpu() - cpu


def install_trailscraper(folder: Path) -> tuple[Path | None, str]:
    """trailscraper in its own venv (never a project dependency): (executable, "") or (None, why)."""
    venv.create(folder, with_pip=True)
    pip = subprocess.run(
        [str(folder / "bin" / "pip"), "install", "--quiet", "trailscraper"],
        check=False,
        capture_output=True,
        text=True,
    )
    executable = folder / "bin" / "trailscraper"
    if pip.returncode != 0 or not executable.exists():
        return None, (pip.stderr.strip().splitlines() or ["pip install trailscraper failed"])[-1]
    return executable, ""


def run_trailscraper(executable: Path, log_dir: Path) -> float:
    """Seconds for `trailscraper select --log-dir DIR | trailscraper generate` (what a user runs)."""
    select = [
        str(executable),
        "select",
        "--log-dir",
        str(log_dir),
        "--from",
        "2024-12-01",
        "--to",
        "2026-01-31",
    ]

    def pipeline() -> None:
        records = subprocess.run(select, capture_output=True, check=True).stdout
        subprocess.run(
            [str(executable), "generate"], input=records, capture_output=True, check=True
        )

    seconds, _ = timed(pipeline)
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--subset", type=int, default=100_000)
    parser.add_argument("--skip-trailscraper", action="store_true")
    args = parser.parse_args()
    if not CORPUS_TRAIL.is_dir():
        print(f"corpus not found at {CORPUS_TRAIL}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="bench-cloudtrail-") as scratch:
        root = Path(scratch)
        logs = root / "logs"
        logs.mkdir()
        seconds, files = timed(lambda: generate(logs, args.records))
        size = sum(path.stat().st_size for path in files)
        print(
            f"generated {args.records:,} records in {len(files)} files ({size / 1e6:.0f} MB gz) in {seconds:.1f} s"
        )

        floor, floor_cpu = min(gunzip_floor(files), gunzip_floor(files))
        print(
            f"gzip -dc floor:   {floor:6.2f} s  {args.records / floor:12,.0f} records/s  "
            f"({floor_cpu:.2f} s CPU)"
        )
        ours, (records, skipped) = timed(lambda: usage_from_cloudtrail([str(logs)]))
        print(
            f"usage, every principal: {ours:6.2f} s  {args.records / ours:12,.0f} records/s  "
            f"({len(records):,} usage records, {sum(s.count for s in skipped):,} events skipped)"
        )
        runs = [
            timed(lambda: usage_from_cloudtrail([str(logs)], principal=ROLE_NAME)) for _ in range(2)
        ]
        one_role, (role_records, _) = min(runs, key=lambda run: run[0])
        print(
            f"usage, one role (the pass policy generate makes): {one_role:6.2f} s  "
            f"({len(role_records):,} usage records of {ROLE_NAME})"
        )
        for processes in (1, 2):
            plain, count = plain_reading(files, processes)
            print(
                f"zlib + json.loads, {processes} process(es): {plain:6.2f} s wall  "
                f"ratio to floor: {plain / floor:.2f}x  ({count:,} records parsed; the floor is "
                "one gzip process, so with 2 processes this is a wall-clock ratio on 2 cores)"
            )
        generation, generation_cpu = min(generate_from_trail(logs) for _ in range(2))
        print(
            f"policy generate from CloudTrail alone: {generation:6.2f} s  "
            f"({generation_cpu:.2f} s CPU over its processes)"
        )
        print(f"ratios to gzip -dc of the same files ({floor:.2f} s), measured in this run:")
        print(f"  policy generate, CloudTrail alone: {generation / floor:5.2f}x  (goal <= 1.0x)")
        print(f"  the same in CPU seconds:           {generation_cpu / floor_cpu:5.2f}x")
        print(f"  usage pass for the role:           {one_role / floor:5.2f}x")
        print(f"  usage, every principal (DuckDB):   {ours / floor:5.2f}x  (goal <= 1.5x)")

        subset = logs.parent / "subset"
        subset.mkdir()
        for path in files[: max(1, args.subset // RECORDS_PER_FILE)]:
            shutil.copy(path, subset / path.name)
        ours_subset, _ = timed(lambda: usage_from_cloudtrail([str(subset)]))
        print(f"pipedoctor on {args.subset:,}: {ours_subset:6.2f} s")
        if args.skip_trailscraper:
            return 0
        executable, why = install_trailscraper(root / "trailscraper-venv")
        if executable is None:
            print(f"trailscraper: not measured, it could not be installed: {why}")
            return 0
        theirs = run_trailscraper(executable, subset)
        print(
            f"trailscraper on {args.subset:,}: {theirs:6.2f} s  -> pipedoctor is {theirs / ours_subset:.1f}x faster (goal >= 20x)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
