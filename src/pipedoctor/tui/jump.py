"""What `:` can jump to: a view, or a pipeline, execution, build or role by name, id or ARN."""

from __future__ import annotations

from dataclasses import dataclass

from pipedoctor.tui.data import SnapshotView

VIEWS = ["pipelines", "findings"]
KINDS = ["pipeline", "execution", "build", "role"]
MIN_ID_PREFIX = 6


@dataclass(frozen=True)
class Target:
    kind: str  # "pipelines" | "findings" | "pipeline" | "execution" | "build" | "role"
    key: str  # pipeline name, execution id, build id or role ARN
    pipeline: str = ""  # the pipeline of an execution


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
    return (
        VIEWS
        + [f"pipeline {p.name}" for p in snapshot.pipelines]
        + [f"role {r.name}" for r in snapshot.roles]
        + [f"execution {e.execution_id}" for e in snapshot.executions]
        + [f"build {b.id}" for b in snapshot.builds]
    )
