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
from pipedoctor.model.from_api import flag, project_from_api, role_from_api

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


# The CloudFormation and Terraform resource types of each kind a reader reads, or names an ARN of.
RESOURCE_KINDS = {
    "AWS::CodeBuild::Project": "project",
    "aws_codebuild_project": "project",
    "AWS::CodePipeline::Pipeline": "pipeline",
    "aws_codepipeline": "pipeline",
    "AWS::IAM::Role": "role",
    "aws_iam_role": "role",
    "AWS::ECR::Repository": "repository",
    "aws_ecr_repository": "repository",
    "AWS::ECS::TaskDefinition": "task_definition",
    "aws_ecs_task_definition": "task_definition",
    "AWS::CodeStarConnections::Connection": "connection",
    "aws_codestarconnections_connection": "connection",
    "AWS::CodeConnections::Connection": "connection",
    "aws_codeconnections_connection": "connection",
    "AWS::IAM::ManagedPolicy": "policy",
    "aws_iam_policy": "policy",
    "AWS::S3::Bucket": "bucket",
    "aws_s3_bucket": "bucket",
}
# The kinds that define model objects (the others are only named by reference).
READ_KINDS = ("project", "pipeline", "role", "repository", "task_definition", "connection")
# A connection's ARN has the service prefix of the resource type that made it.
CONNECTION_SERVICES = {
    "AWS::CodeStarConnections::Connection": "codestar-connections",
    "aws_codestarconnections_connection": "codestar-connections",
    "AWS::CodeConnections::Connection": "codeconnections",
    "aws_codeconnections_connection": "codeconnections",
}


def placeholder_arn(resource_type: str, name: str, path: str = "/") -> str | None:
    """The ARN of a resource a file defines, in the placeholder account and region (None for a
    type whose ARN is not known here)."""
    kind = RESOURCE_KINDS.get(resource_type)
    where = f"{UNKNOWN_REGION}:{UNKNOWN_ACCOUNT}"
    arns = {
        "role": role_arn(name, path),
        "policy": f"arn:aws:iam::{UNKNOWN_ACCOUNT}:policy/{name}",
        "project": f"arn:aws:codebuild:{where}:project/{name}",
        "pipeline": f"arn:aws:codepipeline:{where}:{name}",
        "repository": f"arn:aws:ecr:{where}:repository/{name}",
        "task_definition": f"arn:aws:ecs:{where}:task-definition/{name}",
        "bucket": f"arn:aws:s3:::{name}",
    }
    if kind == "connection":
        return f"arn:aws:{CONNECTION_SERVICES[resource_type]}:{where}:connection/{name}"
    return arns.get(kind or "")


def repository_uri(name: str) -> str:
    """The URI of an ECR repository a file defines (placeholder account and region)."""
    return f"{UNKNOWN_ACCOUNT}.dkr.ecr.{UNKNOWN_REGION}.amazonaws.com/{name}"


def defined_project(api: dict[str, Any], path: str, logical_id: str, line: int) -> Defined[Project]:
    """The project an API-shaped structure from a file defines; the fields an expression the
    reader could not resolve holds are marked unknown."""
    project = project_from_api(api, UNKNOWN_REGION)
    defined: Defined[Project] = Defined(project, path, logical_id, {"resource": line})
    environment = api.get("environment") if isinstance(api.get("environment"), dict) else {}
    if flag(environment.get("privilegedMode", False)) is None:
        defined.unknown.add("privileged_mode")
    for name, value in (("image", project.environment.image), ("service_role", project.service_role)):
        if is_unresolved(value):
            defined.unknown.add(name)
    return defined


def file_role(name: str, arn: str, path: Any, trust: Any) -> Role:
    """A role a file defines, before its policies (GetRole's shape)."""
    return role_from_api({"RoleName": name, "Arn": arn, "Path": path, "AssumeRolePolicyDocument": trust})


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
