"""The Snapshot: everything a command needs, collected once, JSON on disk."""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from pipedoctor.errors import UserError
from pipedoctor.model.build import Build, Project
from pipedoctor.model.deploy import CodeDeployDeployment, EcsService, StoppedTask, TaskDefinition
from pipedoctor.model.iam import Role
from pipedoctor.model.pipeline import ActionExecution, Pipeline, PipelineExecution
from pipedoctor.model.resources import ArtifactBucket, Connection, EcrRepository, KmsKey
from pipedoctor.model.serialize import from_plain, to_plain
from pipedoctor.redact import AccountRedactor
from pipedoctor.redact import text as redact_text
from pipedoctor.textparse import ParseError, parse_json

SCHEMA_VERSION = 1
SNAPSHOT_KIND = "pipedoctor-snapshot"


@dataclass
class CollectionError:
    """A read that failed while collecting; what it would have told is unknown."""

    service: str
    operation: str
    code: str
    message: str
    resource: str = ""

    def describe(self) -> str:
        target = f" {self.resource}" if self.resource else ""
        return f"{self.service}:{self.operation}{target}: {self.code}"


@dataclass
class RepoFile:
    """A repository file that matters to a diagnosis (Dockerfile, buildspec)."""

    path: str
    text: str


@dataclass
class Snapshot:
    account_id: str = ""
    partition: str = "aws"
    regions: list[str] = field(default_factory=list)
    collected_at: str = ""
    origin: str = ""  # "live", "demo", or a description
    pipelines: list[Pipeline] = field(default_factory=list)
    executions: list[PipelineExecution] = field(default_factory=list)
    action_executions: list[ActionExecution] = field(default_factory=list)
    projects: list[Project] = field(default_factory=list)
    builds: list[Build] = field(default_factory=list)
    roles: list[Role] = field(default_factory=list)
    connections: list[Connection] = field(default_factory=list)
    ecr_repositories: list[EcrRepository] = field(default_factory=list)
    buckets: list[ArtifactBucket] = field(default_factory=list)
    kms_keys: list[KmsKey] = field(default_factory=list)
    repo_files: list[RepoFile] = field(default_factory=list)
    ecs_services: list[EcsService] = field(default_factory=list)
    task_definitions: list[TaskDefinition] = field(default_factory=list)
    stopped_tasks: list[StoppedTask] = field(default_factory=list)
    deployments: list[CodeDeployDeployment] = field(default_factory=list)
    errors: list[CollectionError] = field(default_factory=list)
    # `aws iam get-account-authorization-details`, as AWS returns it, when collected with --iam-all
    authorization_details: dict[str, Any] = field(default_factory=dict)

    def pipeline(self, name: str) -> Pipeline | None:
        return next((p for p in self.pipelines if p.name == name), None)

    def project(self, name: str) -> Project | None:
        return next((p for p in self.projects if p.name == name or p.arn == name), None)

    def build(self, build_id: str) -> Build | None:
        return next((b for b in self.builds if b.id == build_id or b.arn == build_id), None)

    def role(self, name_or_arn: str) -> Role | None:
        return next((r for r in self.roles if name_or_arn in (r.arn, r.name)), None)

    def repo_text(self, path: str) -> str:
        """The text of the repository file `path` as read, "" when it is not one of them."""
        return next((f.text for f in self.repo_files if f.path == path), "")

    def connection(self, arn: str) -> Connection | None:
        return next((c for c in self.connections if c.arn == arn), None)

    def ecs_service(self, cluster: str, name: str) -> EcsService | None:
        """By cluster name (or ARN) and service name (or ARN)."""
        cluster = cluster.rsplit("/", 1)[-1]
        return next(
            (s for s in self.ecs_services if s.cluster == cluster and name in (s.name, s.arn)),
            None,
        )

    def task_definition(self, arn: str) -> TaskDefinition | None:
        return next((t for t in self.task_definitions if t.arn == arn), None)

    def deployment(self, deployment_id: str) -> CodeDeployDeployment | None:
        return next((d for d in self.deployments if d.id == deployment_id), None)

    def execution(self, pipeline_name: str, execution_id: str) -> PipelineExecution | None:
        return next(
            (
                e
                for e in self.executions
                if e.pipeline_name == pipeline_name and e.execution_id == execution_id
            ),
            None,
        )


def merge_snapshots(parts: list[Snapshot]) -> Snapshot:
    """One snapshot of several accounts: lists joined; account_id is the first account's (every
    resource keeps its own account in its ARN)."""
    if len(parts) == 1:
        return parts[0]
    merged = Snapshot(
        account_id=parts[0].account_id,
        partition=parts[0].partition,
        regions=list(dict.fromkeys(region for part in parts for region in part.regions)),
        collected_at=parts[0].collected_at,
        origin=parts[0].origin,
    )
    for field_info in fields(Snapshot):
        if field_info.type.startswith("list[") and field_info.name != "regions":
            setattr(
                merged,
                field_info.name,
                [item for part in parts for item in getattr(part, field_info.name)],
            )
    for part in parts:
        for key, items in part.authorization_details.items():
            merged.authorization_details.setdefault(key, []).extend(items)
    return merged


def dumps(snapshot: Snapshot, accounts: AccountRedactor | None = None) -> str:
    """The snapshot as JSON, secrets redacted (and account ids, with an AccountRedactor)."""
    body = {"kind": SNAPSHOT_KIND, "schema_version": SCHEMA_VERSION, **to_plain(snapshot)}
    text = redact_text(json.dumps(body, indent=1, sort_keys=False)) + "\n"
    return accounts(text) if accounts else text


def loads(text: str, origin: str = "snapshot") -> Snapshot:
    try:
        data = parse_json(text)
    except ParseError as error:
        raise UserError(f"{origin}: not valid JSON ({error})") from None
    if not isinstance(data, dict) or data.get("kind") != SNAPSHOT_KIND:
        raise UserError(f"{origin}: not a pipedoctor snapshot")
    version = data.get("schema_version")
    if version != SCHEMA_VERSION:
        raise UserError(
            f"{origin}: snapshot schema version {version!r} is not supported "
            f"(this pipedoctor reads version {SCHEMA_VERSION})"
        )
    try:
        return from_plain(Snapshot, data)
    except (TypeError, ValueError, KeyError) as error:
        raise UserError(
            f"{origin}: snapshot does not fit schema version {version}: {error}"
        ) from None


def load(path: str | Path) -> Snapshot:
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise UserError(f"cannot read snapshot {path}: {error.strerror}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise UserError(f"{path}: not a pipedoctor snapshot (not UTF-8 text)") from None
    return loads(text, origin=str(path))


def write_atomically(path: str | Path, text: str) -> None:
    """Write via a temporary file and rename, so an interrupted write leaves nothing half-done."""
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=directory)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def dump(snapshot: Snapshot, path: str | Path, accounts: AccountRedactor | None = None) -> None:
    try:
        write_atomically(path, dumps(snapshot, accounts))
    except OSError as error:
        raise UserError(f"cannot write snapshot {path}: {error.strerror}") from None
