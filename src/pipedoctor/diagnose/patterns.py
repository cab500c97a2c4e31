"""Rule patterns compiled with RE2: matching time is linear in the input, whatever the pattern."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import re2

_LEADING_FLAGS = re.compile(r"^\(\?[a-zA-Z]+\)")
_OPTIONS = re2.Options()
_OPTIONS.log_errors = False  # RE2 would print its own message to stderr; ours names the rule file
_OPTIONS.max_mem = 64 << 20  # the set of every rule's patterns needs more than RE2's 8 MB default


class PatternError(ValueError):
    pass


@dataclass
class Pattern:
    """An RE2 pattern; one read from the rule cache is compiled on first use only."""

    source: str
    compiled: Any = field(default=None, repr=False, compare=False)

    @property
    def regex(self) -> Any:
        if self.compiled is None:
            self.compiled = re2.compile(flagged_source(self.source), _OPTIONS)
        return self.compiled


def re2_options() -> re2.Options:
    return _OPTIONS


def flagged_source(source: str) -> str:
    """The source RE2 compiles: case-insensitive unless the pattern sets its own flags (AWS and
    Docker vary the case of the same message across versions), ^ and $ at each line's start and end
    (a message is a line of a longer log), and spaces as any whitespace."""
    source = spaces_as_whitespace(source)
    return source if _LEADING_FLAGS.match(source) else f"(?im){source}"


def spaces_as_whitespace(source: str) -> str:
    """A literal space matches any run of whitespace: consoles, terminals and issue threads wrap
    long messages onto the next line or align them with tabs. A quantified space (` ?`, ` {2}`)
    becomes one whitespace character; spaces in a character class or escaped stay as written."""
    out: list[str] = []
    in_class = escaped = False
    for index, char in enumerate(source):
        if escaped or char == "\\":
            escaped = not escaped and char == "\\"
        elif in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == " ":
            quantified = source[index + 1 : index + 2] in ("?", "*", "+", "{")
            out.append(r"\s" if quantified else r"\s+")
            continue
        out.append(char)
    return "".join(out)


def compile_pattern(source: str) -> Pattern:
    if not isinstance(source, str):  # e.g. an unquoted YAML pattern holding ": "
        raise PatternError(f"pattern {source!r} is not a string (quote it)")
    try:
        return Pattern(source=source, compiled=re2.compile(flagged_source(source), _OPTIONS))
    except re2.error as error:
        detail = error.args[0].decode() if error.args and isinstance(error.args[0], bytes) else str(error)
        raise PatternError(
            f"pattern {source!r} is not valid RE2 ({detail}); backreferences and lookarounds "
            "are not allowed because they make matching time non-linear"
        ) from None
