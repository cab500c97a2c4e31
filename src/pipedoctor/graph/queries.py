"""Questions asked of the permission graph: who-can, what-can, path, unused."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pipedoctor.errors import UserError
from pipedoctor.graph.access import service_node
from pipedoctor.graph.usage import resource_of
from pipedoctor.iam import Request, evaluate, load_catalog

if TYPE_CHECKING:
    import networkx as nx

    from pipedoctor.graph.build import PermissionGraph

PRINCIPAL_KINDS = frozenset({"role", "user"})
# Relations a path may follow: how work runs and who can act, not which policies are attached.
PATH_RELATIONS = frozenset(
    {"contains", "runs_as", "invokes", "deploys", "uses", "runs", "assumes", "passes_role", "can"}
)


@dataclass
class Access:
    principal: str
    action: str
    resource: str
    via: str  # the edge's target: the resource, a resource set, a service node; "" = evaluated now
    statements: list[dict[str, Any]] = field(default_factory=list)
    status: str = "granted"  # observed | required | granted
    conditional: bool = False
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "principal": self.principal,
            "action": self.action,
            "resource": self.resource,
            "via": self.via,
            "status": self.status,
            "conditional": self.conditional,
            "note": self.note,
            "statements": self.statements,
        }


def canonical_action(action: str) -> str:
    info = load_catalog().action(action)
    if info is None:
        raise UserError(
            f"unknown IAM action {action!r} (expected service:Action, e.g. ecr:PutImage)"
        )
    return info.name


def resolve(pg: PermissionGraph, text: str) -> str:
    """A node id from an ARN, a service principal, or a unique name (role, user, pipeline ...)."""
    graph = pg.graph
    if text in graph:
        return text
    found = sorted(node for node, label in graph.nodes(data="label") if label == text)
    if len(found) == 1:
        return found[0]
    if len(found) > 1:
        raise UserError(f"{text!r} names several nodes: {', '.join(found[:5])}; give the ARN")
    raise UserError(
        f"{text!r} is not in the graph (give an ARN or the name of a role, user or pipeline)"
    )


def _status(data: dict[str, Any], action: str) -> str:
    if action in data.get("observed", ()):
        return "observed"
    if action in data.get("required", ()):
        return "required"
    return "granted"


def _statements_for(data: dict[str, Any], action: str) -> list[dict[str, Any]]:
    return [
        {key: value for key, value in entry.items() if key != "actions"}
        for entry in data.get("statements", [])
        if action in entry.get("actions", ())
    ]


def who_can(pg: PermissionGraph, action: str, resource: str) -> list[Access]:
    """Every principal allowed `action` on `resource`, with the statements that allow it."""
    action = canonical_action(action)
    lowered = action.lower()
    if lowered in ("sts:assumerole", "iam:passrole"):
        return _role_edges(pg, action, resource)
    catalog = load_catalog()
    if resource == "*" or not catalog.supports_resource_level(action):
        targets = [service_node(action.split(":", 1)[0].lower())]
        subject = "*"
    else:
        subject = resource_of(resource, pg) or ""
        if not subject:
            return _evaluate_everyone(pg, action, resource)
        targets = [subject, *pg.sets_of.get(subject, [])]
    graph = pg.graph
    found: list[Access] = []
    for target in targets:
        for source in pg.can_index.get(lowered, {}).get(target, []):
            data = graph.get_edge_data(source, target, key="can")
            if subject in data.get("except", ()):
                continue
            found.append(
                Access(
                    source,
                    action,
                    resource,
                    target,
                    _statements_for(data, action),
                    _status(data, action),
                    bool(data.get("conditional")),
                    data.get("note", ""),
                )
            )
    return sorted(found, key=lambda access: access.principal)


def _role_edges(pg: PermissionGraph, action: str, role: str) -> list[Access]:
    graph = pg.graph
    if role not in graph:
        raise UserError(f"{role!r} is not a role in the graph")
    relation = "assumes" if action == "sts:AssumeRole" else "passes_role"
    found = []
    for target in [role, *pg.sets_of.get(role, [])]:
        for source, _, data in graph.in_edges(target, data=True):
            if data.get("relation") != relation or role in data.get("except", ()):
                continue
            note = data.get("note", "")
            if data.get("service"):
                note = f"to {data['service']}" + (f"; {note}" if note else "")
            found.append(
                Access(
                    source,
                    action,
                    role,
                    target,
                    _statements_for(data, data["actions"][0]),
                    "granted",
                    bool(data.get("conditional")),
                    note,
                )
            )
    return sorted(found, key=lambda access: (access.principal, access.note))


def _evaluate_everyone(pg: PermissionGraph, action: str, resource: str) -> list[Access]:
    """A resource the inputs do not hold: evaluate every principal's policies directly."""
    lowered = action.lower()
    found = []
    for principal in pg.inventory.principals.values():
        policy_set = pg.decider.policy_set(principal)
        candidates = policy_set.compiled().identity.candidates(lowered)
        if not any(statement.allow for statement in candidates):
            continue
        decision = evaluate(Request(action, resource, principal.arn), policy_set)
        if decision.allowed:
            statements = [
                {**ref.to_dict(), "conditions": pg.decider.conditions.conditions(ref)}
                for ref in decision.matched
            ]
            found.append(Access(principal.arn, action, resource, "", statements))
    return found


