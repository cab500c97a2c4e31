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
from typing import TYPE_CHECKING, Any

from pipedoctor import __version__
from pipedoctor.diagnose.patterns import Pattern

if TYPE_CHECKING:
    from pipedoctor.diagnose.rules import Rule

FORMAT = 1  # bump when what is stored changes meaning


def cache_dir() -> Path:
    """$XDG_CACHE_HOME/pipedoctor, else ~/.cache/pipedoctor."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    root = Path(base) if os.path.isabs(base) else Path.home() / ".cache"
    return root / "pipedoctor"


def _rule_fields() -> list[str]:
    from pipedoctor.diagnose.rules import Rule

    return [f.name for f in fields(Rule)]


def content_key(files: dict[Path, bytes]) -> str:
    """Changes with any rule file (name or bytes), the folder, pipedoctor and Python versions."""
    digest = hashlib.sha256()
    header = [FORMAT, __version__, sys.version, marshal.version, *_rule_fields()]
    digest.update(repr(header).encode())
    for path, raw in files.items():
        digest.update(str(path).encode() + b"\0" + len(raw).to_bytes(8, "big") + raw)
    return digest.hexdigest()


def _file_for(directory: Path) -> Path:
    """One file per rules folder, so two installs never overwrite each other's cache."""
    name = hashlib.sha256(str(directory).encode()).hexdigest()[:24]
    return cache_dir() / f"rules-{name}.marshal"


def read(directory: Path, key: str) -> list[Rule] | None:
    """The rules cached for `directory` if they were cached under `key`, else None."""
    from pipedoctor.diagnose.rules import Rule

    try:
        data = marshal.loads(_file_for(directory).read_bytes())
        if not isinstance(data, dict) or data.get("key") != key:
            return None
        rules = []
        for plain in data["rules"]:
            plain["path"] = Path(plain["path"])
            plain["match"] = [Pattern(source) for source in plain["match"]]
            plain["exclude"] = [Pattern(source) for source in plain["exclude"]]
            rules.append(Rule(**plain))
        return rules
    except Exception:  # noqa: BLE001 - any unreadable cache means: load the files instead
        return None


def write(directory: Path, key: str, rules: list[Rule]) -> None:
    """Cache the rules of `directory` under `key`; gives up silently (read-only home, a value
    marshal cannot store)."""
    names = _rule_fields()
    plain_rules = []
    for rule in rules:
        plain: dict[str, Any] = {name: getattr(rule, name) for name in names}
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
