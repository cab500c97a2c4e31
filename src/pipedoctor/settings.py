"""Project settings for `pipedoctor check`: `.pipedoctor.toml` or `[tool.pipedoctor]` in pyproject.toml.

Looked up from the current folder upwards; the first file that has settings wins. Command-line
options override them.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipedoctor.errors import UserError
from pipedoctor.model import SEVERITIES

KEYS = {"select", "ignore", "fail-on", "rules-dir", "baseline"}


@dataclass
class Settings:
    source: Path | None = None  # the file they came from
    select: list[str] = field(default_factory=list)  # rule id prefixes; empty: every rule
    ignore: list[str] = field(default_factory=list)
    fail_on: str | None = None
    rules_dirs: list[Path] = field(default_factory=list)
    baseline: Path | None = None


def _table(path: Path) -> dict[str, Any] | None:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise UserError(f"cannot read {path}: {error}") from None
    except tomllib.TOMLDecodeError as error:
        raise UserError(f"{path}: invalid TOML: {error}") from None
    if path.name == "pyproject.toml":
        return data.get("tool", {}).get("pipedoctor")
    return data


def _strings(path: Path, key: str, value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise UserError(f"{path}: {key} must be a string or a list of strings")
    return value


def _settings(path: Path, table: dict[str, Any]) -> Settings:
    unknown = sorted(set(table) - KEYS)
    if unknown:
        raise UserError(
            f"{path}: unknown setting {unknown[0]!r} (known: {', '.join(sorted(KEYS))})"
        )
    fail_on = table.get("fail-on")
    if fail_on is not None and fail_on not in SEVERITIES:
        raise UserError(f"{path}: fail-on must be one of {', '.join(SEVERITIES)}")
    base = path.parent
    baseline = table.get("baseline")
    return Settings(
        source=path,
        select=_strings(path, "select", table.get("select", [])),
        ignore=_strings(path, "ignore", table.get("ignore", [])),
        fail_on=fail_on,
        rules_dirs=[base / d for d in _strings(path, "rules-dir", table.get("rules-dir", []))],
        baseline=base / baseline if isinstance(baseline, str) else None,
    )


def load_settings(start: Path | None = None, explicit: Path | None = None) -> Settings:
    if explicit is not None:
        table = _table(explicit)
        return _settings(explicit, table or {})
    folder = (start or Path.cwd()).resolve()
    for directory in [folder, *folder.parents]:
        for name in (".pipedoctor.toml", "pyproject.toml"):
            candidate = directory / name
            if candidate.is_file() and (table := _table(candidate)) is not None:
                return _settings(candidate, table)
        if (directory / ".git").exists():
            break
    return Settings()


def selected(rule_id: str, select: list[str], ignore: list[str]) -> bool:
    """Ruff-style: a rule runs when some select prefix matches (or none is given) and no ignore does."""
    chosen = not select or any(rule_id.startswith(prefix) for prefix in select)
    return chosen and not any(rule_id.startswith(prefix) for prefix in ignore)
