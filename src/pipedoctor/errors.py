"""Exit codes, the one error type a user can cause, and error text cut down to one line."""

from __future__ import annotations

import re
from enum import IntEnum

MESSAGE_LIMIT = 200  # characters of an error message kept on its one line

_HTML_START = re.compile(r"<(!doctype\s+html|html)\b", re.IGNORECASE)
_HTML_HEADING = re.compile(r"<(title|h1)\b[^>]*>(.*?)</\1\s*>", re.IGNORECASE | re.DOTALL)
_QUOTE_OPENING = re.compile(r"\s*b?['\"]?$")  # a page quoted as a Python bytes or string value
_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")


class ExitCode(IntEnum):
    """Documented process exit codes (README, `pipedoctor --help`)."""

    OK = 0
    FINDINGS = 1
    USAGE = 2  # bad arguments, unreadable or invalid input file, rule error
    AWS_UNAVAILABLE = 3  # no credentials, endpoint unreachable, AWS error
    INTERRUPTED = 130


class UserError(Exception):
    """An error the user caused and can fix: printed as one line, no traceback."""

    def __init__(self, message: str, exit_code: ExitCode = ExitCode.USAGE) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def one_line(message: str, limit: int = MESSAGE_LIMIT) -> str:
    """`message` on one line of at most `limit` characters.

    A text holding an HTML page (what a proxy, a load balancer or an endpoint lacking the API
    answers with, also quoted inside a parser's error) becomes the page's title or first
    heading, marked as such: the rest of the page says nothing useful.
    """
    text = message
    start = _HTML_START.search(text)
    if start or "</html>" in text.lower():
        import html

        heading = _HTML_HEADING.search(text)
        words = html.unescape(_TAG.sub(" ", heading.group(2))) if heading else "no title"
        before = _QUOTE_OPENING.sub("", text[: start.start()]) if start else ""
        text = f"{before} HTML page: {words}"
    text = _SPACE.sub(" ", text).strip()
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text