@dataclass
class Reach:
    target: str
    relation: str
    actions: list[str]
    observed: list[str]
    required: list[str]
    service: str = ""
    conditional: bool = False

    def to_dict(self) -> dict[str, Any]:
        return self.__dict__.copy()


def what_can(pg: PermissionGraph, principal: str, service: str | None = None) -> list[Reach]:
    """Everything one principal can do, per target, optionally for one service prefix."""
    node = resolve(pg, principal)
    prefix = f"{service.lower()}:" if service else ""
    found = []
    for _, target, data in pg.graph.out_edges(node, data=True):
        if data.get("relation") not in ("can", "passes_role", "assumes"):
            continue
        actions = [a for a in data["actions"] if a.lower().startswith(prefix)]
        if not actions:
            continue
        found.append(
            Reach(
                target,
                data["relation"],
                actions,
                [a for a in data.get("observed", []) if a in actions],
                [a for a in data.get("required", []) if a in actions],
                data.get("service", ""),
                bool(data.get("conditional")),
            )
        )
    return sorted(found, key=lambda reach: (reach.relation, reach.target, reach.service))


def describe_edge(graph: nx.MultiDiGraph, source: str, target: str) -> str:
    """Why one hop holds, from the best edge between the two nodes."""
    edges = graph.get_edge_data(source, target) or {}
    order = ("runs_as", "invokes", "deploys", "contains", "uses", "runs", "assumes", "can")
    for relation in order:
        for key, data in edges.items():
            if data.get("relation", key) != relation:
                continue
            return _reason(relation, data)
    for key, data in edges.items():
        if data.get("relation") == "passes_role":
            return _reason("passes_role", data)
    return "linked"


def _reason(relation: str, data: dict[str, Any]) -> str:
    statements = ", ".join(
        f"{entry['policy']} {entry['statement']}" for entry in data.get("statements", [])[:3]
    )
    proof = f" ({statements})" if statements else ""
    condition = " if its conditions hold" if data.get("conditional") else ""
    if relation == "assumes":
        return f"trust policy allows {data['actions'][0]}{condition}{proof}"
    if relation == "passes_role":
        return f"may pass the role to {data.get('service', '?')}{condition}{proof}"
    if relation == "can":
        actions = data["actions"]
        shown = ", ".join(actions[:4]) + (
            f" and {len(actions) - 4} more" if len(actions) > 4 else ""
        )
        return f"allowed {shown}{condition}{proof}"
    return {
        "runs_as": "runs as",
        "invokes": "invokes",
        "deploys": "deploys to",
        "contains": "contains",
        "uses": "uses",
        "runs": "runs",
    }[relation]


def _valid(graph: nx.MultiDiGraph, path: list[str]) -> bool:
    """A hop through a resource set must not land on a member the edge into the set excludes."""
    for before, middle, member in zip(path, path[1:], path[2:], strict=False):
        if middle.startswith("set:"):
            edges = (graph.get_edge_data(before, middle) or {}).values()
            if not any(member not in edge.get("except", ()) for edge in edges):
                return False
    return True


def paths(
    pg: PermissionGraph, source: str, target: str, limit: int = 5
) -> list[list[tuple[str, str]]]:
    """Shortest chains from source to target: [(node, reason the hop into it holds)]."""
    import networkx as nx

    start, end = resolve(pg, source), resolve(pg, target)
    graph = pg.graph
    view = nx.subgraph_view(
        graph, filter_edge=lambda u, v, k: graph.edges[u, v, k].get("relation") in PATH_RELATIONS
    )
    found: list[list[str]] = []
    try:
        for path in nx.all_shortest_paths(view, start, end):
            if _valid(graph, path):
                found.append(path)
            if len(found) >= limit:
                break
    except nx.NetworkXNoPath:
        return []
    return [
        [(path[0], "")]
        + [(node, describe_edge(graph, before, node)) for before, node in itertools.pairwise(path)]
        for path in found
    ]


@dataclass
class Unused:
    target: str
    unused: list[str]
    used: list[str]

    def to_dict(self) -> dict[str, Any]:
        return self.__dict__.copy()


def unused(pg: PermissionGraph, role: str) -> list[Unused]:
    """Per target, actions the role is granted but neither observed using nor required to have."""
    node = resolve(pg, role)
    if pg.graph.nodes[node].get("kind") not in PRINCIPAL_KINDS:
        raise UserError(f"{role!r} is not a role or user")
    found = []
    for _, target, data in pg.graph.out_edges(node, data=True):
        if data.get("relation") != "can":
            continue
        used = set(data.get("observed", [])) | set(data.get("required", []))
        idle = [action for action in data["actions"] if action not in used]
        if idle:
            found.append(Unused(target, idle, sorted(used)))
    return sorted(found, key=lambda item: item.target)
