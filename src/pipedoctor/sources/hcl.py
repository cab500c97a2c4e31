"""A small HCL2 reader for Terraform files: blocks, attributes and literals, with lines.

Terraform 0.11 files read too where they differ only in quoting a block type or an attribute name.

Enough for what pipeline definitions use: blocks with labels, strings with `${}` templates,
heredocs, numbers, bools, lists, objects and `jsonencode(...)` of a literal. Any other expression
(references, function calls, conditionals, `for`) is kept as its source text wrapped in `${...}`,
which is how it would read inside a string template.

Shape of the result (the same as `terraform show -json` values): every block is appended to a
list under its type, labels in `__labels__`, so `resource "aws_x" "y" { environment { ... } }`
is `{"resource": [{"__labels__": ["aws_x", "y"], "environment": [{...}]}]}`.
"""

from __future__ import annotations

import bisect
import json
import re
from typing import Any

from pipedoctor.sources.located import LocatedDoc, Path_
from pipedoctor.textparse import ParseError

LABELS = "__labels__"
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_\-]*")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?")
_HEREDOC = re.compile(r"<<(-?)([A-Za-z_][A-Za-z0-9_]*)[ \t]*\r?\n")
_CLOSERS = {"(": ")", "[": "]", "{": "}"}
_RAW = object()  # marks an expression that is not a literal


