"""What was collected from AWS as definitions, merged with what the repository's files define.

A resource both collected and defined in a file is one resource: the file's definition (its
lines are where findings point) with the collected facts filling what the file leaves empty or
could not resolve. A resource known only from AWS is a definition without a file: findings about
it point at its ARN.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from pipedoctor.model import Snapshot
from pipedoctor.sources.definitions import KINDS, Defined, Definitions, is_unresolved

# Definition kind -> the snapshot's list of collected resources of that kind.
SNAPSHOT_LISTS = {
    "projects": "projects",
    "pipelines": "pipelines",
    "roles": "roles",
    "repositories": "ecr_repositories",
    "task_definitions": "task_definitions",
    "connections": "connections",
}
# Names in `Defined.unknown` that stand for several fields of the item.
_UNKNOWN_FIELDS = {"policies": ("inline_policies", "attached_policies", "permissions_boundary")}


def collected_items(snapshot: Snapshot, kind: str) -> list[Any]:
    return list(getattr(snapshot, SNAPSHOT_LISTS[kind])) if kind in SNAPSHOT_LISTS else []


def _identity(item: Any) -> str:
    """What names the same resource in a file and in AWS (ARNs differ: files hold placeholders)."""
    name = getattr(item, "family", None) or getattr(item, "name", "")
    return str(name)


def _empty(value: Any) -> bool:
    return value is None or value in ("", [], {}) or (isinstance(value, str) and is_unresolved(value))


def _filled(mine: Any, theirs: Any, unknown: set[str], filled: set[str]) -> Any:
    """`mine` with the fields it leaves empty (or `unknown` names) taken from `theirs`."""
    changes: dict[str, Any] = {}
    for item_field in dataclasses.fields(mine):
        name = item_field.name
        if name == "arn":
            continue
        own, other = getattr(mine, name), getattr(theirs, name)
        if dataclasses.is_dataclass(own) and type(own) is type(other):
            inner = _filled(own, other, unknown, filled)
            if inner is not own:
                changes[name] = inner
        elif (_empty(own) or name in unknown) and not _empty(other):
            changes[name] = other
            filled.add(name)
    return dataclasses.replace(mine, **changes) if changes else mine


def _merged(defined: Defined[Any], collected: Any) -> Defined[Any]:
    unknown = set(defined.unknown)
    for name in defined.unknown:
        unknown.update(_UNKNOWN_FIELDS.get(name, ()))
    filled: set[str] = set()
    item = _filled(defined.item, collected, unknown, filled)
    resolved = {
        name
        for name in defined.unknown
        if name in filled or any(part in filled for part in _UNKNOWN_FIELDS.get(name, ()))
    }
    return dataclasses.replace(
        defined,
        item=item,
        unknown=defined.unknown - resolved,
        aliases={*defined.aliases, str(getattr(collected, "arn", ""))},
    )


def merge_collected(files: Definitions, snapshot: Snapshot, ignore: set[int]) -> Definitions:
    """The files' definitions merged with the snapshot's collected resources (those whose id()
    is in `ignore` are the files' own items put into the snapshot: not collected)."""
    merged = Definitions()
    for kind in KINDS:
        by_identity: dict[str, Any] = {}
        for item in collected_items(snapshot, kind):
            if id(item) not in ignore:
                by_identity.setdefault(_identity(item), item)
        used: set[str] = set()
        target = getattr(merged, kind)
        for defined in getattr(files, kind):
            found = by_identity.get(_identity(defined.item))
            if found is None:
                target.append(defined)
            else:
                target.append(_merged(defined, found))
                used.add(_identity(defined.item))
        for identity, item in by_identity.items():
            if identity not in used:
                target.append(from_aws(item))
    return merged


def from_aws(item: Any) -> Defined[Any]:
    """A resource known only from AWS; a project's inline buildspec is read as its buildspec."""
    return Defined(item, "", str(getattr(item, "arn", "")), collected=True, inline_buildspec_line=1)
