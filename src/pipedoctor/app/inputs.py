"""Reading an input file the user named, `-` meaning stdin, with one-line errors."""

from __future__ import annotations

import sys
from pathlib import Path

from pipedoctor.errors import UserError

STDIN = "-"


def read_input(path: str) -> str:
    try:
        raw = sys.stdin.buffer.read() if path == STDIN else Path(path).read_bytes()
    except OSError as error:
        raise UserError(f"cannot read {path}: {error.strerror}") from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise UserError(f"{'stdin' if path == STDIN else path}: not UTF-8 text") from None


def one_stdin(*paths: str | None) -> None:
    if sum(1 for path in paths if path == STDIN) > 1:
        raise UserError("only one input can be read from stdin (-)")
