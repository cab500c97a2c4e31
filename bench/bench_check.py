"""`pipedoctor check` for CI: wall time on a small repository (interpreter start included), files/s
over the shared corpus, and the ratio to `checkov -d` on the same folder, measured in the same run.

checkov is installed into a temporary virtualenv (never a project dependency); pass --no-checkov
to skip it. Goal: <= 0.5 s on a small repository, >= 200 files/s on the corpus.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
import venv
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
BUILDSPEC = """version: 0.2
phases:
  build:
    commands:
      - docker build -t $REPOSITORY_URI:latest .
      - docker push $REPOSITORY_URI:latest
"""
TEMPLATE = """AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Repo:
    Type: AWS::ECR::Repository
"""


def wall(command: list[str], cwd: Path | None = None, runs: int = 1) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def scanned_files(folder: Path) -> int:
    from pipedoctor.sources.repository import repository_files

    return len(repository_files([str(folder)]))


def install_checkov(directory: Path) -> Path | None:
    venv.create(directory, with_pip=True)
    result = subprocess.run(
        [str(directory / "bin" / "pip"), "install", "--quiet", "checkov"], capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        print(f"checkov could not be installed: {result.stderr.strip().splitlines()[-1:]}")
        return None
    return directory / "bin" / "checkov"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--no-checkov", action="store_true")
    args = parser.parse_args()
    pipedoctor = str(Path(sys.executable).with_name("pipedoctor"))
    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(tmp) / "repo"
        repo.mkdir()
        (repo / "buildspec.yml").write_text(BUILDSPEC)
        (repo / "Dockerfile").write_text("FROM node:20-alpine\nCOPY . .\n")
        (repo / "template.yml").write_text(TEMPLATE)
        small = wall([pipedoctor, "check", "--exit-zero"], cwd=repo, runs=10)
        print(f"small repository: {small * 1000:.0f} ms median of 10 (goal <= 500 ms)")
        if not CORPUS.is_dir():
            print("../shared/corpus is absent: corpus figures skipped")
            return
        folders = [CORPUS / name for name in ("buildspecs", "dockerfiles", "pipelines")]
        files = sum(scanned_files(folder) for folder in folders)
        total_files = sum(1 for folder in folders for p in folder.rglob("*") if p.is_file())
        ours = wall([pipedoctor, "check", "--exit-zero", *map(str, folders)], runs=3)
        print(f"corpus: {total_files} files in the folders, {files} of them Dockerfiles/buildspecs scanned")
        print(f"pipedoctor: {ours:.2f} s, {files / ours:.0f} scanned files/s, {total_files / ours:.0f} folder files/s (goal >= 200)")
        if args.no_checkov:
            return
        checkov = install_checkov(Path(tmp) / "checkov-venv")
        if checkov is None:
            return
        theirs = sum(wall([str(checkov), "-d", str(folder), "--quiet", "--compact"]) for folder in folders)
        print(f"checkov -d: {theirs:.2f} s; ratio checkov/pipedoctor: {theirs / ours:.1f}x")


if __name__ == "__main__":
    main()
