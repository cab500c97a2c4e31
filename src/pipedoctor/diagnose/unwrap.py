"""A pasted error whose lines were wrapped by whoever quoted it, with its lines joined again.

Error texts from threads, tickets and terminals are often broken inside a sentence: "... for the source
image" on one line, the image URI on the next and "is not supported." on a third. Rules match a message
within one line, so such a text is scanned a second time with each line that continues the one before
(it starts in lower case, with a digit, a quote or a bracket, and is not a log line of its own: no
timestamp) joined to it by a space.
"""

from __future__ import annotations

import re

_CONTINUATION = re.compile(
    r"[ \t]*\r?\n[ \t]*"
    r"(?=[a-z0-9(<\"'])"
    r"(?!\d{4}[-/]\d\d[-/]\d\d|\d\d:\d\d)"
)


def unwrapped(text: str) -> str:
    """`text` with each line that continues the line before joined to it."""
    return _CONTINUATION.sub(" ", text)
