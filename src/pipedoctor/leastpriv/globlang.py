"""IAM resource patterns as finite automata, so that languages can be intersected and compared.

A pattern is read exactly as the evaluator reads it (`iam/matching.py`): a wildcard inside one of
the first five colon-separated ARN segments stays inside that segment, one in the resource part
may match colons, and a pattern that is not a full ARN is a plain glob. Each pattern becomes a
token list; a set of patterns runs as one automaton whose states are the sets of positions reached
(the subset construction done lazily, state by state, as a search needs them).

Only the characters written in the patterns, the colon and one character written nowhere can tell
patterns apart, so a search needs no other symbol: `alphabet()` gives that finite set.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from pipedoctor.iam.matching import arn_match, has_wildcard

LITERAL, ONE, ONE_IN_SEGMENT, STAR, STAR_IN_SEGMENT = range(5)
Token = tuple[int, str]  # (kind, character for LITERAL else "")

# Characters tried, in order, as the one that no pattern names: readable ones first.
_SPARE_CHARACTERS = "xyzqjkwvuabcdefghilmnoprst0123456789-_"


def _plain_tokens(text: str, in_segment: bool) -> list[Token]:
    tokens: list[Token] = []
    for char in text:
        if char == "*":
            tokens.append((STAR_IN_SEGMENT if in_segment else STAR, ""))
        elif char == "?":
            tokens.append((ONE_IN_SEGMENT if in_segment else ONE, ""))
        else:
            tokens.append((LITERAL, char))
    return tokens


def pattern_tokens(pattern: str) -> list[Token]:
    """The tokens of an IAM resource pattern (ARN glob semantics, as the evaluator applies them)."""
    if pattern == "*":
        return [(STAR, "")]
    segments = pattern.split(":", 5)
    if len(segments) < 6:
        return _plain_tokens(pattern, in_segment=False)
    tokens: list[Token] = []
    for segment in segments[:5]:
        tokens += _plain_tokens(segment, in_segment=True)
        tokens.append((LITERAL, ":"))
    return tokens + _plain_tokens(segments[5], in_segment=False)


def arn_format_tokens(arn_format: str, partition: str) -> list[Token]:
    """The catalog's ARN format (`arn:${Partition}:s3:::${BucketName}/${ObjectName}`) as tokens:
    the partition is the caller's; every other `${...}` placeholder stands for one or more
    characters (inside its segment in the head)."""
    segments = arn_format.replace("${Partition}", partition).split(":", 5)
    tokens: list[Token] = []
    for number, segment in enumerate(segments):
        in_segment = number < 5 and len(segments) == 6
        rest = segment
        while rest:
            start = rest.find("${")
            end = rest.find("}", start) if start >= 0 else -1
            if start < 0 or end < 0:
                tokens += [(LITERAL, char) for char in rest]
                break
            tokens += [(LITERAL, char) for char in rest[:start]]
            tokens += [
                (ONE_IN_SEGMENT if in_segment else ONE, ""),
                (STAR_IN_SEGMENT if in_segment else STAR, ""),
            ]
            rest = rest[end + 1 :]
        if number < len(segments) - 1:
            tokens.append((LITERAL, ":"))
    return tokens


def literal_tokens(text: str) -> list[Token]:
    """Exactly this string (a `*` in it is a character, not a wildcard)."""
    return [(LITERAL, char) for char in text]


def alphabet(token_lists: list[list[Token]]) -> tuple[str, str]:
    """(symbols to search with, the spare character standing for every unnamed one): the spare
    first, then the colon and every literal, so that witnesses read naturally."""
    named = {char for tokens in token_lists for kind, char in tokens if kind == LITERAL}
    named.add(":")
    spare = next((c for c in _SPARE_CHARACTERS if c not in named), None)
    if spare is None:
        spare = next(chr(code) for code in range(0x100, 0x10000) if chr(code) not in named)
    return spare + "".join(sorted(named)), spare


@dataclass
class PatternAutomaton:
    """The union of several token lists, determinised on demand. State 0 is the dead state."""

    token_lists: list[list[Token]]
    _states: list[frozenset[tuple[int, int]]] = field(default_factory=list)
    _ids: dict[frozenset[tuple[int, int]], int] = field(default_factory=dict)
    _accepting: list[bool] = field(default_factory=list)
    _moves: dict[tuple[int, str], int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._intern(frozenset())
        self.start = self._intern(
            self._closure({(number, 0) for number in range(len(self.token_lists))})
        )

    def _closure(self, positions: set[tuple[int, int]]) -> frozenset[tuple[int, int]]:
        result = set(positions)
        pending = list(positions)
        while pending:
            number, position = pending.pop()
            tokens = self.token_lists[number]
            if position < len(tokens) and tokens[position][0] in (STAR, STAR_IN_SEGMENT):
                following = (number, position + 1)
                if following not in result:
                    result.add(following)
                    pending.append(following)
        return frozenset(result)

    def _intern(self, positions: frozenset[tuple[int, int]]) -> int:
        known = self._ids.get(positions)
        if known is not None:
            return known
        self._ids[positions] = len(self._states)
        self._states.append(positions)
        self._accepting.append(
            any(position == len(self.token_lists[number]) for number, position in positions)
        )
        return len(self._states) - 1

    def accepts(self, state: int) -> bool:
        return self._accepting[state]

    def step(self, state: int, char: str) -> int:
        key = (state, char)
        known = self._moves.get(key)
        if known is not None:
            return known
        reached: set[tuple[int, int]] = set()
        for number, position in self._states[state]:
            tokens = self.token_lists[number]
            if position == len(tokens):
                continue
            kind, literal = tokens[position]
            if kind == STAR or (kind == STAR_IN_SEGMENT and char != ":"):
                reached.add((number, position))
            elif (
                kind == ONE
                or (kind == ONE_IN_SEGMENT and char != ":")
                or (kind == LITERAL and char == literal)
            ):
                reached.add((number, position + 1))
        target = self._intern(self._closure(reached)) if reached else 0
        self._moves[key] = target
        return target


def _literal_prefix(pattern: str) -> str:
    cut = min((i for i in (pattern.find("*"), pattern.find("?")) if i >= 0), default=len(pattern))
    return pattern[:cut]


@lru_cache(maxsize=65536)
def covers(outer: str, inner: str) -> bool:
    """True when every resource the pattern `inner` matches, `outer` matches too."""
    if not has_wildcard(inner):
        return arn_match(outer, inner)  # the evaluator's own matching
    if not has_wildcard(outer):
        return False  # a wildcard matches more than one string
    head_outer, head_inner = _literal_prefix(outer), _literal_prefix(inner)
    shorter = min(len(head_outer), len(head_inner))
    if head_outer[:shorter] != head_inner[:shorter]:
        return False  # they differ where both are literal
    small, large = (
        PatternAutomaton([pattern_tokens(inner)]),
        PatternAutomaton([pattern_tokens(outer)]),
    )
    symbols, _ = alphabet(small.token_lists + large.token_lists)
    seen = {(small.start, large.start)}
    pending = [(small.start, large.start)]
    while pending:
        state_small, state_large = pending.pop()
        if small.accepts(state_small) and not large.accepts(state_large):
            return False
        for char in symbols:
            following = (small.step(state_small, char), large.step(state_large, char))
            if following[0] != 0 and following not in seen:
                seen.add(following)
                pending.append(following)
    return True
