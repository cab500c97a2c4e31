"""The part of the graph a query's answer stands on, for exports and pictures."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from typing import TYPE_CHECKING

from pipedoctor.graph.escalation import Escalation
from pipedoctor.graph.queries import Access, Reach, Unused

if TYPE_CHECKING:
    import networkx as nx

    from pipedoctor.graph.build import PermissionGraph

EdgeRef = tuple[str, str, str]


def _edges_between(
    graph: nx.MultiDiGraph, source: str, target: str, relations: set[str] | None = None
) -> list[EdgeRef]:
    data = graph.get_edge_data(source, target) or {}
    return [
        (source, target, key)
        for key, attributes in data.items()
        if relations is None or attributes.get("relation") in relations
    ]


def _with_workloads(graph: nx.MultiDiGraph, principals: Iterable[str]) -> list[EdgeRef]:
    """What runs as each principal (projects, pipelines, task definitions, services)."""
    edges = []
    for principal in principals:
        if principal in graph:
            edges += [
                (source, principal, key)
                for source, _, key, relation in graph.in_edges(
                    principal, keys=True, data="relation"
                )
                if relation in ("runs_as", "assumes")
            ]
    return edges


def _view(pg: PermissionGraph, edges: list[EdgeRef], nodes: Iterable[str] = ()) -> nx.MultiDiGraph:
    graph = pg.graph
    view = graph.edge_subgraph(edges).copy()
    for node in nodes:
        if node in graph and node not in view:
            view.add_node(node, **graph.nodes[node])
    return view


def who_can_view(pg: PermissionGraph, accesses: list[Access], resource: str) -> nx.MultiDiGraph:
    graph = pg.graph
    edges: list[EdgeRef] = []
    for access in accesses:
        if access.via:
            edges += _edges_between(
                graph, access.principal, access.via, {"can", "assumes", "passes_role"}
            )
            if access.via != resource:
                edges += _edges_between(graph, access.via, resource, {"contains"})
    edges += _with_workloads(graph, {access.principal for access in accesses})
    return _view(pg, edges, [resource, *(access.principal for access in accesses)])


def what_can_view(pg: PermissionGraph, principal: str, reaches: list[Reach]) -> nx.MultiDiGraph:
    graph = pg.graph
    edges: list[EdgeRef] = []
    for reach in reaches:
        edges += _edges_between(graph, principal, reach.target, {reach.relation})
    return _view(pg, edges + _with_workloads(graph, [principal]), [principal])


def path_view(pg: PermissionGraph, found: list[list[tuple[str, str]]]) -> nx.MultiDiGraph:
    edges: list[EdgeRef] = []
    nodes: list[str] = []
    for path in found:
        hops = [node for node, _ in path]
        nodes += hops
        for before, after in itertools.pairwise(hops):
            edges += _edges_between(pg.graph, before, after)
    return _view(pg, edges, nodes)


def escalation_view(pg: PermissionGraph, escalations: list[Escalation]) -> nx.MultiDiGraph:
    graph = pg.graph
    edges: list[EdgeRef] = []
    nodes: list[str] = []
    for escalation in escalations:
        for before, after in zip(escalation.chain, escalation.chain[1:], strict=False):
            edges += _edges_between(graph, before, after)
        for target in [escalation.gains, *pg.sets_of.get(escalation.gains, [])]:
            edges += _edges_between(graph, escalation.principal, target, {"assumes", "passes_role"})
            if target != escalation.gains:
                edges += _edges_between(graph, target, escalation.gains, {"contains"})
        nodes += [escalation.principal, escalation.gains]
    return _view(pg, edges, nodes)


def unused_view(pg: PermissionGraph, role: str, items: list[Unused]) -> nx.MultiDiGraph:
    edges: list[EdgeRef] = []
    for item in items:
        edges += _edges_between(pg.graph, role, item.target, {"can"})
    return _view(pg, edges, [role])
