"""Command-line entry point: builds the parser from the modules in `pipedoctor.commands`.

stdout carries data, stderr carries progress and errors. Each command module exposes
`register(subparsers)` and sets `func` (args -> exit code) on its parser.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from pipedoctor import __version__
from pipedoctor.errors import ExitCode, UserError

# Each name is a module in pipedoctor.commands; order is the order in --help.
COMMAND_MODULES = [
    "demo",
    "collect",
    "check",
    "diagnose",
    "rules",
    "policy",
    "simulate",
    "permissions",
    "tui",
    "graph",
    "report",
]

EPILOG = """exit codes:
  0    success, no findings at or above --fail-on
  1    findings at or above --fail-on
  2    usage error, invalid input file or rule
  3    AWS unreachable or no credentials
  130  interrupted
"""


def _commands_needed(argv: list[str]) -> list[str]:
    """A command named first needs only its own module, `--version` none: each command module
    imports what it needs, and start-up time is what `check` in a pre-commit hook pays."""
    if argv and argv[0] in COMMAND_MODULES:
        return [argv[0]]
    if argv == ["--version"]:
        return []
    return COMMAND_MODULES


def build_parser(commands: list[str] = COMMAND_MODULES) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pipedoctor",
        description="Find out why an AWS delivery pipeline failed and prove it against IAM.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"pipedoctor {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in commands:
        module = importlib.import_module(f"pipedoctor.commands.{name}")
        module.register(subparsers)
    return parser


def _innermost_parser(
    parser: argparse.ArgumentParser, args: argparse.Namespace
) -> argparse.ArgumentParser:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            chosen = action.choices.get(getattr(args, action.dest, None) or "")
            if chosen is not None:
                return _innermost_parser(chosen, args)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser(_commands_needed(argv))
    args, unknown = parser.parse_known_args(argv)
    if unknown:
        # The usage of the command the flag was given to, not the top-level one.
        _innermost_parser(parser, args).error(f"unrecognized arguments: {' '.join(unknown)}")
    if not hasattr(args, "func"):
        parser.print_help(sys.stderr)
        return ExitCode.USAGE
    try:
        return int(args.func(args))
    except UserError as error:
        print(f"pipedoctor: error: {error}", file=sys.stderr)
        return int(error.exit_code)
    except KeyboardInterrupt:
        print("pipedoctor: interrupted", file=sys.stderr)
        return ExitCode.INTERRUPTED
    except BrokenPipeError:
        # Output piped into `head` and closed early: not an error for the user.
        sys.stderr.close()
        return ExitCode.OK


if __name__ == "__main__":
    sys.exit(main())
