"""The graph as text: node-link JSON, GraphML, DOT and Mermaid. Nodes and edges are written in
sorted order so that the same input always gives the same bytes."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import networkx as nx

KIND_STYLE = {
    "codepipeline-pipeline": ("box", "#cfe2ff"),
    "stage": ("box", "#e7f0ff"),
    "action": ("box", "#e7f0ff"),
    "codebuild-project": ("box", "#cfe2ff"),
    "ecs-service": ("box", "#cfe2ff"),
    "ecs-task-definition": ("box", "#cfe2ff"),
    "role": ("ellipse", "#ffe5b4"),
    "user": ("ellipse", "#ffd6a5"),
    "group": ("ellipse", "#fff0d1"),
    "policy": ("note", "#f1f1f1"),
    "service-principal": ("hexagon", "#d8f3dc"),
    "federated-principal": ("hexagon", "#d8f3dc"),
    "external-principal": ("hexagon", "#f8d7da"),
    "anyone": ("hexagon", "#f5a3a3"),
    "resource-set": ("folder", "#e2e2f7"),
    "service": ("component", "#ececec"),
}
DEFAULT_STYLE = ("cylinder", "#eaf7ea")


def _nodes(graph: nx.MultiDiGraph) -> list[tuple[str, dict[str, Any]]]:
    return sorted(graph.nodes(data=True), key=lambda item: item[0])


def _edges(graph: nx.MultiDiGraph) -> list[tuple[str, str, str, dict[str, Any]]]:
    return sorted(
        graph.edges(keys=True, data=True), key=lambda item: (item[0], item[1], str(item[2]))
    )


def to_node_link(graph: nx.MultiDiGraph) -> dict[str, Any]:
    return {
        "directed": True,
        "multigraph": True,
        "nodes": [{"id": node, **data} for node, data in _nodes(graph)],
        "edges": [
            {"source": source, "target": target, "key": key, **data}
            for source, target, key, data in _edges(graph)
        ],
    }


def to_json(graph: nx.MultiDiGraph) -> str:
    return json.dumps(to_node_link(graph), indent=1) + "\n"


def _scalar(value: Any) -> Any:
    """GraphML holds scalars only: lists and objects become JSON text."""
    if isinstance(value, (str, int, float, bool)):
        return value
    return json.dumps(value, sort_keys=True)


def to_graphml(graph: nx.MultiDiGraph) -> str:
    import networkx as nx

    ordered = nx.MultiDiGraph()
    for node, data in _nodes(graph):
        ordered.add_node(node, **{key: _scalar(value) for key, value in data.items()})
    for source, target, key, data in _edges(graph):
        ordered.add_edge(source, target, key=key, **{k: _scalar(v) for k, v in data.items()})
    return "\n".join(nx.generate_graphml(ordered)) + "\n"


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def edge_label(key: str, data: dict[str, Any]) -> str:
    relation = data.get("relation", key)
    if relation == "can":
        count = len(data.get("actions", []))
        label = f"can ({count} action{'s' if count != 1 else ''})"
    elif relation == "passes_role":
        label = f"passes role to {data.get('service', '?')}"
    else:
        label = relation.replace("_", " ")
    return label + (" [if conditions hold]" if data.get("conditional") else "")


def to_dot(graph: nx.MultiDiGraph) -> str:
    lines = [
        "digraph permissions {",
        "  rankdir=LR;",
        '  node [style=filled, fontname="Helvetica", fontsize=10];',
        '  edge [fontname="Helvetica", fontsize=9];',
    ]
    for node, data in _nodes(graph):
        shape, color = KIND_STYLE.get(data.get("kind", ""), DEFAULT_STYLE)
        label = f"{data.get('label', node)}\n{data.get('kind', '')}"
        lines.append(
            f"  {_quote(node)} [label={_quote(label)}, "
            f"shape={shape}, fillcolor={_quote(color)}, tooltip={_quote(node)}];"
        )
    for source, target, key, data in _edges(graph):
        style = ", style=dashed" if data.get("conditional") else ""
        lines.append(
            f"  {_quote(source)} -> {_quote(target)} [label={_quote(edge_label(str(key), data))}{style}];"
        )
    lines.append("}")
    return "\n".join(lines) + "\n"


def _mermaid_text(text: str) -> str:
    return text.replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")


def to_mermaid(graph: nx.MultiDiGraph) -> str:
    ids = {node: f"n{index}" for index, (node, _) in enumerate(_nodes(graph))}
    lines = ["flowchart LR"]
    for node, data in _nodes(graph):
        label = _mermaid_text(f"{data.get('label', node)} ({data.get('kind', '')})")
        lines.append(f'  {ids[node]}["{label}"]')
    for source, target, key, data in _edges(graph):
        arrow = "-.->" if data.get("conditional") else "-->"
        lines.append(
            f'  {ids[source]} {arrow}|"{_mermaid_text(edge_label(str(key), data))}"| {ids[target]}'
        )
    return "\n".join(lines) + "\n"


EXPORTERS = {"json": to_json, "graphml": to_graphml, "dot": to_dot, "mermaid": to_mermaid}