class _Reader:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.newlines = [i for i, c in enumerate(text) if c == "\n"]
        self.doc = LocatedDoc(data=None)

    # -- positions -----------------------------------------------------------------------
    def line_at(self, pos: int) -> int:
        return bisect.bisect_left(self.newlines, pos) + 1

    def fail(self, message: str, pos: int | None = None) -> ParseError:
        pos = self.pos if pos is None else pos
        line = self.line_at(pos)
        column = pos - (self.newlines[line - 2] if line > 1 else -1)
        return ParseError(message, line, column)

    def peek(self, offset: int = 0) -> str:
        index = self.pos + offset
        return self.text[index] if index < len(self.text) else ""

    # -- whitespace and comments ---------------------------------------------------------
    def skip(self, newlines: bool) -> None:
        text = self.text
        while self.pos < len(text):
            char = text[self.pos]
            if char in " \t\r" or (newlines and char == "\n"):
                self.pos += 1
            elif char == "#" or text.startswith("//", self.pos):
                end = text.find("\n", self.pos)
                self.pos = len(text) if end < 0 else end
            elif text.startswith("/*", self.pos):
                end = text.find("*/", self.pos + 2)
                if end < 0:
                    raise self.fail("unterminated comment")
                self.pos = end + 2
            else:
                return

    # -- bodies --------------------------------------------------------------------------
    def body(self, path: Path_, closing: str) -> dict[str, Any]:
        result: dict[str, Any] = {}
        while True:
            self.skip(newlines=True)
            if self.pos >= len(self.text):
                if closing:
                    raise self.fail(f"missing {closing!r}")
                return result
            if closing and self.peek() == closing:
                self.pos += 1
                return result
            start = self.pos
            # Terraform 0.11 (HCL1) also quoted block types and attribute names: `"artifacts" {`
            name = self.string((*path, "name")) if self.peek() == '"' else self.identifier()
            self.skip(newlines=False)
            if self.peek() == "=" and self.peek(1) != "=":
                self.pos += 1
                self.doc.lines[(*path, name)] = self.line_at(start)
                # a one-line block (`variable "x" { default = 1 }`) ends the value at its `}`
                result[name] = self.expression((*path, name), stops="\n}" if closing else "\n")
                continue
            labels = []
            while self.peek() in ('"',) or _IDENT.match(self.text, self.pos):
                if self.peek() == '"':
                    labels.append(self.string((*path, name, "label")))
                else:
                    labels.append(self.identifier())
                self.skip(newlines=False)
            if self.peek() != "{":
                raise self.fail(f"expected '=' or '{{' after {name!r}")
            self.pos += 1
            blocks = result.setdefault(name, [])
            if not isinstance(blocks, list):
                raise self.fail(f"{name!r} is both an attribute and a block", start)
            child_path = (*path, name, len(blocks))
            self.doc.lines[child_path] = self.line_at(start)
            block = self.body(child_path, "}")
            if labels:
                block[LABELS] = labels
            blocks.append(block)

    def identifier(self) -> str:
        match = _IDENT.match(self.text, self.pos)
        if match is None:
            raise self.fail(f"unexpected {self.peek()!r}")
        self.pos = match.end()
        return match.group(0)

    # -- expressions ---------------------------------------------------------------------
    def expression(self, path: Path_, stops: str) -> Any:
        """A literal when the whole expression is one, else its text as `${...}`."""
        self.skip(newlines=False)
        start = self.pos
        value = self.literal(path)
        self.skip(newlines=False)
        if value is not _RAW and (
            self.pos >= len(self.text) or self.peek() in stops or self.peek() in "#/"
        ):
            return value
        self.pos = start
        end = self.expression_end(stops)
        self.pos = end
        return "${" + " ".join(self.text[start:end].split()) + "}"

    def literal(self, path: Path_) -> Any:
        char = self.peek()
        if char == '"':
            return self.string(path)
        if char == "<" and (heredoc := _HEREDOC.match(self.text, self.pos)):
            return self.heredoc(heredoc, path)
        if char == "[":
            return self.sequence(path)
        if char == "{":
            return self.mapping(path)
        if number := _NUMBER.match(self.text, self.pos):
            after = self.text[number.end() : number.end() + 1]
            if not (after.isalnum() or after in "._"):
                self.pos = number.end()
                text = number.group(0)
                return float(text) if any(c in text for c in ".eE") else int(text)
        if word := _IDENT.match(self.text, self.pos):
            name = word.group(0)
            after = self.text[word.end() : word.end() + 1]
            if name in ("true", "false", "null") and after not in (".", "(", "["):
                self.pos = word.end()
                return {"true": True, "false": False, "null": None}[name]
            if name == "jsonencode" and after == "(":
                self.pos = word.end() + 1
                self.skip(newlines=True)
                value = self.literal(path)
                self.skip(newlines=True)
                if value is not _RAW and self.peek() == ")":
                    self.pos += 1
                    return json.dumps(value)
        return _RAW

    def string(self, path: Path_) -> str:
        """A quoted template; `${...}` and `%{...}` parts are kept as written."""
        start = self.pos
        self.pos += 1
        parts: list[str] = []
        text = self.text
        while self.pos < len(text):
            char = text[self.pos]
            if char == '"':
                self.pos += 1
                return "".join(parts)
            if char == "\\":
                escaped = text[self.pos + 1 : self.pos + 2]
                parts.append(
                    {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}.get(
                        escaped, "\\" + escaped
                    )
                )
                self.pos += 2
                continue
            if char in "$%" and text.startswith("{", self.pos + 1):
                end = self.template_end(self.pos + 2)
                parts.append(text[self.pos : end])
                self.pos = end
                continue
            if char == "\n":
                raise self.fail("newline in a quoted string", start)
            parts.append(char)
            self.pos += 1
        raise self.fail("unterminated string", start)

    def template_end(self, pos: int) -> int:
        """The position after the `}` closing a `${` whose body starts at `pos`."""
        depth = 1
        text = self.text
        while pos < len(text):
            char = text[pos]
            if char == '"':
                saved = self.pos
                self.pos = pos
                self.string(())
                pos, self.pos = self.pos, saved
                continue
            if char == "{":
                depth += 1
            elif char == "}":
                depth -= 1
                if depth == 0:
                    return pos + 1
            pos += 1
        raise self.fail("unterminated ${ in a string", pos)

    def heredoc(self, match: re.Match[str], path: Path_) -> str:
        indented, marker = match.group(1) == "-", match.group(2)
        body_start = match.end()
        closing = re.compile(rf"^[ \t]*{re.escape(marker)}[ \t]*\r?$", re.MULTILINE)
        end = closing.search(self.text, body_start)
        if end is None:
            raise self.fail(f"heredoc {marker} is never closed")
        lines = self.text[body_start : end.start()].splitlines()
        if indented:
            widths = [len(line) - len(line.lstrip()) for line in lines if line.strip()]
            cut = min(widths, default=0)
            lines = [line[cut:] for line in lines]
        self.pos = end.end()
        self.doc.text_starts[path] = self.line_at(body_start)
        return "\n".join(lines) + ("\n" if lines else "")

    def sequence(self, path: Path_) -> Any:
        self.pos += 1
        items: list[Any] = []
        while True:
            self.skip(newlines=True)
            if self.peek() == "]":
                self.pos += 1
                return items
            if self.pos >= len(self.text):
                raise self.fail("missing ']'")
            if _IDENT.match(self.text, self.pos) and self.text.startswith("for", self.pos):
                return _RAW  # a `for` expression
            child = (*path, len(items))
            self.doc.lines[child] = self.line_at(self.pos)
            start = self.pos
            items.append(self.expression(child, stops=",]\n"))
            self.skip(newlines=True)
            if self.peek() == ",":
                self.pos += 1
            elif self.pos == start:  # nothing read: a character no list item can start with
                raise self.fail(f"unexpected {self.peek()!r} in a list")

    def mapping(self, path: Path_) -> Any:
        self.pos += 1
        result: dict[str, Any] = {}
        while True:
            self.skip(newlines=True)
            if self.peek() == "}":
                self.pos += 1
                return result
            if self.pos >= len(self.text):
                raise self.fail("missing '}'")
            key_start = self.pos
            if self.peek() == '"':
                key = self.string(())
            elif self.peek() == "(":
                return _RAW  # computed keys
            else:
                match = _IDENT.match(self.text, self.pos)
                if match is None or match.group(0) == "for":
                    return _RAW
                key = match.group(0)
                self.pos = match.end()
            self.skip(newlines=False)
            if self.peek() not in ("=", ":"):
                return _RAW
            self.pos += 1
            child = (*path, key)
            self.doc.lines[child] = self.line_at(key_start)
            result[key] = self.expression(child, stops=",}\n")
            self.skip(newlines=False)
            if self.peek() == ",":
                self.pos += 1

    def expression_end(self, stops: str) -> int:
        """Where an arbitrary expression ends: at a stop character outside brackets and strings."""
        text = self.text
        pos = self.pos
        depth: list[str] = []
        while pos < len(text):
            char = text[pos]
            if not depth and char in stops:
                return pos
            if char == '"':
                saved = self.pos
                self.pos = pos
                self.string(())
                pos, self.pos = self.pos, saved
                continue
            if char == "<" and (heredoc := _HEREDOC.match(text, pos)):
                saved = self.pos
                self.pos = pos
                self.heredoc(heredoc, ())
                pos, self.pos = self.pos, saved
                continue
            if char == "#" or text.startswith("//", pos):
                if not depth:
                    return pos
                newline = text.find("\n", pos)
                pos = len(text) if newline < 0 else newline
                continue
            if char in _CLOSERS:
                depth.append(_CLOSERS[char])
            elif char in ")]}":
                if not depth:
                    return pos
                if depth.pop() != char:
                    raise self.fail(f"unbalanced {char!r}", pos)
            pos += 1
        if depth:
            raise self.fail(f"missing {depth[-1]!r}", pos)
        return pos


def load_hcl(text: str) -> LocatedDoc:
    """Parse a Terraform file; raises ParseError with line and column on what it cannot read."""
    reader = _Reader(text)
    try:
        reader.doc.data = reader.body((), "")
    except RecursionError:
        raise ParseError("nested too deeply") from None
    return reader.doc
