"""The loaded bundled rules, cached in the user cache folder under the sha256 of their files.

Reading 79 YAML files and checking them costs more than the rest of a small `check`; the cache
brings that down to one read. The cache is marshal data (the format of Python's own `.pyc`
files, in a folder as private as `__pycache__`): plain values only, no code runs on loading.
A cache that is missing, stale, corrupt or unwritable is ignored and the rules load from their
files, silently: it only ever saves time.
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
import os
import sys
from dataclasses import fields
from pathlib import Path
from typing import Any

from pipedoctor import __version__
from pipedoctor.diagnose.patterns import Pattern

FORMAT = 1  # bump when what is stored changes meaning


def cache_dir() -> Path:
    """$XDG_CACHE_HOME/pipedoctor, else ~/.cache/pipedoctor."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    root = Path(base) if os.path.isabs(base) else Path.home() / ".cache"
    return root / "pipedoctor"


def content_key(files: dict[Path, bytes], rule_type: type) -> str:
    """Changes with any rule file (name or bytes), the folder, pipedoctor and Python versions,
    and the fields of `rule_type` (the rule dataclass, given by the loader: no import cycle)."""
    digest = hashlib.sha256()
    header = [FORMAT, __version__, sys.version, marshal.version, *(f.name for f in fields(rule_type))]
    digest.update(repr(header).encode())
    for path, raw in files.items():
        digest.update(str(path).encode() + b"\0" + len(raw).to_bytes(8, "big") + raw)
    return digest.hexdigest()


def _file_for(directory: Path) -> Path:
    """One file per rules folder, so two installs never overwrite each other's cache."""
    name = hashlib.sha256(str(directory).encode()).hexdigest()[:24]
    return cache_dir() / f"rules-{name}.marshal"


def read(directory: Path, key: str, rule_type: type) -> list[Any] | None:
    """The rules (of `rule_type`) cached for `directory` if they were cached under `key`, else
    None."""
    try:
        data = marshal.loads(_file_for(directory).read_bytes())
        if not isinstance(data, dict) or data.get("key") != key:
            return None
        rules = []
        for plain in data["rules"]:
            plain["path"] = Path(plain["path"])
            plain["match"] = [Pattern(source) for source in plain["match"]]
            plain["exclude"] = [Pattern(source) for source in plain["exclude"]]
            rules.append(rule_type(**plain))
        return rules
    except Exception:  # noqa: BLE001 - any unreadable cache means: load the files instead
        return None


def write(directory: Path, key: str, rules: list[Any]) -> None:
    """Cache the rules of `directory` under `key`; gives up silently (read-only home, a value
    marshal cannot store)."""
    plain_rules = []
    for rule in rules:
        plain: dict[str, Any] = {f.name: getattr(rule, f.name) for f in fields(rule)}
        plain["path"] = str(rule.path)
        plain["match"] = [pattern.source for pattern in rule.match]
        plain["exclude"] = [pattern.source for pattern in rule.exclude]
        plain_rules.append(plain)
    target = _file_for(directory)
    partial = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    try:
        payload = marshal.dumps({"key": key, "rules": plain_rules})
        target.parent.mkdir(parents=True, exist_ok=True)
        partial.write_bytes(payload)
        os.replace(partial, target)  # readers see the old file or the whole new one
    except (OSError, ValueError):
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
