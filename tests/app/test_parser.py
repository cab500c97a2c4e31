"""The CLI is consistent: every option explained, the same AWS options on every command that
reads AWS, `-o` for the main output, and a wrong flag answered with its own command's usage."""

from __future__ import annotations

import argparse
from collections.abc import Iterator

import pytest

from pipedoctor.cli import build_parser

AWS_OPTIONS = {"--profile", "--region", "--endpoint-url", "--role-arn"}
AWS_COMMANDS = [
    ("collect",),
    ("check",),
    ("diagnose",),
    ("report",),
    ("tui",),
    ("policy", "generate"),
    ("policy", "diff"),
    ("policy", "apply"),
    ("policy", "rollback"),
]
# Commands whose one job is a change or an interactive screen have no output to redirect.
WITHOUT_OUTPUT = {("tui",), ("policy", "apply"), ("policy", "rollback"), ("rules", "validate"), ("rules", "test")}


def parsers(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from parsers(sub, (*path, name))


def leaves() -> list[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    def is_leaf(parser: argparse.ArgumentParser) -> bool:
        return not any(isinstance(a, argparse._SubParsersAction) for a in parser._actions)

    return [(path, parser) for path, parser in parsers(build_parser()) if path and is_leaf(parser)]


def test_every_option_and_argument_has_help() -> None:
    missing = [
        (" ".join(path), action.option_strings or action.dest)
        for path, parser in parsers(build_parser())
        for action in parser._actions
        if not isinstance(action, (argparse._HelpAction, argparse._SubParsersAction, argparse._VersionAction))
        and (not action.help or action.help == argparse.SUPPRESS)
    ]
    assert missing == []


@pytest.mark.parametrize("command", AWS_COMMANDS, ids=" ".join)
def test_every_aws_command_has_the_shared_aws_options(command: tuple[str, ...]) -> None:
    parser = dict(parsers(build_parser()))[command]
    options = {option for action in parser._actions for option in action.option_strings}
    assert AWS_OPTIONS <= options


def test_every_command_with_a_main_output_takes_dash_o() -> None:
    lacking = [
        " ".join(path)
        for path, parser in leaves()
        if path not in WITHOUT_OUTPUT
        and "-o" not in {option for action in parser._actions for option in action.option_strings}
    ]
    assert lacking == []


@pytest.mark.parametrize(
    "argv, usage",
    [
        (["check", "--nope"], "usage: pipedoctor check "),
        (["policy", "lint", "x.json", "--nope"], "usage: pipedoctor policy lint "),
        (["graph", "who-can", "s3:GetObject", "*", "--nope"], "usage: pipedoctor graph who-can "),
    ],
)
def test_an_unknown_flag_prints_its_own_commands_usage(argv: list[str], usage: str, capsys) -> None:
    from pipedoctor.cli import main

    with pytest.raises(SystemExit) as raised:
        main(argv)
    err = capsys.readouterr().err
    assert raised.value.code == 2
    assert err.startswith(usage)
    assert err.strip().endswith("error: unrecognized arguments: --nope")


@pytest.mark.parametrize(
    "argv",
    [
        ["permissions", "--for", "check"],
        ["rules", "list"],
        ["rules", "show", "dockerhub-pull-rate-limit"],
        ["demo", "--text"],
    ],
    ids=" ".join,
)
def test_dash_o_writes_what_stdout_would_show(run_cli, tmp_path, argv: list[str]) -> None:
    code, shown, _ = run_cli(*argv)
    target = tmp_path / "out"
    written_code, written_out, _ = run_cli(*argv, "-o", str(target))
    assert code == written_code == 0 and written_out == ""
    assert shown and target.read_text() == shown
