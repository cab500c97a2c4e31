"""The privilege-escalation techniques (techniques.yaml beside this module), loaded and checked."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from pipedoctor.textparse import parse_yaml

TABLE = Path(__file__).with_name("techniques.yaml")

GIVES = frozenset({"administrator", "role", "user", "group"})
TARGETS = frozenset(
    {
        "own-policies",
        "self",
        "own-groups",
        "groups",
        "users",
        "roles",
        "passed-roles",
        "service-roles",
        "assumable-roles",
        "started-projects",
    }
)
PRINCIPALS = frozenset({"any", "user", "role"})
REQUIRES = frozenset({"", "instance-profile", "other-policy-version"})
ON = frozenset({"target", "account"})


class TableError(Exception):
    """techniques.yaml breaks its own schema (a packaging bug, caught by the tests)."""


@dataclass(frozen=True)
class StepSpec:
    actions: tuple[str, ...]  # one of them must be allowed
    on: str  # "target": on the technique's target; "account": anywhere in the account


@dataclass(frozen=True)
class Technique:
    id: str
    summary: str
    gives: str
    target: str
    steps: tuple[StepSpec, ...]
    sources: tuple[str, ...]
    principal: str = "any"
    pass_to: str = ""  # passed-roles: the service the role is passed to
    trusted_by: str = ""  # service-roles: the service the role trusts
    requires: str = ""
    possible_if: str = ""

    @property
    def actions(self) -> tuple[str, ...]:
        return tuple(action for step in self.steps for action in step.actions)


def _technique(entry: Any, position: int) -> Technique:
    where = f"{TABLE.name}: technique {position + 1}"
    if not isinstance(entry, dict):
        raise TableError(f"{where}: not a mapping")
    known = {
        "id",
        "summary",
        "gives",
        "target",
        "steps",
        "sources",
        "principal",
        "pass_to",
        "trusted_by",
        "requires",
        "possible_if",
    }
    unknown = set(entry) - known
    if unknown:
        raise TableError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
    steps = []
    for step in entry.get("steps") or []:
        if not isinstance(step, dict) or set(step) - {"actions", "resource"}:
            raise TableError(f"{where}: a step has only `actions` and `resource`")
        actions, on = step.get("actions"), step.get("resource", "account")
        if not isinstance(actions, list) or not actions or on not in ON:
            raise TableError(
                f"{where}: a step needs `actions` (a list) and `resource` in {sorted(ON)}"
            )
        steps.append(StepSpec(tuple(str(action) for action in actions), str(on)))
    technique = Technique(
        id=str(entry.get("id", "")),
        summary=str(entry.get("summary", "")),
        gives=str(entry.get("gives", "")),
        target=str(entry.get("target", "")),
        steps=tuple(steps),
        sources=tuple(str(source) for source in entry.get("sources") or []),
        principal=str(entry.get("principal", "any")),
        pass_to=str(entry.get("pass_to", "")),
        trusted_by=str(entry.get("trusted_by", "")),
        requires=str(entry.get("requires", "")),
        possible_if=str(entry.get("possible_if", "")),
    )
    problems = [
        "no id" if not technique.id else "",
        "no summary" if not technique.summary else "",
        "no sources" if not technique.sources else "",
        f"gives must be one of {sorted(GIVES)}" if technique.gives not in GIVES else "",
        f"target must be one of {sorted(TARGETS)}" if technique.target not in TARGETS else "",
        f"principal must be one of {sorted(PRINCIPALS)}"
        if technique.principal not in PRINCIPALS
        else "",
        f"requires must be one of {sorted(REQUIRES)}" if technique.requires not in REQUIRES else "",
        "passed-roles needs pass_to"
        if (technique.target == "passed-roles") != bool(technique.pass_to)
        else "",
        "service-roles needs trusted_by"
        if (technique.target == "service-roles") != bool(technique.trusted_by)
        else "",
    ]
    problems = [problem for problem in problems if problem]
    if problems:
        raise TableError(f"{where} ({technique.id or '?'}): {'; '.join(problems)}")
    return technique


@lru_cache(maxsize=1)
def load_techniques() -> tuple[Technique, ...]:
    data = parse_yaml(TABLE.read_text(encoding="utf-8"))
    entries = data.get("techniques") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise TableError(f"{TABLE.name}: needs a `techniques` list")
    techniques = tuple(_technique(entry, n) for n, entry in enumerate(entries))
    ids = [technique.id for technique in techniques]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise TableError(f"{TABLE.name}: duplicate ids {', '.join(duplicates)}")
    return techniques
