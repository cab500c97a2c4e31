"""JSON and YAML from untrusted files: every failure is a ParseError, never a crash or a bomb.

Deep nesting ends in RecursionError inside the parsers, and YAML aliases can expand a few
hundred bytes into billions of nodes for whoever walks the result ("billion laughs"): both are
turned into ParseError here, once, for every caller.
"""

from __future__ import annotations

import json
from typing import Any

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


class AliasLimitedLoader(yaml.SafeLoader):
    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._aliases = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_YAML_ALIASES:
                mark = self.peek_event().start_mark
                raise ParseError(f"more than {MAX_YAML_ALIASES} YAML aliases", mark.line + 1, mark.column + 1)
        return super().compose_node(parent, index)


def parse_json(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise ParseError(error.msg, error.lineno, error.colno) from None
    except RecursionError:
        raise ParseError("nested too deeply") from None


# Without an anchor (`&`) there can be no alias, so the fast C loader is safe to use.
_FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse_yaml(text: str) -> Any:
    loader = AliasLimitedLoader if "&" in text else _FAST_LOADER
    try:
        return yaml.load(text, Loader=loader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        problem = error.problem or error.context or "invalid YAML"
        raise ParseError(problem, mark.line + 1 if mark else None, mark.column + 1 if mark else None) from None
    except yaml.YAMLError as error:
        raise ParseError(str(error).splitlines()[0] if str(error) else "invalid YAML") from None
    except RecursionError:
        raise ParseError("nested too deeply") from None
