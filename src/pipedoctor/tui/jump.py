"""What `:` can jump to: a view, or anything a screen shows by name, id or ARN: a pipeline,
execution, action, build, CodeBuild project, role, or a finding by its cause or rule id."""

from __future__ import annotations

from dataclasses import dataclass

from pipedoctor.model import severity_rank
from pipedoctor.tui.data import SnapshotView, finding_key

VIEWS = ["pipelines", "findings"]
KINDS = ["pipeline", "execution", "build", "project", "role", "finding", "action"]
MIN_ID_PREFIX = 6


@dataclass(frozen=True)
class Target:
    kind: str  # "pipelines" | "findings" | "pipeline" | "execution" | "build" | "role" | "finding"
    key: str  # pipeline name, execution id, build id, role ARN or finding key
    pipeline: str = ""  # the pipeline of an execution


def _project(view: SnapshotView, query: str) -> Target | None:
    """A project opens the pipeline that builds with it, else its service role."""
    project = view.snapshot.project(query)
    if project is None:
        return None
    for pipeline in view.snapshot.pipelines:
        for stage in pipeline.stages:
            if any(a.configuration.get("ProjectName") == project.name for a in stage.actions):
                return Target("pipeline", pipeline.name)
    role = view.snapshot.role(project.service_role)
    return Target("role", role.arn) if role else None


def _action(view: SnapshotView, query: str) -> Target | None:
    """An action (`Name` or `Stage.Name`, as the pipeline tree shows it) opens its pipeline."""
    for pipeline in view.snapshot.pipelines:
        for stage in pipeline.stages:
            if any(query in (a.name, f"{stage.name}.{a.name}") for a in stage.actions):
                return Target("pipeline", pipeline.name)
    return None


def _finding(view: SnapshotView, query: str) -> Target | None:
    """The most severe, most likely finding of that cause or rule."""
    found = [f for f in view.findings if query in (f.cause, f.rule)]
    if not found:
        return None
    best = max(found, key=lambda f: (severity_rank(f.severity), f.confidence))
    return Target("finding", finding_key(best))


def _find(view: SnapshotView, kind: str, query: str) -> Target | None:
    snapshot = view.snapshot
    if kind == "pipeline":
        found = next((p for p in snapshot.pipelines if query in (p.name, p.arn)), None)
        return Target("pipeline", found.name) if found else None
    if kind == "role":
        role = snapshot.role(query)
        return Target("role", role.arn) if role else None
    if kind == "build":
        build = snapshot.build(query)
        return Target("build", build.id) if build else None
    if kind == "project":
        return _project(view, query)
    if kind == "finding":
        return _finding(view, query)
    if kind == "action":
        return _action(view, query)
    if kind != "execution":
        return None
    for execution in snapshot.executions:
        exact = execution.execution_id == query
        if exact or (len(query) >= MIN_ID_PREFIX and execution.execution_id.startswith(query)):
            return Target("execution", execution.execution_id, execution.pipeline_name)
    return None


def resolve(view: SnapshotView, query: str) -> Target | None:
    query = query.strip()
    if query in VIEWS:
        return Target(query, "")
    kind, _, rest = query.partition(" ")
    if kind in KINDS and rest.strip():
        return _find(view, kind, rest.strip())
    for kind in KINDS:
        target = _find(view, kind, query)
        if target is not None:
            return target
    return None


def suggestions(view: SnapshotView) -> list[str]:
    snapshot = view.snapshot
    causes = sorted({f.cause for f in view.findings})
    return (
        VIEWS
        + [f"pipeline {p.name}" for p in snapshot.pipelines]
        + [f"project {p.name}" for p in snapshot.projects]
        + [f"role {r.name}" for r in snapshot.roles]
        + [f"execution {e.execution_id}" for e in snapshot.executions]
        + [f"build {b.id}" for b in snapshot.builds]
        + [f"finding {cause}" for cause in causes]
        + [
            f"action {stage.name}.{action.name}"
            for p in snapshot.pipelines
            for stage in p.stages
            for action in stage.actions
        ]
    )
