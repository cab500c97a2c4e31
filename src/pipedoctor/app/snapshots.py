"""The one way every command gets its snapshot: a file, or a live collection.

With a snapshot file, `--pipeline` narrows the snapshot to those pipelines (and what only they
use); a name the snapshot does not hold is an error. Without one, `--pipeline` collects those
pipelines live.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pipedoctor.app.live import AwsOptions, Progress, collect_live
from pipedoctor.app.names import require_known, unknown_name
from pipedoctor.errors import UserError

if TYPE_CHECKING:
    from pipedoctor.model import Pipeline, Project, Role, Snapshot


@dataclass(frozen=True)
class SnapshotRequest:
    """What a command asked for: `--snapshot FILE` and/or `--pipeline NAME`, `--execution ID`."""

    path: str | None = None
    pipelines: list[str] = field(default_factory=list)
    execution: str | None = None
    aws: AwsOptions = field(default_factory=AwsOptions)
    all_pipelines: bool = False  # live without --pipeline: every pipeline in the regions
    executions: int = 1  # live: how many recent executions per pipeline

    @property
    def given(self) -> bool:
        return bool(self.path or self.pipelines or self.all_pipelines)


def open_snapshot(request: SnapshotRequest, progress: Progress | None = None) -> Snapshot:
    """The snapshot a command works on, narrowed to the pipelines and execution asked for.
    Without `progress`, a live collection longer than a second tells its steps on stderr."""
    if request.path:
        snapshot = load_snapshot(request.path)
        if request.pipelines:
            snapshot = restrict_to_pipelines(snapshot, request.pipelines, where=request.path)
    elif request.pipelines or request.all_pipelines:
        from pipedoctor.collect import CollectOptions

        if request.execution and len(request.pipelines) != 1:
            raise UserError("--execution ID needs exactly one --pipeline")
        options = CollectOptions(
            regions=list(request.aws.regions),
            pipelines=list(request.pipelines),
            all_pipelines=request.all_pipelines and not request.pipelines,
            execution=request.execution or "latest",
            executions=request.executions,
        )
        snapshot, _ = collect_live(options, request.aws, progress)
        _require_collected(snapshot, request.pipelines)
    else:
        raise UserError("give --snapshot FILE or --pipeline NAME")
    if request.execution:
        check_execution(snapshot, request.execution)
    return snapshot


def _require_collected(snapshot: Snapshot, names: list[str]) -> None:
    """A pipeline AWS says does not exist is an error; one it would not let us read is left to
    the collection errors the report lists."""
    unreadable = {
        error.resource.rsplit(":", 1)[-1]
        for error in snapshot.errors
        if "NotFound" not in error.code
    }
    known = {p.name for p in snapshot.pipelines}
    require_known("pipeline", [n for n in names if n not in unreadable], known, "the account")


def load_snapshot(path: str) -> Snapshot:
    """A snapshot file, or stdin for `-`."""
    from pipedoctor.model import load, loads

    if path == "-":
        import sys

        try:
            return loads(sys.stdin.buffer.read().decode("utf-8"), origin="stdin")
        except UnicodeDecodeError:
            raise UserError("stdin: not a pipedoctor snapshot (not UTF-8 text)") from None
    return load(path)


def find_role(snapshot: Snapshot, name_or_arn: str) -> Role:
    role = snapshot.role(name_or_arn)
    if role is None:
        known = [r.name for r in snapshot.roles] + [r.arn for r in snapshot.roles]
        raise unknown_name("role", name_or_arn, known, "the snapshot")
    return role


def check_execution(snapshot: Snapshot, execution_id: str) -> None:
    known = [execution.execution_id for execution in snapshot.executions]
    known += [action.pipeline_execution_id for action in snapshot.action_executions]
    if execution_id not in known:
        raise unknown_name("execution", execution_id, known, "the snapshot")


def restrict_to_pipelines(snapshot: Snapshot, names: list[str], where: str = "") -> Snapshot:
    """The snapshot as if only these pipelines had been collected: their executions, projects,
    builds, and the roles, connections and buckets no other pipeline alone uses."""
    from dataclasses import replace

    require_known("pipeline", names, (p.name for p in snapshot.pipelines), where)
    wanted = set(names)
    kept = [p for p in snapshot.pipelines if p.name in wanted]
    dropped = [p for p in snapshot.pipelines if p.name not in wanted]
    actions = [a for a in snapshot.action_executions if a.pipeline_name in wanted]
    kept_projects = project_names(kept)
    dropped_projects = project_names(dropped) - kept_projects
    build_ids = {a.external_execution_id for a in actions if a.provider == "CodeBuild"}
    builds = [
        b for b in snapshot.builds if b.id in build_ids or b.project_name not in dropped_projects
    ]
    projects = [p for p in snapshot.projects if p.name not in dropped_projects]
    only_dropped = used_by(dropped, [p for p in snapshot.projects if p.name in dropped_projects])
    only_dropped -= used_by(kept, projects) | {b.service_role for b in builds}
    return replace(
        snapshot,
        pipelines=kept,
        executions=[e for e in snapshot.executions if e.pipeline_name in wanted],
        action_executions=actions,
        projects=projects,
        builds=builds,
        roles=[r for r in snapshot.roles if r.arn not in only_dropped],
        connections=[c for c in snapshot.connections if c.arn not in only_dropped],
        buckets=[b for b in snapshot.buckets if b.name not in only_dropped],
    )


def project_names(pipelines: list[Pipeline]) -> set[str]:
    """The CodeBuild projects these pipelines' actions run."""
    return {
        action.configuration.get("ProjectName", "")
        for pipeline in pipelines
        for _, action in pipeline.actions()
        if action.provider == "CodeBuild"
    } - {""}


def used_by(pipelines: list[Pipeline], projects: list[Project]) -> set[str]:
    """Role and connection ARNs and bucket names these pipelines and projects refer to."""
    used = {p.role_arn for p in pipelines}
    used |= {store.location for p in pipelines for store in p.artifact_stores}
    for pipeline in pipelines:
        for _, action in pipeline.actions():
            used |= {action.role_arn or "", action.configuration.get("ConnectionArn", "")}
    used |= {project.service_role or "" for project in projects}
    return used - {""}
