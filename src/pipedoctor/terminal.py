"""How CLI text meets the terminal: verbosity, colour and width, set once from the global flags.

Colour (`--color`): `never`, `always`, or `auto` (the default): off when NO_COLOR is set to
anything, on when FORCE_COLOR is set (other than 0), else on when the stream is a terminal whose
TERM is not `dumb`. Width: COLUMNS when set, else the terminal's width, else 100 columns (files,
pipes and CI logs keep a stable layout).
"""

from __future__ import annotations

import os
import sys
from typing import Any, TextIO

QUIET, NORMAL, VERBOSE, DEBUG = -1, 0, 1, 2
COLOR_CHOICES = ["auto", "always", "never"]
DEFAULT_WIDTH = 100  # when the output is not a terminal and COLUMNS is not set
MIN_WIDTH = 40


class Settings:
    def __init__(self) -> None:
        self.verbosity = NORMAL
        self.color = "auto"


settings = Settings()
_handler: Any = None  # made with the first -v: `logging` is not imported for a plain run


def configure(verbosity: int = NORMAL, color: str = "auto") -> None:
    """Applies the global flags: -v logs retries and failed AWS calls, --debug every call."""
    global _handler
    settings.verbosity, settings.color = verbosity, color
    if verbosity < VERBOSE and "logging" not in sys.modules:
        return
    import logging

    if _handler is None:
        _handler = _stderr_handler(logging)
    logger = logging.getLogger("pipedoctor")
    logger.propagate = False
    if _handler not in logger.handlers:
        logger.addHandler(_handler)
    levels = {VERBOSE: logging.INFO, DEBUG: logging.DEBUG}
    logger.setLevel(levels.get(min(verbosity, DEBUG), logging.WARNING))


def _stderr_handler(logging: Any) -> Any:
    class CurrentStderr(logging.StreamHandler):  # type: ignore[name-defined]
        """Writes to whatever sys.stderr is at the time (tests and redirections replace it)."""

        @property
        def stream(self) -> TextIO:
            return sys.stderr

        @stream.setter
        def stream(self, _: TextIO) -> None:
            pass

    handler = CurrentStderr()
    handler.setFormatter(logging.Formatter("pipedoctor: %(message)s"))
    return handler


def quiet() -> bool:
    return settings.verbosity <= QUIET


def live_progress() -> bool:
    """Whether to report the steps of a long run: on a terminal, or anywhere with -v; never -q.
    (A script's stderr then holds only what it must: results and errors.)"""
    return not quiet() and (settings.verbosity >= VERBOSE or _isatty(sys.stderr))


def progress(message: str) -> None:
    """A progress line on stderr, unless -q."""
    if not quiet():
        print(f"pipedoctor: {message}", file=sys.stderr, flush=True)


def use_color(stream: TextIO | None = None) -> bool:
    if settings.color != "auto":
        return settings.color == "always"
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR", "0") not in ("", "0"):
        return True
    stream = stream or sys.stdout
    return _isatty(stream) and os.environ.get("TERM") != "dumb"


def width(stream: TextIO | None = None) -> int:
    """Columns to fill text to on `stream` (stdout by default)."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return max(MIN_WIDTH, int(columns))
    stream = stream or sys.stdout
    if _isatty(stream):
        try:
            return max(MIN_WIDTH, os.get_terminal_size(stream.fileno()).columns)
        except (OSError, ValueError):
            pass
    return DEFAULT_WIDTH


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
