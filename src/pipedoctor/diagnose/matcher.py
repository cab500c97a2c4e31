"""One RE2 pass over a text for every rule pattern at once (RE2::Set), captures only on a hit.

Scanning cost is one linear pass per text block whatever the number of rules, so a long build log
is read at close to plain regex speed; texts can be fed block by block to keep memory flat.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

import re2

from pipedoctor.diagnose.patterns import Pattern, flagged_source, re2_options
from pipedoctor.diagnose.rules import Rule, RuleError
from pipedoctor.knowledge.ecs_reports import ECS_REPORT_WORDS

ANY_SURFACE = "any"  # a pasted text of unknown origin: every rule may apply
# Places outside the pipeline's own services; a rule that applies to "other" applies to them too.
OTHER_SURFACES = {"other", "cli", "cloudformation"}
EXCERPT_CHARS = 800  # enough for a wrapped AWS message on either side of the matched words
# A build log's lines that hold ECS's own reports (a deploy tool relays them) are also read as ECS's
# texts, by the rules written for those.
RELAYING_SURFACES = {"codebuild-log"}
RELAYED_SURFACE = "ecs-task"
_RELAYED_REPORT = [Pattern(words) for words in ECS_REPORT_WORDS]
# A text posted on a blog, a chat or a word processor gets typographic quotes where the program
# printed ASCII ones; the rules are written with the program's.
_TYPOGRAPHIC_QUOTES = {"\u201c": '"', "\u201d": '"', "\u2018": "'", "\u2019": "'"}
_PLAIN_QUOTES = str.maketrans(_TYPOGRAPHIC_QUOTES)
_PLAIN_QUOTE_BYTES = {fancy.encode(): plain.encode() for fancy, plain in _TYPOGRAPHIC_QUOTES.items()}
_TYPOGRAPHIC_QUOTE_BYTES = re.compile(b"|".join(re.escape(fancy) for fancy in _PLAIN_QUOTE_BYTES))


@dataclass
class TextMatch:
    captures: dict[str, str]
    surface: str  # where the text came from (codebuild-phase, codebuild-log, ecs-task, ...)
    text: str  # the matched line
    excerpt: str = ""  # the text around the match, for rules that read the whole message

    @property
    def line(self) -> str:
        """The surface and the line, as evidence writes them: "surface: line"."""
        return f"{self.surface}: {self.text}"


@dataclass
class ScanState:
    """What has been seen so far across the blocks of one incident."""

    first: dict[str, TextMatch] = field(default_factory=dict)  # rule id -> first match
    excluded: set[str] = field(default_factory=set)
    tail: bytes = field(default=b"", compare=False)  # the input's end, shown when nothing matches


def _line_around(text: str, start: int) -> str:
    begin = text.rfind("\n", 0, start) + 1
    end = text.find("\n", start)
    return text[begin : end if end != -1 else len(text)].strip()[:300]


def rule_applies(rule: Rule, surface: str) -> bool:
    """Whether `rule` is written for texts from `surface`."""
    if not rule.surfaces or surface == ANY_SURFACE or surface in rule.surfaces:
        return True
    return surface in OTHER_SURFACES and "other" in rule.surfaces


@lru_cache(maxsize=2)
def _compile(sources: tuple[str, ...]) -> re2.Set:
    """One set of the patterns `sources`, kept for the process: each command of a session, each
    diagnoser of the TUI, builds its own matcher of the same rules, and compiling costs a third of
    a second."""
    patterns = re2.Set.SearchSet(re2_options())
    for source in sources:
        patterns.Add(flagged_source(source))
    try:
        patterns.Compile()
    except re2.error:
        raise RuleError(
            "the rules' patterns are too large to compile together (RE2 memory limit)"
        ) from None
    return patterns


def _relayed_reports(block: bytes, reports: list[Pattern]) -> bytes:
    """The lines of `block` that hold one of `reports` (the words of ECS's reports found in it).
    Searched as bytes: RE2 maps every match's offsets back to characters in a str."""
    lines = {}
    for pattern in reports:
        for found in pattern.regex.finditer(block):
            start = block.rfind(b"\n", 0, found.start()) + 1
            end = block.find(b"\n", found.start())
            lines[start] = block[start : end if end != -1 else len(block)]
    return b"\n".join(line for _, line in sorted(lines.items()))


class RuleMatcher:
    def __init__(self, rules: list[Rule]) -> None:
        self.rules = [rule for rule in rules if rule.kind == "diagnosis"]
        self._entries: list[tuple[Rule, Pattern, bool]] = []  # (rule, pattern, is_exclude)
        for rule in self.rules:
            for pattern, is_exclude in [(p, False) for p in rule.match] + [
                (p, True) for p in rule.exclude
            ]:
                self._entries.append((rule, pattern, is_exclude))
        self._set: re2.Set | None = None  # compiled on the first text: a repository check has none

    def _compiled_set(self) -> re2.Set:
        """The rules' patterns, then the words of ECS's relayed reports (from index len(entries))."""
        if self._set is None:
            sources = [pattern.source for _, pattern, _ in self._entries]
            self._set = _compile(tuple(sources + [pattern.source for pattern in _RELAYED_REPORT]))
        return self._set

    def scan(self, block: str | bytes, surface: str, state: ScanState) -> None:
        """Record the rules `block` matches; bytes are scanned as UTF-8 without decoding first."""
        if not block:
            return
        block = plain_quotes(block)
        hits = self._compiled_set().Match(block)
        if not hits:
            return
        rule_hits = [index for index in hits if index < len(self._entries)]
        if rule_hits:
            text = block.decode("utf-8", errors="replace") if isinstance(block, bytes) else block
            self._record(rule_hits, text, surface, state)
        if len(rule_hits) < len(hits) and surface in RELAYING_SURFACES:
            reports = [
                _RELAYED_REPORT[index - len(self._entries)]
                for index in hits
                if index >= len(self._entries)
            ]
            raw = block if isinstance(block, bytes) else block.encode("utf-8", errors="replace")
            self.scan(_relayed_reports(raw, reports), RELAYED_SURFACE, state)

    def _record(self, hits: list[int], text: str, surface: str, state: ScanState) -> None:
        """The first match of each rule whose pattern `hits` names, and the rules excluded."""
        for index in sorted(hits):
            rule, pattern, is_exclude = self._entries[index]
            if not rule_applies(rule, surface):
                continue
            if is_exclude:
                state.excluded.add(rule.id)
                continue
            if rule.id in state.first:
                continue
            found = pattern.regex.search(text)
            if found is None:  # cannot happen for the same pattern; keeps the types honest
                continue
            captures = {k: v for k, v in found.groupdict().items() if v is not None}
            # rules that read the whole message: denials resolved, and Allows a denial may rule out
            reads_message = rule.resolve or rule.fix_policy
            excerpt = (
                text[max(0, found.start() - EXCERPT_CHARS) : found.end() + EXCERPT_CHARS]
                if reads_message
                else ""
            )
            state.first[rule.id] = TextMatch(
                captures, surface, _line_around(text, found.start()), excerpt
            )

    def matched_rules(self, state: ScanState) -> list[tuple[Rule, TextMatch]]:
        """The rules that matched and were not excluded, less those that yield to one of them."""
        matched = {rule.id for rule in self.rules if rule.id in state.first} - state.excluded
        return [
            (rule, state.first[rule.id])
            for rule in self.rules
            if rule.id in matched and matched.isdisjoint(rule.yields_to)
        ]


def plain_quotes(block: str | bytes) -> str | bytes:
    """The block with typographic quotes made ASCII (three bytes each in UTF-8, one after)."""
    if isinstance(block, str):
        return block.translate(_PLAIN_QUOTES)
    if b"\xe2" not in block:  # their first byte; a one-byte search, so an ASCII log costs next to nothing
        return block
    return _TYPOGRAPHIC_QUOTE_BYTES.sub(lambda quote: _PLAIN_QUOTE_BYTES[quote[0]], block)
