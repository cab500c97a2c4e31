"""YAML and JSON documents with the line of every key and item, for findings that point at a line.

CloudFormation short tags (`!Ref X`, `!Sub ...`, `!GetAtt A.B`) become their long form
(`{"Ref": "X"}`, `{"Fn::Sub": ...}`), so one resolver handles YAML and JSON templates.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pipedoctor.textparse import (
    ParseError,
    may_hold_surrogates,
    parse_json,
    without_surrogates,
    yaml_loaders,
    yaml_parse_error,
)

if TYPE_CHECKING:
    import yaml

Path_ = tuple[Any, ...]
MAX_EXPANDED_NODES = 1_000_000
_STANDARD_TAG = "tag:yaml.org,2002:"


@dataclass
class LocatedDoc:
    """Plain data plus where each part starts (1-based lines, keyed by the path to the part)."""

    data: Any
    lines: dict[Path_, int] = field(default_factory=dict)
    # First file line of multi-line strings whose lines map one to one onto the file's.
    text_starts: dict[Path_, int] = field(default_factory=dict)
    # Numbers as written (`python: 3.10` is the float 3.1, but the version "3.10").
    number_texts: dict[Path_, str] = field(default_factory=dict)

    def line(self, path: Path_, default: int = 1) -> int:
        """The line of `path`, else of its nearest located ancestor."""
        for end in range(len(path), -1, -1):
            found = self.lines.get(tuple(path[:end]))
            if found is not None:
                return found
        return default


def _short_tag_key(tag: str) -> str:
    name = tag.lstrip("!")
    return name if name in ("Ref", "Condition") else f"Fn::{name}"


class _Builder:
    def __init__(self, loader: Any, surrogates: bool = False) -> None:
        self.loader = loader
        self.surrogates = surrogates  # the text may escape half characters (`"\\ud800"`)
        self.doc = LocatedDoc(data=None)
        self.built: dict[int, Any] = {}  # an aliased node is built once and shared

    def build(self, node: yaml.Node, path: Path_) -> Any:
        if id(node) in self.built:
            return self.built[id(node)]
        value = self._build(node, path)
        self.built[id(node)] = value
        return value

    def _build(self, node: yaml.Node, path: Path_) -> Any:
        self.doc.lines.setdefault(path, node.start_mark.line + 1)
        tag = node.tag or ""
        if tag.startswith("!"):
            return {_short_tag_key(tag): self._plain(node, path)}
        return self._plain(node, path)

    def _plain(self, node: yaml.Node, path: Path_) -> Any:
        import yaml

        if isinstance(node, yaml.MappingNode):
            result: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                key = (
                    self._scalar(key_node)
                    if isinstance(key_node, yaml.ScalarNode)
                    else str(key_node.start_mark)
                )
                key = key if isinstance(key, str | int) else str(key)
                child = (*path, key)
                self.doc.lines[child] = key_node.start_mark.line + 1
                result[key] = self.build(value_node, child)
            return result
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, index)) for index, item in enumerate(node.value)]
        if node.style == "|":  # literal block: text line N is file line start + N
            self.doc.text_starts[path] = node.start_mark.line + 2
        value = self._scalar(node)
        if isinstance(value, float):
            self.doc.number_texts[path] = node.value
        return value

    def _scalar(self, node: yaml.ScalarNode) -> Any:
        if node.tag and not node.tag.startswith(_STANDARD_TAG):
            return node.value  # a short tag's operand: keep it as written
        value = self.loader.construct_object(node, deep=True)
        if self.surrogates and isinstance(value, str):
            value = without_surrogates(value)
        if isinstance(value, datetime.date | datetime.datetime):
            return str(node.value)  # `Version: 2012-10-17` is a string to IAM
        if isinstance(value, bytes):
            return node.value
        return value


def _expanded_size(node: yaml.Node, sizes: dict[int, int]) -> int:
    """Nodes a walk of the data visits, counting shared (aliased) parts each time they appear."""
    import yaml

    if id(node) not in sizes:
        sizes[id(node)] = 1  # cycles count once
        if isinstance(node, yaml.MappingNode):
            children = [child for pair in node.value for child in pair]
        elif isinstance(node, yaml.SequenceNode):
            children = list(node.value)
        else:
            children = []
        sizes[id(node)] = 1 + sum(_expanded_size(child, sizes) for child in children)
    return sizes[id(node)]


def load_located_yaml(text: str) -> LocatedDoc:
    """The first YAML document with lines; raises ParseError (never a crash) on invalid input.

    Nodes are composed only and `_Builder` turns them into data, so any `!Tag` is accepted."""
    import yaml

    alias_limited, fast = yaml_loaders()
    loader = None
    try:
        # Constructing the loader already reads the text: a forbidden character fails here.
        loader = alias_limited(text) if "&" in text else fast(text)
        node = loader.get_single_node()
        # Aliases are shared, not copied, but whoever walks the data walks every copy.
        if node is not None and "&" in text and _expanded_size(node, {}) > MAX_EXPANDED_NODES:
            raise ParseError("YAML aliases expand to too many nodes", 1, 1)
        builder = _Builder(loader, may_hold_surrogates(text))
        builder.doc.data = builder.build(node, ()) if node is not None else None
        return builder.doc
    except ParseError:
        raise
    except yaml.YAMLError as error:
        raise yaml_parse_error(error, text) from None
    except RecursionError:
        raise ParseError("nested too deeply") from None
    except (ValueError, TypeError) as error:  # constructor errors on odd scalars
        raise ParseError(str(error) or "invalid YAML") from None
    finally:
        if loader is not None:
            loader.dispose()


def load_located_json(text: str) -> LocatedDoc:
    """JSON with lines: YAML reads nearly all JSON; what it cannot is read without lines."""
    data = parse_json(text)  # raises ParseError with line and column on invalid JSON
    try:
        located = load_located_yaml(text)
    except ParseError:
        return LocatedDoc(data=data)
    return located if located.data == data else LocatedDoc(data=data)
