from __future__ import annotations

import json
from pathlib import Path

import pytest

RATE_LIMIT = b"toomanyrequests: You have reached your pull rate limit. You may increase the limit\n"


def diagnoses(run_cli, path: Path, *extra: str) -> list[dict]:
    code, out, err = run_cli("diagnose", "--text", str(path), "--format", "json", *extra)
    assert code == 0, err
    return json.loads(out)["diagnoses"]


@pytest.mark.parametrize("parallel", [False, True])
def test_match_found_past_many_blocks_of_noise(tmp_path: Path, run_cli, monkeypatch, parallel: bool) -> None:
    from pipedoctor.diagnose import textscan

    monkeypatch.setattr(textscan, "BLOCK_BYTES", 1024)  # force many blocks
    monkeypatch.setattr(textscan, "PARALLEL_MIN_BYTES", 0 if parallel else 1 << 40)
    log = tmp_path / "build.log"
    log.write_bytes(b"[Container] 2026/11/27 10:00:00 Running command npm ci\n" * 500 + RATE_LIMIT)
    found = diagnoses(run_cli, log)
    assert [d["cause"] for d in found][:1] == ["dockerhub-pull-rate-limit"]


def test_parallel_scan_equals_the_sequential_scan(tmp_path: Path, monkeypatch) -> None:
    """Every rule's first match (captures and line) is the same whichever way the file is read."""
    from pipedoctor.diagnose import Diagnoser, load_rules, textscan
    from pipedoctor.diagnose.matcher import ANY_SURFACE

    noise = b"[Container] 2026/11/27 10:00:00 Running command docker build .\n"
    failures = [
        b"Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?\n",
        RATE_LIMIT,
        b"no basic auth credentials\n",
        b"name unknown: The repository with name 'public.ecr.aws/x/y' does not exist in the registry\n",
    ]
    log = tmp_path / "build.log"
    log.write_bytes(b"".join(noise * 37 + failure for failure in failures * 5) + noise * 11)
    matcher = Diagnoser(load_rules()).matcher
    monkeypatch.setattr(textscan, "BLOCK_BYTES", 700)
    monkeypatch.setattr(textscan, "PARALLEL_MIN_BYTES", 1 << 40)
    sequential = textscan.scan_source(matcher, str(log), ANY_SURFACE)
    monkeypatch.setattr(textscan, "PARALLEL_MIN_BYTES", 0)
    parallel = textscan.scan_source(matcher, str(log), ANY_SURFACE, workers=3)
    assert len(sequential.first) >= 4
    assert parallel == sequential


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"\x00\x01\x02\xff\xfe binary \x00",
        b"\xc3\x28 bad bytes \xa0\xa1",
        b"\x1b[31mred\x1b[0m \x1b]0;title\x07 plain",
        b"x" * 5_000_000,  # one long line, no newline
    ],
    ids=["empty", "binary", "invalid-utf8", "escapes", "long-line"],
)
def test_bad_input_is_not_recognised_not_a_crash(tmp_path: Path, run_cli, content: bytes) -> None:
    path = tmp_path / "input"
    path.write_bytes(content)
    (answer,) = diagnoses(run_cli, path)
    assert answer["cause"] == "not-recognised"
    assert answer["evidence"] == []
    assert "pipedoctor collect" in answer["fix"]


def test_unrecognised_text_shows_the_error_lines_best_first_and_what_to_collect(tmp_path: Path, run_cli) -> None:
    path = tmp_path / "build.log"
    path.write_bytes(
        b"[Container] 2024/01/01 10:00:00 Running command make release\n"
        b"compiling 12 modules\n"
        b"warning: deprecated flag --fast\n"
        b"collect2: error: ld returned 1 exit status\n"
        b"ld: fatal error: cannot find -lfoo\n"
        b"done\n"
    )
    code, out, err = run_cli("diagnose", "--text", str(path), "--surface", "codebuild-log", "--format", "json")
    assert code == 0, err
    answer, *leads = json.loads(out)["diagnoses"]
    assert answer["cause"] == "not-recognised"
    # What follows, if anything, is only a resemblance to sourced cases, never a rule's answer.
    assert all(lead["rule"] == "resemblance" for lead in leads)
    lines = [item.removeprefix("looks like the error: ") for item in answer["evidence"]]
    assert lines[:2] == ["ld: fatal error: cannot find -lfoo", "collect2: error: ld returned 1 exit status"]
    assert "compiling 12 modules" not in lines and "done" not in lines
    assert "batch-get-builds" in answer["fix"]
    code, text, _ = run_cli("diagnose", "--text", str(path))
    assert code == 0 and "not recognise" in text and "ld: fatal error" in text


