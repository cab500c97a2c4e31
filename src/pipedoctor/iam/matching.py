"""Wildcard and ARN matching: IAM globs (`*`, `?`) compiled once into regular expressions.

Two pattern families:
- plain globs (actions, StringLike values): `*` and `?` may match any character;
- ARN globs: a wildcard inside one of the first five colon-separated segments stays inside that
  segment, and the resource segment (everything after the fifth colon) may contain colons.

Request resources that themselves contain wildcards (``arn:aws:s3:::bucket/*``) are compared
pattern-to-pattern with `globs_intersect` and `glob_covers`.
"""

from __future__ import annotations

import re
from functools import lru_cache


def has_wildcard(text: str) -> bool:
    return "*" in text or "?" in text


def _glob_fragment(text: str, star: str, question: str) -> str:
    parts: list[str] = []
    for char in text:
        if char == "*":
            parts.append(star)
        elif char == "?":
            parts.append(question)
        else:
            parts.append(re.escape(char))
    return "".join(parts)


def glob_to_regex(pattern: str) -> str:
    """Regex source (unanchored) for a plain IAM glob."""
    return _glob_fragment(pattern, ".*", ".")


def arn_glob_to_regex(pattern: str) -> str:
    """Regex source (unanchored) for an ARN glob, honouring segment boundaries."""
    if pattern == "*":
        return ".*"
    segments = pattern.split(":", 5)
    if len(segments) < 6:
        # Not a full ARN: fall back to a plain glob (e.g. "*" or a malformed value).
        return glob_to_regex(pattern)
    head = [_glob_fragment(segment, "[^:]*", "[^:]") for segment in segments[:5]]
    return ":".join(head) + ":" + glob_to_regex(segments[5])


@lru_cache(maxsize=8192)
def compile_glob(pattern: str, ignore_case: bool = False) -> re.Pattern[str]:
    flags = re.DOTALL | (re.IGNORECASE if ignore_case else 0)
    return re.compile(glob_to_regex(pattern), flags)


@lru_cache(maxsize=8192)
def compile_arn_glob(pattern: str) -> re.Pattern[str]:
    return re.compile(arn_glob_to_regex(pattern), re.DOTALL)


def compile_arn_globs(patterns: list[str] | tuple[str, ...]) -> re.Pattern[str]:
    """One regex matching any of several ARN globs (one `fullmatch` call per request)."""
    alternatives = sorted({arn_glob_to_regex(pattern) for pattern in patterns})
    return re.compile("(?:" + "|".join(alternatives) + ")", re.DOTALL)


def glob_match(pattern: str, value: str, ignore_case: bool = False) -> bool:
    return compile_glob(pattern, ignore_case).fullmatch(value) is not None


def arn_match(pattern: str, arn: str) -> bool:
    return compile_arn_glob(pattern).fullmatch(arn) is not None


@lru_cache(maxsize=65536)
def globs_intersect(left: str, right: str) -> bool:
    """True when some string is matched by both globs."""
    reachable = {(0, 0)}
    seen: set[tuple[int, int]] = set()
    end = (len(left), len(right))
    while reachable:
        state = reachable.pop()
        if state == end:
            return True
        if state in seen:
            continue
        seen.add(state)
        i, j = state
        a = left[i] if i < len(left) else None
        b = right[j] if j < len(right) else None
        if a == "*":
            reachable.add((i + 1, j))
            if b is not None:
                reachable.add((i, j + 1))
        if b == "*":
            reachable.add((i, j + 1))
            if a is not None:
                reachable.add((i + 1, j))
        both_single = a is not None and b is not None and a != "*" and b != "*"
        if both_single and (a == "?" or b == "?" or a == b):
            reachable.add((i + 1, j + 1))
    return False


@lru_cache(maxsize=8192)
def glob_covers(outer: str, inner: str) -> bool:
    """True when every string matched by `inner` is matched by `outer` (sufficient check).

    `outer` is read as a glob; the wildcards of `inner` are treated as symbols that only a
    wildcard of `outer` can absorb (`*` by `*`, `?` by `?` or `*`).
    """
    n, m = len(outer), len(inner)
    # dp[j] = outer[:i] can absorb inner[:j]
    dp = [False] * (m + 1)
    dp[0] = True
    for i in range(1, n + 1):
        token = outer[i - 1]
        new = [False] * (m + 1)
        if token == "*":
            new[0] = dp[0]
            for j in range(1, m + 1):
                new[j] = dp[j] or new[j - 1]
        else:
            for j in range(1, m + 1):
                symbol = inner[j - 1]
                if token == "?":
                    ok = symbol != "*"
                else:
                    ok = symbol == token
                new[j] = ok and dp[j - 1]
        dp = new
    return dp[m]
