"""The global flags: -V, -q, -v, --debug and --color, before or after the command; text and
help filled to the terminal's width."""

from __future__ import annotations

import argparse
import re
from pathlib import Path
from typing import Any

import pytest

from pipedoctor import __version__, terminal
from pipedoctor.cli import _subparsers, _verbosity, build_parser, main

ANSI = re.compile(r"\x1b\[[0-9;]*m")


@pytest.fixture
def demo_snapshot(run_cli: Any, tmp_path: Path) -> str:
    path = tmp_path / "demo.json"
    code, _, _ = run_cli("demo", "--export", str(path))
    assert code == 0
    return str(path)


@pytest.mark.parametrize("flag", ["-V", "--version"])
def test_version(flag: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        main([flag])
    assert stop.value.code == 0
    assert capsys.readouterr().out == f"pipedoctor {__version__}\n"


@pytest.mark.parametrize(
    ("argv", "verbosity"),
    [
        (["check"], terminal.NORMAL),
        (["-q", "check"], terminal.QUIET),
        (["check", "-q"], terminal.QUIET),
        (["--quiet", "diagnose"], terminal.QUIET),
        (["-v", "check"], terminal.VERBOSE),
        (["check", "--verbose"], terminal.VERBOSE),
        (["-vv", "check"], terminal.DEBUG),
        (["--debug", "policy", "lint", "x.json"], terminal.DEBUG),
        (["policy", "lint", "x.json", "--debug"], terminal.DEBUG),
        (["graph", "who-can", "s3:GetObject", "*", "-v"], terminal.VERBOSE),
        (["collect", "--all", "-o", "-", "-q"], terminal.QUIET),  # collect's own -q
        (["-q", "collect", "--all", "-o", "-"], terminal.QUIET),
    ],
)
def test_verbosity_flags_before_or_after_the_command(argv: list[str], verbosity: int) -> None:
    assert _verbosity(build_parser().parse_args(argv)) == verbosity


def test_a_flag_after_the_command_keeps_what_was_given_before() -> None:
    args = build_parser().parse_args(["--color", "never", "check", "-q"])
    assert args.global_color == "never" and args.global_quiet


def test_every_command_takes_the_global_flags_with_help() -> None:
    parser = build_parser()
    for sub in [parser, *_subparsers(parser)]:
        actions = {a.dest: a for a in sub._actions}
        for dest in ("global_verbose", "global_debug", "global_color"):
            assert actions[dest].help and actions[dest].help != argparse.SUPPRESS, sub.prog
        assert "-q" in sub._option_string_actions, sub.prog


@pytest.mark.parametrize(
    ("flags", "environment", "coloured"),
    [
        ([], {}, False),  # auto, not a terminal
        (["--color", "always"], {}, True),
        (["--color", "always"], {"NO_COLOR": "1"}, True),  # the flag beats the variable
        (["--color", "never"], {"FORCE_COLOR": "1"}, False),
        ([], {"FORCE_COLOR": "1"}, True),
        ([], {"FORCE_COLOR": "1", "NO_COLOR": "1"}, False),
        ([], {"FORCE_COLOR": "0"}, False),
    ],
)
def test_color_in_the_text_report(
    run_cli: Any,
    demo_snapshot: str,
    monkeypatch: pytest.MonkeyPatch,
    flags: list[str],
    environment: dict[str, str],
    coloured: bool,
) -> None:
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    code, out, _ = run_cli(*flags, "diagnose", "--snapshot", demo_snapshot)
    assert code == 0
    assert bool(ANSI.search(out)) == coloured
    if coloured:
        assert "\x1b[1;31m[HIGH]\x1b[0m" in out or "\x1b[1;97;41m[CRITICAL]\x1b[0m" in out
    plain = ANSI.sub("", out)
    code, after, _ = run_cli("diagnose", "--snapshot", demo_snapshot, *flags)  # after the command
    assert ANSI.sub("", after) == plain and bool(ANSI.search(after)) == coloured


def test_color_after_the_command_on_check(run_cli: Any, demo_snapshot: str) -> None:
    code, out, _ = run_cli("check", "--snapshot", demo_snapshot, "--color", "always")
    assert code == 1 and ANSI.search(out)


def _longest_wrapped(text: str) -> int:
    """The longest line that wrapping could have broken: not a JSON policy line, and not a word
    too long for any line (an ARN, alone on its line but for a list dash)."""
    lengths = [
        len(line)
        for line in text.splitlines()
        if not line.strip().startswith(('"', "[--", "[-"))
        and len([word for word in line.split() if word != "-"]) > 1
    ]
    return max(lengths)


def test_text_report_fills_the_width_in_columns(
    run_cli: Any, demo_snapshot: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, default, _ = run_cli("diagnose", "--snapshot", demo_snapshot)
    assert _longest_wrapped(default) <= 100  # not a terminal
    monkeypatch.setenv("COLUMNS", "60")
    _, narrow, _ = run_cli("diagnose", "--snapshot", demo_snapshot)
    assert _longest_wrapped(narrow) <= 60
    monkeypatch.setenv("COLUMNS", "160")
    _, wide, _ = run_cli("diagnose", "--snapshot", demo_snapshot)
    assert max(len(line) for line in wide.splitlines()) > 100
    assert len(wide.splitlines()) < len(default.splitlines()) < len(narrow.splitlines())


def test_help_fills_the_width_and_keeps_lists(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def help_of(*argv: str) -> str:
        with pytest.raises(SystemExit):
            main([*argv, "--help"])
        return capsys.readouterr().out

    monkeypatch.setenv("COLUMNS", "160")
    wide = help_of("graph")
    assert max(len(line) for line in wide.splitlines()) > 110  # the description refilled
    root = help_of()
    assert "\n  0    success, no findings at or above --fail-on\n" in root  # a list kept
    monkeypatch.setenv("COLUMNS", "70")
    narrow = help_of("policy", "lint")
    assert _longest_wrapped(narrow) <= 70
    assert "--color {auto,always,never}" in narrow


@pytest.mark.parametrize(
    ("argv", "prog"),
    [
        (["check", "--bogus"], "pipedoctor check"),
        (["policy", "lint", "x.json", "--bogus"], "pipedoctor policy lint"),
        (["-v", "diagnose", "--bogus", "1"], "pipedoctor diagnose"),
    ],
)
def test_an_unknown_option_shows_the_usage_of_its_command(
    argv: list[str], prog: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stop:
        main(argv)
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith(f"usage: {prog} ")
    assert err.endswith(
        f"{prog}: error: unrecognized arguments: {' '.join(argv[argv.index('--bogus') :])}\n"
    )