def test_a_text_no_rule_of_its_surface_matches_gets_the_rules_of_other_places(tmp_path: Path, run_cli) -> None:
    path = tmp_path / "deploy.log"
    path.write_text(
        # the docker daemon's words, without ECS's stop code (a line holding it is read as ECS's report)
        "Error response from daemon: failed to initialize logging driver: failed to"
        " create Cloudwatch log stream: ResourceNotFoundException: The specified log group does not exist.\n"
    )
    code, out, err = run_cli("diagnose", "--text", str(path), "--surface", "codebuild-log", "--format", "json")
    assert code == 0, err
    first = json.loads(out)["diagnoses"][0]
    assert first["cause"] == "ecs-log-group-missing"
    assert any("not codebuild-log" in note for note in first["unverified"])
    code, out, err = run_cli("diagnose", "--text", str(path), "--surface", "ecs-task", "--format", "json")
    first = json.loads(out)["diagnoses"][0]
    assert first["cause"] == "ecs-log-group-missing"
    assert not any("not ecs-task" in note for note in first["unverified"])


def test_a_fallback_rule_of_another_place_does_not_answer(tmp_path: Path, run_cli) -> None:
    """Node's missing module ends an ECS task's container log as a fallback of that place; in a build
    log it is the build's own failure, and no rule's answer comes before "not recognised"."""
    path = tmp_path / "build.log"
    path.write_text("Error: Cannot find module 'aws-cdk-lib'\n")
    code, out, err = run_cli("diagnose", "--text", str(path), "--surface", "ecs-task", "--format", "json")
    assert code == 0, err
    assert json.loads(out)["diagnoses"][0]["cause"] == "ecs-essential-container-exited"
    code, out, err = run_cli("diagnose", "--text", str(path), "--surface", "codebuild-log", "--format", "json")
    assert code == 0, err
    rules = [diagnosis["rule"] for diagnosis in json.loads(out)["diagnoses"]]
    assert rules[0] == "not-recognised" and "ecs-container-application-error" not in rules


def test_rules_of_other_places_also_read_the_text_unwrapped(tmp_path: Path, run_cli) -> None:
    """The log group refusal's two halves are on two lines, the second a continuation."""
    path = tmp_path / "deploy.log"
    path.write_text(
        "Error response from daemon: failed to initialize logging driver: failed to"
        " create Cloudwatch log stream: operation error CloudWatch Logs: CreateLogStream,\n"
        "https response error StatusCode: 400, RequestID: 1a2b, ResourceNotFoundException\n"
    )
    code, out, err = run_cli("diagnose", "--text", str(path), "--surface", "codebuild-log", "--format", "json")
    assert code == 0, err
    first = json.loads(out)["diagnoses"][0]
    assert (first["cause"], first["rule"]) == ("ecs-log-group-missing", "ecs-log-group-missing")
    assert any("not codebuild-log" in note for note in first["unverified"])


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


@pytest.mark.parametrize("surface", ["cli", "cloudformation"])
def test_outside_surfaces_get_the_rules_for_other_places(tmp_path: Path, run_cli, surface: str) -> None:
    path = tmp_path / "events.txt"
    path.write_bytes(b"Stack app is in ROLLBACK_COMPLETE state and can not be updated.\n")
    assert [d["cause"] for d in diagnoses(run_cli, path, "--surface", surface)][:1] == [
        "cloudformation-stack-rollback-complete"
    ]
    ecs_only = tmp_path / "task.txt"
    ecs_only.write_bytes(b"CannotPullContainerError: pull image manifest has been retried: i/o timeout\n")
    assert "ecs-task-no-network-path" in [d["cause"] for d in diagnoses(run_cli, ecs_only, "--surface", surface)]


def test_the_last_line_without_a_newline_is_scanned_with_the_lines_before_it(tmp_path: Path) -> None:
    import io

    from pipedoctor.diagnose.textscan import iter_blocks

    data = b"The push refers to repository [1.dkr.ecr.us-east-1.amazonaws.com/app]\n8ac8bfaff55a: Retrying in 5 seconds"
    assert list(iter_blocks(io.BytesIO(data))) == [data]


def test_error_lines_keep_the_best_few_once_each() -> None:
    from pipedoctor.diagnose.unrecognised import ErrorLines

    lines = ErrorLines(keep=2)
    lines.feed("ok\nwarning: slow\nfatal: disk full\n" * 1000 + "error: bad input\n")
    assert lines.ranked() == ["fatal: disk full", "error: bad input"]


def test_typographic_quotes_read_as_the_program_printed_them(tmp_path: Path, run_cli) -> None:
    """A text posted on a blog or a chat has typographic quotes where the program printed ASCII ones."""
    from pipedoctor.diagnose.matcher import plain_quotes

    posted = "Unknown runtime version named “22” of nodejs; the role doesn’t"
    assert plain_quotes(posted) == "Unknown runtime version named \"22\" of nodejs; the role doesn't"
    assert plain_quotes(posted.encode()) == plain_quotes(posted).encode()
    log = tmp_path / "build.log"
    log.write_text(
        "error getting credentials - err: exec: “docker-credential-ecr-login”: executable file not found in $PATH\n",
        encoding="utf-8",
    )
    found = diagnoses(run_cli, log, "--surface", "codebuild-log")
    assert [d["cause"] for d in found][:1] == ["ecr-credential-helper-not-installed"]
