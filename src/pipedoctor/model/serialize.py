"""Dataclass <-> plain JSON value conversion driven by type hints.

Unknown keys are ignored on load (newer minor additions), missing keys take the field default.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from functools import cache
from typing import Any, TypeVar

T = TypeVar("T")


def to_plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {key: to_plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_plain(item) for item in value]
    return value


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def from_plain(cls: type[T], data: Any) -> T:
    """Build `cls` from `data`; raises TypeError/ValueError when the shape does not fit."""
    return _convert(cls, data)


def _convert(hint: Any, data: Any) -> Any:
    origin = typing.get_origin(hint)
    if hint is Any:
        return data
    if origin in (typing.Union, types.UnionType):
        options = [arg for arg in typing.get_args(hint) if arg is not type(None)]
        if data is None:
            return None
        return _convert(options[0], data)
    if origin is list:
        (item_hint,) = typing.get_args(hint)
        if not isinstance(data, list):
            raise TypeError(f"expected a list, got {type(data).__name__}")
        return [_convert(item_hint, item) for item in data]
    if origin is dict:
        _, value_hint = typing.get_args(hint)
        if not isinstance(data, dict):
            raise TypeError(f"expected an object, got {type(data).__name__}")
        return {str(key): _convert(value_hint, item) for key, item in data.items()}
    if dataclasses.is_dataclass(hint):
        if not isinstance(data, dict):
            raise TypeError(f"expected an object for {hint.__name__}, got {type(data).__name__}")
        hints = _hints(hint)
        kwargs = {
            field.name: _convert(hints[field.name], data[field.name])
            for field in dataclasses.fields(hint)
            if field.name in data
        }
        return hint(**kwargs)
    if hint in (str, int, float, bool):
        if hint is float and isinstance(data, int) and not isinstance(data, bool):
            return float(data)
        if not isinstance(data, hint) or (hint is int and isinstance(data, bool)):
            raise TypeError(f"expected {hint.__name__}, got {type(data).__name__}")
        return data
    return data
