"""JSON and YAML from untrusted files: every failure is a ParseError, never a crash or a bomb.

Deep nesting ends in RecursionError inside the parsers, and YAML aliases can expand a few
hundred bytes into billions of nodes for whoever walks the result ("billion laughs"): both are
turned into ParseError here, once, for every caller.
"""

from __future__ import annotations

import json
import re
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import yaml

MAX_YAML_ALIASES = 100  # real buildspecs and templates use a handful of anchors at most


class ParseError(ValueError):
    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        super().__init__(message)
        self.line = line
        self.column = column

    def __str__(self) -> str:
        where = f"line {self.line}" + (f" column {self.column}" if self.column else "") if self.line else ""
        return f"{where}: {self.args[0]}" if where else str(self.args[0])


@cache
def yaml_loaders() -> tuple[type, type]:
    """(the alias-counting Python loader, the fast loader for text without anchors).

    PyYAML is imported on the first YAML file only: a repository without one never pays for it.
    Without an anchor (`&`) there can be no alias, so the C loader is safe to use there."""
    import yaml

    class AliasLimitedLoader(yaml.SafeLoader):
        def __init__(self, stream: str) -> None:
            super().__init__(stream)
            self._aliases = 0

        def compose_node(self, parent: Any, index: Any) -> Any:
            if self.check_event(yaml.AliasEvent):
                self._aliases += 1
                if self._aliases > MAX_YAML_ALIASES:
                    mark = self.peek_event().start_mark
                    raise ParseError(
                        f"more than {MAX_YAML_ALIASES} YAML aliases", mark.line + 1, mark.column + 1
                    )
            return super().compose_node(parent, index)

    return AliasLimitedLoader, getattr(yaml, "CSafeLoader", yaml.SafeLoader)


# `\ud800` is valid JSON (and YAML) syntax for half a character that no file can be written with.
_SURROGATE_ESCAPE = re.compile(r"\\[uU](?:0000)?[dD][89a-fA-F][0-9a-fA-F]{2}")


def may_hold_surrogates(text: str) -> bool:
    return _SURROGATE_ESCAPE.search(text) is not None


def without_surrogates(value: Any) -> Any:
    """`value` with each unpaired surrogate replaced by U+FFFD, so any output can encode it."""
    if isinstance(value, str):
        return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    if isinstance(value, list):
        return [without_surrogates(item) for item in value]
    if isinstance(value, dict):
        return {without_surrogates(k): without_surrogates(v) for k, v in value.items()}
    return value


def parse_json(text: str) -> Any:
    text = text.removeprefix("\ufeff")  # a byte order mark from a Windows editor: still JSON
    try:
        data = json.loads(text)
        return without_surrogates(data) if may_hold_surrogates(text) else data
    except json.JSONDecodeError as error:
        raise ParseError(error.msg, error.lineno, error.colno) from None
    except RecursionError:
        raise ParseError("nested too deeply") from None
    except ValueError as error:  # an integer longer than Python converts (sys.get_int_max_str_digits)
        raise ParseError(str(error).split(";")[0]) from None


def policy_document(value: Any) -> dict[str, Any] | None:
    """An IAM policy document as AWS returns it: an object, or JSON text that older CLI versions
    URL-encode; None when it is neither."""
    from urllib.parse import unquote

    if isinstance(value, dict):
        return value
    if isinstance(value, str):
        for text in (value, unquote(value)):
            try:
                parsed = json.loads(text)
            except ValueError:
                continue
            if isinstance(parsed, dict):
                return parsed
    return None


def yaml_parse_error(error: yaml.YAMLError, text: str) -> ParseError:
    """Any PyYAML error as a ParseError with line and column when PyYAML knows where it was."""
    import yaml

    if isinstance(error, yaml.MarkedYAMLError):
        mark = error.problem_mark or error.context_mark
        problem = error.problem or error.context or "invalid YAML"
        return ParseError(problem, mark.line + 1 if mark else None, mark.column + 1 if mark else None)
    if isinstance(error, yaml.reader.ReaderError):
        # A character YAML forbids (NUL, control characters): PyYAML gives only an offset.
        before = text[: error.position] if isinstance(error.position, int) else ""
        line = before.count("\n") + 1
        column = len(before) - (before.rfind("\n") + 1) + 1
        character = error.character
        shown = f"#x{character:04x}" if isinstance(character, int) else repr(character)
        return ParseError(f"character {shown} is not allowed in YAML", line, column)
    first_line = str(error).splitlines()[0] if str(error) else ""
    return ParseError(first_line or "invalid YAML")


def parse_yaml(text: str) -> Any:
    import yaml

    alias_limited, fast = yaml_loaders()
    loader = alias_limited if "&" in text else fast
    try:
        data = yaml.load(text, Loader=loader)
        return without_surrogates(data) if may_hold_surrogates(text) else data
    except yaml.YAMLError as error:
        raise yaml_parse_error(error, text) from None
    except RecursionError:
        raise ParseError("nested too deeply") from None
    except (ValueError, TypeError) as error:  # constructor errors on odd scalars
        raise ParseError(str(error) or "invalid YAML") from None
