"""Model objects defined in repository files, each with the file and lines that define it, or
collected from AWS (no file: findings point at the resource's ARN)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from pipedoctor.model import (
    Connection,
    EcrRepository,
    ManagedPolicy,
    Pipeline,
    Project,
    Role,
    TaskDefinition,
)

T = TypeVar("T")

# Templates rarely name the account or region; synthetic ARNs use these so that references to the
# same resource still compare equal (and the IAM engine can match them).
UNKNOWN_ACCOUNT = "000000000000"
UNKNOWN_REGION = "us-east-1"


@dataclass
class Defined(Generic[T]):
    """`item` as the model knows it, and where the repository defines it.

    `lines` maps what a finding may point at ("resource", "privileged_mode", "env:NAME",
    "config:Stage/Action:Key" ...) to a 1-based line of `path`; `unknown` names fields whose value
    is an expression the reader could not resolve (so checks on them must not conclude)."""

    item: T
    path: str
    logical_id: str
    lines: dict[str, int] = field(default_factory=dict)
    unknown: set[str] = field(default_factory=set)
    # Projects with an inline buildspec: the file line of its first line (None: not mappable).
    inline_buildspec_line: int | None = None
    inline_buildspec_anchor: int | None = None
    # Keys whose place is in another file (a policy document read with `file(...)`): `path:line`.
    elsewhere: dict[str, str] = field(default_factory=dict)
    # Generated from other code (CDK output): findings here say where to change it instead.
    generated: bool = False
    # The Terraform module instance that made it ("dev.cicd"): a reference made inside one
    # instance means that instance's resource, even when another makes one of the same name.
    scope: str = ""
    # Read from AWS, not from a file: `path` is "" and findings point at the item's ARN.
    collected: bool = False
    # ARNs of the collected resource a file definition was merged with (its real account/region).
    aliases: set[str] = field(default_factory=set)

    def line(self, key: str = "resource") -> int:
        return self.lines.get(key) or self.lines.get("resource") or 1

    def at(self, key: str = "resource") -> str:
        if self.collected:
            return str(getattr(self.item, "arn", ""))
        if key not in self.lines and key in self.elsewhere:
            return self.elsewhere[key]
        return f"{self.path}:{self.line(key)}"

    def names(self, name_or_arn: str) -> bool:
        """Whether this definition is the resource so named (name, ARN, or an ARN it was merged with)."""
        return name_or_arn in (getattr(self.item, "name", None), getattr(self.item, "arn", None)) or (
            name_or_arn in self.aliases
        )


@dataclass
class Definitions:
    projects: list[Defined[Project]] = field(default_factory=list)
    pipelines: list[Defined[Pipeline]] = field(default_factory=list)
    roles: list[Defined[Role]] = field(default_factory=list)
    repositories: list[Defined[EcrRepository]] = field(default_factory=list)
    task_definitions: list[Defined[TaskDefinition]] = field(default_factory=list)
    connections: list[Defined[Connection]] = field(default_factory=list)
    # Policy documents kept as their own files.
    policies: list[Defined[ManagedPolicy]] = field(default_factory=list)

    def extend(self, other: Definitions) -> None:
        for name in KINDS:
            getattr(self, name).extend(getattr(other, name))

    def all(self) -> Iterator[Defined[Any]]:
        for name in KINDS:
            yield from getattr(self, name)


KINDS = ("projects", "pipelines", "roles", "repositories", "task_definitions", "connections", "policies")


def managed_policy(arn: str, document: dict[str, Any] | None = None) -> ManagedPolicy:
    """A policy attached by ARN; an AWS managed one gets its published document when known offline."""
    # Imported here: the IAM package loads only for repositories that attach policies.
    from pipedoctor.iam.managed_policies import aws_managed_document

    return ManagedPolicy(
        arn=arn, name=arn.rsplit("/", 1)[-1], document=document or aws_managed_document(arn) or {}
    )


def role_arn(name: str, path: str = "/") -> str:
    path = path if path.startswith("/") and path.endswith("/") else "/"
    return f"arn:aws:iam::{UNKNOWN_ACCOUNT}:role{path}{name}"


def is_unresolved(value: Any) -> bool:
    """A value still holding an expression the reader could not resolve."""
    return not isinstance(value, str | int | float | bool) or (
        isinstance(value, str) and "${" in value
    )
