"""A role's neighbourhood, read from the permission graph (`graph/`) of the snapshot.

Who reaches the role (the edges into it: the pipelines, actions, projects and task definitions
that run as it, the principals its trust policy lets assume it), what it reaches (`what_can`:
the resources and services its policies allow it to act on, to pass roles to, to assume) and
the escalation paths it holds (`escalation_report` from the role: the published techniques,
proven step by step). The graph decides every edge with the role's whole policy set; this module
only words the answers for the role screen.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pipedoctor.graph.build import PermissionGraph, build_graph
from pipedoctor.graph.escalation import Escalation, escalation_report
from pipedoctor.graph.kinds import KINDS
from pipedoctor.graph.queries import what_can
from pipedoctor.model import Role, Snapshot

_WORKLOAD_KINDS = {
    "codepipeline-pipeline": "service role of pipeline",
    "codebuild-project": "service role of CodeBuild project",
    "ecs-task-definition": "role of task definition",
}


@dataclass
class Reach:
    resource: str
    kind: str
    actions: list[str]


@dataclass
class Neighbourhood:
    reached_by: list[str] = field(default_factory=list)
    reaches: list[Reach] = field(default_factory=list)
    escalations: list[str] = field(default_factory=list)


def _node(pg: PermissionGraph, node: str) -> dict[str, Any]:
    return pg.graph.nodes[node] if node in pg.graph else {}


def _action_name(pg: PermissionGraph, action_node: str) -> str:
    """`pipeline / Stage.Action` for an action node (`pipeline-ARN/Stage/Action`)."""
    stage = next(iter(pg.graph.predecessors(action_node)), "")
    pipeline = next(iter(pg.graph.predecessors(stage)), "") if stage else ""
    action_label = _node(pg, action_node).get("label", action_node).split(" (", 1)[0]
    return f"{_node(pg, pipeline).get('label', pipeline)} / {_node(pg, stage).get('label', stage)}.{action_label}"


def _reached_by(pg: PermissionGraph, role: str) -> list[str]:
    found = []
    for source, _, data in pg.graph.in_edges(role, data=True):
        relation = data.get("relation")
        node = _node(pg, source)
        if relation == "assumes":
            condition = " if its conditions hold" if data.get("conditional") else ""
            found.append(f"trusted {'anyone' if source == '*' else source}{condition}")
        elif relation == "runs_as" and node.get("kind") == "action":
            found.append(f"role of action {_action_name(pg, source)}")
        elif relation == "runs_as":
            words = _WORKLOAD_KINDS.get(node.get("kind", ""), node.get("kind", "workload"))
            how = f" ({data['how']})" if data.get("how") else ""
            found.append(f"{words} {node.get('label', source)}{how}")
    return sorted(dict.fromkeys(found))


def _kind(pg: PermissionGraph, target: str) -> str:
    kind = _node(pg, target).get("kind", "")
    return KINDS[kind].label if kind in KINDS else kind or "resource"


def _escalation_text(escalation: Escalation) -> str:
    steps = ", ".join(step.action for step in escalation.steps)
    how = f" ({steps})" if steps else ""
    condition = f"; possible if {escalation.possible_if}" if escalation.possible_if else ""
    gains = "administrator rights" if escalation.gives == "administrator" else escalation.gains
    return f"{escalation.technique}: {escalation.summary}{how} -> {gains}{condition}"


def neighbourhood(snapshot: Snapshot, role: Role, pg: PermissionGraph | None = None) -> Neighbourhood:
    """The role's neighbourhood in `pg` (the snapshot's permission graph, built when not given)."""
    pg = pg if pg is not None else build_graph(snapshot)
    if role.arn not in pg.graph:
        return Neighbourhood()
    reaches = [
        Reach(reach.target, _kind(pg, reach.target), list(reach.actions))
        for reach in what_can(pg, role.arn)
    ]
    report = escalation_report(pg, role.arn)
    escalations = [_escalation_text(escalation) for escalation in report.escalations]
    if role.arn in report.administrators:
        escalations.insert(0, "already holds every permission a technique would give (administrator)")
    return Neighbourhood(_reached_by(pg, role.arn), reaches, escalations)
