"""Build the permission graph (a networkx MultiDiGraph) from a snapshot and/or an account's
authorization details.

Nodes are identified by ARN (pipelines, roles, users, groups, policies, resources), by service
principal name (`codebuild.amazonaws.com`), `service:<prefix>` for a service's resource-less
actions, `set:<kind>:<service>[...]` for large classes of equivalent resources, and `*` for
anyone. Edge keys are the relation: structure (`contains`, `runs_as`, `invokes`, `deploys`,
`uses`, `runs`, `member_of`, `attached`) and decided access (`assumes`, `passes_role[:service]`,
`can`), the latter with their provenance.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pipedoctor.graph.access import AccessDecider, ResourceSet, service_node
from pipedoctor.graph.from_snapshot import inventory_from_snapshot
from pipedoctor.graph.gc_pause import cyclic_gc_paused
from pipedoctor.graph.grants import ConditionIndex, GrantBook
from pipedoctor.graph.inventory import Inventory
from pipedoctor.graph.kinds import SERVICE_NODE_PREFIXES
from pipedoctor.graph.trust import TrustDecider
from pipedoctor.graph.usage import annotate_usage, needs_for
from pipedoctor.leastpriv.usage import UsageRecord
from pipedoctor.model import Snapshot

if TYPE_CHECKING:
    import networkx as nx


@dataclass
class PermissionGraph:
    graph: nx.MultiDiGraph
    inventory: Inventory
    decider: AccessDecider
    # lower-case action -> target node -> sources with a `can` edge carrying the action
    can_index: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    sets_of: dict[str, list[str]] = field(default_factory=dict)  # resource ARN -> set ids
    snapshot: Snapshot | None = None

    @property
    def warnings(self) -> list[str]:
        return self.inventory.warnings


def _label(arn: str) -> str:
    return arn.rsplit("/", 1)[-1] if arn.startswith("arn:") else arn


def _ensure(graph: nx.MultiDiGraph, node: str, **attributes: Any) -> None:
    if node not in graph:
        attributes.setdefault("label", _label(node))
        graph.add_node(node, **attributes)


def _source_kind(node: str) -> str:
    if node == "*":
        return "anyone"
    if not node.startswith("arn:"):
        return (
            "service-principal"
            if node.endswith((".amazonaws.com", ".amazonaws.com.cn"))
            else "federated-principal"
        )
    if ":oidc-provider/" in node or ":saml-provider/" in node:
        return "federated-principal"
    return "external-principal"


def _add_identities(graph: nx.MultiDiGraph, inventory: Inventory) -> None:
    for policy in inventory.policies.values():
        graph.add_node(policy.id, kind="policy", label=policy.name, policy_kind=policy.kind)
    for group in inventory.groups.values():
        graph.add_node(group.arn, kind="group", label=group.name)
        for policy_id in group.policies:
            graph.add_edge(group.arn, policy_id, key="attached", relation="attached")
    for principal in inventory.principals.values():
        graph.add_node(
            principal.arn, kind=principal.kind, label=principal.name, account=principal.account
        )
        for policy_id in principal.policies:
            how = (
                inventory.policies[policy_id].kind if policy_id in inventory.policies else "managed"
            )
            graph.add_edge(principal.arn, policy_id, key="attached", relation="attached", how=how)
        if principal.boundary:
            graph.add_edge(
                principal.arn,
                principal.boundary,
                key="boundary",
                relation="attached",
                how="boundary",
            )
        for group_arn in principal.groups:
            graph.add_edge(principal.arn, group_arn, key="member_of", relation="member_of")


def _add_resources(
    graph: nx.MultiDiGraph, inventory: Inventory, sets: Iterable[ResourceSet]
) -> None:
    for resource in inventory.resources.values():
        if resource.arn in graph:  # roles are principals first
            graph.nodes[resource.arn]["resource_kind"] = resource.kind
            continue
        attributes: dict[str, Any] = {"kind": resource.kind, "label": resource.name}
        if resource.policy is not None:
            attributes["has_policy"] = True
        if resource.note:
            attributes["note"] = resource.note
        graph.add_node(resource.arn, **attributes)
    for resource_set in sets:
        graph.add_node(
            resource_set.id,
            kind="resource-set",
            label=resource_set.label,
            resource_kind=resource_set.kind,
        )
        for member in resource_set.members:
            graph.add_edge(resource_set.id, member, key="contains", relation="contains")
    for prefix in SERVICE_NODE_PREFIXES:
        graph.add_node(
            service_node(prefix),
            kind="service",
            label=f"{prefix} (actions on no particular resource)",
        )


def _link(graph: nx.MultiDiGraph, source: str, target: str, relation: str, how: str = "") -> None:
    _ensure(graph, target, kind="role" if ":role/" in target else "resource", missing=True)
    if how:
        graph.add_edge(source, target, key=f"{relation}:{how}", relation=relation, how=how)
    else:
        graph.add_edge(source, target, key=relation, relation=relation)


def _add_workloads(graph: nx.MultiDiGraph, snapshot: Snapshot) -> None:
    for pipeline in snapshot.pipelines:
        _ensure(graph, pipeline.arn, kind="codepipeline-pipeline", label=pipeline.name)
        if pipeline.role_arn:
            _link(graph, pipeline.arn, pipeline.role_arn, "runs_as")
        for stage in pipeline.stages:
            stage_id = f"{pipeline.arn}/{stage.name}"
            graph.add_node(stage_id, kind="stage", label=stage.name)
            graph.add_edge(pipeline.arn, stage_id, key="contains", relation="contains")
            for action in stage.actions:
                action_id = f"{stage_id}/{action.name}"
                graph.add_node(action_id, kind="action", label=f"{action.name} ({action.provider})")
                graph.add_edge(stage_id, action_id, key="contains", relation="contains")
                _link_action(graph, snapshot, pipeline.arn, action_id, action)
    for project in snapshot.projects:
        _ensure(graph, project.arn, kind="codebuild-project", label=project.name)
        if project.service_role:
            _link(graph, project.arn, project.service_role, "runs_as")
    for service in getattr(snapshot, "ecs_services", []):
        _ensure(graph, service.arn, kind="ecs-service", label=service.name)
        if service.task_definition:
            _link(graph, service.arn, service.task_definition, "runs")
    for task in getattr(snapshot, "task_definitions", []):
        _ensure(graph, task.arn, kind="ecs-task-definition", label=task.family)
        for role_arn, how in ((task.task_role, "task"), (task.execution_role, "execution")):
            if role_arn:
                _link(graph, task.arn, role_arn, "runs_as", how)


def _link_action(
    graph: nx.MultiDiGraph, snapshot: Snapshot, pipeline_arn: str, action_id: str, action: Any
) -> None:
    if action.role_arn:
        _link(graph, action_id, action.role_arn, "runs_as")
    configuration = action.configuration
    project = (
        snapshot.project(configuration.get("ProjectName", ""))
        if configuration.get("ProjectName")
        else None
    )
    if project is not None:
        _link(graph, action_id, project.arn, "invokes")
    if configuration.get("ConnectionArn"):
        _link(graph, action_id, configuration["ConnectionArn"], "uses")
    if configuration.get("ServiceName") and configuration.get("ClusterName"):
        service = snapshot.ecs_service(configuration["ClusterName"], configuration["ServiceName"])
        if service is not None:
            _link(graph, action_id, service.arn, "deploys")


def _add_grants(graph: nx.MultiDiGraph, book: GrantBook) -> dict[str, dict[str, list[str]]]:
    index: dict[str, dict[str, list[str]]] = {}
    for grant in book.grants.values():
        _ensure(graph, grant.source, kind=_source_kind(grant.source))
        _ensure(graph, grant.target, kind="resource", missing=True)
        key = f"{grant.relation}:{grant.service}" if grant.service else grant.relation
        graph.add_edge(grant.source, grant.target, key=key, **grant.attributes())
        if grant.relation == "can":
            for action in grant.actions:
                index.setdefault(action.lower(), {}).setdefault(grant.target, []).append(
                    grant.source
                )
    return index


@cyclic_gc_paused()
def build_graph(
    snapshot: Snapshot | None = None,
    authorization: Inventory | None = None,
    usage: list[UsageRecord] | None = None,
) -> PermissionGraph:
    """The permission graph of everything the inputs hold (at least one of snapshot/authorization)."""
    import networkx as nx

    inventory = Inventory()
    if authorization is not None:
        inventory.merge(authorization)
    if snapshot is not None:
        inventory.merge(inventory_from_snapshot(snapshot))
    conditions = ConditionIndex()
    book = GrantBook(conditions)
    decider = AccessDecider(inventory, book, conditions)
    for principal in inventory.principals.values():
        decider.decide_principal(principal)
    decider.decide_resource_policies()
    TrustDecider(decider, book).decide_all()

    graph = nx.MultiDiGraph()
    _add_identities(graph, inventory)
    _add_resources(graph, inventory, decider.sets.values())
    if snapshot is not None:
        _add_workloads(graph, snapshot)
    permission_graph = PermissionGraph(graph, inventory, decider, snapshot=snapshot)
    permission_graph.can_index = _add_grants(graph, book)
    for resource_set in decider.sets.values():
        for member in resource_set.members:
            permission_graph.sets_of.setdefault(member, []).append(resource_set.id)
    annotate_usage(permission_graph, needs_for(snapshot, inventory, usage or []))
    return permission_graph
