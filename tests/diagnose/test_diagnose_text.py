from __future__ import annotations

import json
from pathlib import Path

import pytest

RATE_LIMIT = b"toomanyrequests: You have reached your pull rate limit. You may increase the limit\n"


def diagnoses(run_cli, path: Path, *extra: str) -> list[dict]:
    code, out, err = run_cli("diagnose", "--text", str(path), "--format", "json", *extra)
    assert code == 0, err
    return json.loads(out)["diagnoses"]


def test_match_found_past_many_blocks_of_noise(tmp_path: Path, run_cli, monkeypatch) -> None:
    from pipedoctor.commands import diagnose

    monkeypatch.setattr(diagnose, "BLOCK_BYTES", 1024)  # force many blocks
    log = tmp_path / "build.log"
    log.write_bytes(b"[Container] 2026/11/27 10:00:00 Running command npm ci\n" * 500 + RATE_LIMIT)
    found = diagnoses(run_cli, log)
    assert [d["cause"] for d in found][:1] == ["dockerhub-pull-rate-limit"]


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"\x00\x01\x02\xff\xfe binary \x00",
        b"\xc3\x28 invalid utf-8 \xa0\xa1",
        b"\x1b[31mred\x1b[0m \x1b]0;title\x07 plain",
        b"x" * 5_000_000,  # one long line, no newline
    ],
)
def test_bad_input_gives_an_empty_list_not_a_crash(tmp_path: Path, run_cli, content: bytes) -> None:
    path = tmp_path / "input"
    path.write_bytes(content)
    assert diagnoses(run_cli, path) == []


def test_escape_sequences_from_the_input_never_reach_the_terminal(tmp_path: Path, run_cli) -> None:
    path = tmp_path / "input"
    path.write_bytes(b"\x1b]52;c;ZXZpbA==\x07\x1b[2J" + RATE_LIMIT)
    code, out, _ = run_cli("diagnose", "--text", str(path))
    assert code == 0 and "dockerhub-pull-rate-limit" in out
    assert "\x1b" not in out and "\x07" not in out


def test_surface_limits_the_rules(tmp_path: Path, run_cli) -> None:
    path = tmp_path / "input"
    path.write_bytes(b"CLIENT_ERROR: authorization failed for primary source and source version main\n")
    assert "codebuild-role-missing-use-connection" in [d["cause"] for d in diagnoses(run_cli, path)]
    ecs = diagnoses(run_cli, path, "--surface", "ecs-task")
    assert "codebuild-role-missing-use-connection" not in [d["cause"] for d in ecs]


def test_unreadable_text_file_is_exit_2(tmp_path: Path, run_cli) -> None:
    code, _, err = run_cli("diagnose", "--text", str(tmp_path / "missing.log"))
    assert code == 2 and err.startswith("pipedoctor: error: cannot read")
