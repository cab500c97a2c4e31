"""Command-line entry point: builds the parser from the modules in `pipedoctor.commands`.

stdout carries data, stderr carries progress and errors. Each command module exposes
`register(subparsers)` and sets `func` (args -> exit code) on its parser.

The global flags (-q, -v, --debug, --color) work before the command (`pipedoctor -v check`) and
after it (`pipedoctor check -v`); after it they replace the value given before, they do not add.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import Any

from pipedoctor import __version__, terminal
from pipedoctor.errors import ExitCode, UserError, one_line

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
  3    AWS unreachable, not answering, or no credentials
  130  interrupted
"""


VERSION_FLAGS = {"-V", "--version"}
GLOBAL_FLAG_WORDS = {"-q", "--quiet", "-v", "-vv", "--verbose", "--debug"}
ERROR_LIMIT = 1000  # characters of an error line; AWS bodies are cut much shorter where read


class HelpFormatter(argparse.HelpFormatter):
    """Help filled to the terminal's width (`terminal.width`): runs of unindented lines in a
    description or epilog are refilled as paragraphs, indented lines (lists, examples) kept."""

    def __init__(self, prog: str, **options: Any) -> None:
        options.setdefault("width", terminal.width() - 2)
        super().__init__(prog, **options)

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        import textwrap

        out: list[str] = []
        paragraph: list[str] = []

        def flush() -> None:
            if paragraph:
                out.append(
                    textwrap.fill(
                        " ".join(line.strip() for line in paragraph),
                        width,
                        initial_indent=indent,
                        subsequent_indent=indent,
                        break_on_hyphens=False,
                    )
                )
                paragraph.clear()

        for line in text.splitlines():
            if line.strip() and not line[0].isspace():
                paragraph.append(line)
                continue
            flush()
            out.append(indent + line if line.strip() else "")
        flush()
        return "\n".join(out)


def add_global_flags(parser: argparse.ArgumentParser, after_command: bool = False) -> None:
    """The flags every command takes. After the command their defaults are suppressed so that
    they do not reset what was given before it; option strings a command defines itself (its
    own -q) are left to it."""
    taken = set(parser._option_string_actions)

    def add(*names: str, **options: Any) -> None:
        free = [name for name in names if name not in taken]
        if free:
            if after_command:
                options["default"] = argparse.SUPPRESS
            parser.add_argument(*free, **options)

    add(
        "-q",
        "--quiet",
        dest="global_quiet",
        action="store_true",
        default=False,
        help="no progress on stderr, errors only",
    )
    add(
        "-v",
        "--verbose",
        dest="global_verbose",
        action="count",
        default=0,
        help="say which AWS call failed or is retried (-vv: as --debug)",
    )
    add(
        "--debug",
        dest="global_debug",
        action="store_true",
        default=False,
        help="also log every AWS call with its time and attempts, on stderr",
    )
    add(
        "--color",
        dest="global_color",
        choices=terminal.COLOR_CHOICES,
        default="auto",
        help="colour in text output (default: auto, off when NO_COLOR is set or not a terminal)",
    )


def _subparsers(parser: argparse.ArgumentParser) -> list[argparse.ArgumentParser]:
    found: list[argparse.ArgumentParser] = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in dict.fromkeys(action.choices.values()):
                found += [sub, *_subparsers(sub)]
    return found


def _commands_needed(argv: list[str]) -> list[str]:
    """A command named first (after global flags) needs only its own module, `--version` none:
    each command module imports what it needs, and start-up time is what `check` in a pre-commit
    hook pays."""
    words = list(argv)
    while words and (words[0] in GLOBAL_FLAG_WORDS or words[0].startswith("--color")):
        words = words[2:] if words[0] == "--color" else words[1:]
    if words and words[0] in COMMAND_MODULES:
        return [words[0]]
    if argv and set(argv) <= VERSION_FLAGS:
        return []
    return COMMAND_MODULES


def build_parser(commands: list[str] = COMMAND_MODULES) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pipedoctor",
        description="Find out why an AWS delivery pipeline failed and prove it against IAM.",
        epilog=EPILOG,
        formatter_class=HelpFormatter,
    )
    parser.add_argument(
        "-V",
        "--version",
        action="version",
        version=f"pipedoctor {__version__}",
        help="print the version and exit",
    )
    add_global_flags(parser)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in commands:
        module = importlib.import_module(f"pipedoctor.commands.{name}")
        module.register(subparsers)
    for sub in _subparsers(parser):
        sub.formatter_class = HelpFormatter
        add_global_flags(sub, after_command=True)
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


def _verbosity(args: argparse.Namespace) -> int:
    # A command's own -q (collect had one first) counts as the global one.
    if args.global_quiet or getattr(args, "quiet", False) is True:
        return terminal.QUIET
    if args.global_debug:
        return terminal.DEBUG
    return min(args.global_verbose, terminal.DEBUG)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser(_commands_needed(argv))
    args, unknown = parser.parse_known_args(argv)
    if unknown:
        # The usage of the command the flag was given to, not the top-level one.
        _innermost_parser(parser, args).error(f"unrecognized arguments: {' '.join(unknown)}")
    terminal.configure(_verbosity(args), args.global_color)
    if not hasattr(args, "func"):
        parser.print_help(sys.stderr)
        return ExitCode.USAGE
    try:
        return int(args.func(args))
    except UserError as error:
        print(f"pipedoctor: error: {one_line(str(error), ERROR_LIMIT)}", file=sys.stderr)
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
