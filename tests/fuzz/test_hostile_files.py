"""Hostile files through the real commands: bombs, deep nesting, huge lines, NUL bytes and escapes."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path


def billion_laughs(levels: int) -> str:
    """9^levels strings from a few hundred bytes, for whoever walks the parsed result."""
    anchors = "".join(
        f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9) if i else ', '.join(['lol'] * 9)}]\n"
        for i in range(levels)
    )
    return f"version: 0.2\n{anchors}phases:\n  build:\n    commands: *l{levels - 1}\n"


MEMORY_LIMIT_MB = 500


def test_yaml_bombs_are_never_expanded(tmp_path: Path, run_cli) -> None:
    (tmp_path / "buildspec.yml").write_text(billion_laughs(10))  # 90 aliases: parsed, never walked
    started = time.perf_counter()
    code, out, _ = run_cli("check", str(tmp_path), "--format", "json")
    assert code == 0 and json.loads(out)["diagnoses"] == []
    assert time.perf_counter() - started < 10
    (tmp_path / "buildspec.yml").write_text(billion_laughs(13))  # past the alias limit: refused
    code, out, _ = run_cli("check", str(tmp_path), "--format", "json")
    (finding,) = json.loads(out)["diagnoses"]
    assert (
        code == 1
        and finding["rule"] == "buildspec-invalid-yaml"
        and "aliases" in finding["message"]
    )


def test_deeply_nested_json_is_one_clear_error(tmp_path: Path, run_cli) -> None:
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 200_000 + "]" * 200_000)
    for args in (
        ("check", "--snapshot", str(deep)),
        ("policy", "lint", str(deep)),
        ("diagnose", "--snapshot", str(deep)),
    ):
        code, _, err = run_cli(*args)
        assert code == 2 and "nested too deeply" in err, (args, err)


def test_nul_bytes_and_escapes_in_repository_files(tmp_path: Path, run_cli) -> None:
    (tmp_path / "Dockerfile").write_bytes(b"FROM \x00node:20\x1b[2J\nFROM python:3.12\x00\n")
    (tmp_path / "buildspec.yml").write_bytes(
        b"version: 0.2\x00\nphases: {build: {commands: ['\x1b]52;c;eA==\x07']}}\n"
    )
    code, out, _ = run_cli("check", str(tmp_path))
    assert code in (0, 1) and "\x1b" not in out and "\x00" not in out


def test_a_100_mb_line_is_diagnosed_in_bounded_memory(tmp_path: Path) -> None:
    log = tmp_path / "one-line.log"
    with log.open("wb") as out:
        for _ in range(100):
            out.write(b"x" * (1 << 20))
        out.write(b" toomanyrequests: You have reached your pull rate limit\n")
    probe = (
        "import resource, subprocess, sys\n"
        "done = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
        "print(done.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024)\n"
        "print(done.stdout)\n"
    )
    pipedoctor = str(Path(sys.executable).with_name("pipedoctor"))
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            probe,
            pipedoctor,
            "diagnose",
            "--text",
            str(log),
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    status_line, report = result.stdout.split("\n", 1)
    code, peak_mb = map(int, status_line.split())
    assert code == 0 and peak_mb < MEMORY_LIMIT_MB
    assert json.loads(report)["diagnoses"][0]["cause"] == "dockerhub-pull-rate-limit"
