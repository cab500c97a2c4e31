"""The permission graph of a snapshot and/or an account, and its answers as text for people.

The command prints these; the TUI can show the same views."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pipedoctor.errors import UserError

if TYPE_CHECKING:
    import networkx as nx

    from pipedoctor.graph.build import PermissionGraph
    from pipedoctor.graph.escalation import EscalationReport
    from pipedoctor.graph.queries import Access
    from pipedoctor.model import Snapshot

# Structure a reader of the picture does not need: policy documents and group membership.
HIDDEN_RELATIONS = frozenset({"attached", "member_of"})
HIDDEN_KINDS = frozenset({"policy", "group", "service"})


def load_graph(
    snapshot_path: str | None, authorization_path: str | None, cloudtrail: list[str]
) -> PermissionGraph:
    from pipedoctor.app.inputs import STDIN, one_stdin
    from pipedoctor.app.snapshots import load_snapshot
    from pipedoctor.graph.authz_details import (
        inventory_from_authorization_details,
        load_authorization_details,
    )
    from pipedoctor.graph.build import build_graph

    if not snapshot_path and not authorization_path:
        raise UserError("give --snapshot FILE and/or --authorization-details FILE")
    one_stdin(snapshot_path, authorization_path)
    snapshot = load_snapshot(snapshot_path) if snapshot_path else None
    if authorization_path == STDIN:
        authorization = inventory_from_authorization_details(
            _json_input(authorization_path), origin="stdin"
        )
    elif authorization_path:
        authorization = load_authorization_details(authorization_path)
    elif snapshot is not None and snapshot.authorization_details:  # collected with --iam-all
        authorization = inventory_from_authorization_details(
            snapshot.authorization_details, origin=str(snapshot_path)
        )
    else:
        authorization = None
    usage = []
    if cloudtrail:
        from pipedoctor.leastpriv.cloudtrail import usage_from_cloudtrail

        usage, _ = usage_from_cloudtrail(cloudtrail)
    return build_graph(snapshot, authorization, usage)


def _json_input(path: str) -> Any:
    from pipedoctor.app.inputs import read_input
    from pipedoctor.textparse import ParseError, parse_json

    try:
        return parse_json(read_input(path))
    except ParseError as error:
        raise UserError(f"{'stdin' if path == '-' else path}: not valid JSON ({error})") from None


def require_arn(value: str, what: str) -> None:
    """A resource named where an ARN (or `*`) is expected: exit 2 rather than an empty answer."""
    from pipedoctor.knowledge.arns import split_arn

    if value == "*" or split_arn(value) is not None:
        return
    raise UserError(f"{what} {value!r} is not an ARN (arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE) or *")


def summary_text(graph: nx.MultiDiGraph) -> str:
    from collections import Counter

    kinds = Counter(kind for _, kind in graph.nodes(data="kind"))
    relations = Counter(relation for _, _, relation in graph.edges(data="relation"))
    lines = ["nodes:"] + [f"  {kind:24} {count}" for kind, count in sorted(kinds.items())]
    lines += ["edges:"] + [
        f"  {relation:24} {count}" for relation, count in sorted(relations.items())
    ]
    return "\n".join(lines) + "\n"


def statement_text(statement: dict[str, Any]) -> str:
    text = f"{statement['policy']} statement {statement['statement']}"
    if statement.get("conditions"):
        conditions = "; ".join(
            f"{c['operator']} {c['key']} {', '.join(c['values'])}" for c in statement["conditions"]
        )
        text += f" when {conditions}"
    return text


def who_can_text(found: list[Access], action: str, resource: str) -> str:
    lines = [f"{len(found)} principal(s) can {action} on {resource}"]
    for access in found:
        flags = access.status + (", if conditions hold" if access.conditional else "")
        lines.append(f"  {access.principal}  [{flags}]")
        if access.note:
            lines.append(f"    {access.note}")
        if access.via and access.via != access.resource:
            lines.append(f"    via {access.via}")
        lines += [
            f"    allowed by {statement_text(s)}"
            for s in access.statements
            if s["effect"] == "Allow"
        ]
    return "\n".join(lines) + "\n"


def what_can_text(pg: PermissionGraph, principal: str, found: list[Any]) -> str:
    lines = [f"{principal}: {len(found)} target(s)"]
    for reach in found:
        label = pg.graph.nodes[reach.target].get("label", reach.target)
        extra = f" to {reach.service}" if reach.service else ""
        used = (
            f"; observed {len(reach.observed)}, required {len(reach.required)}"
            if reach.relation == "can"
            else ""
        )
        conditional = " if conditions hold" if reach.conditional else ""
        lines.append(
            f"  {reach.relation}{extra}{conditional}  {reach.target}  ({label}: {len(reach.actions)} action(s){used})"
        )
        lines.append("    " + ", ".join(reach.actions))
    return "\n".join(lines) + "\n"


def path_text(found: list[list[tuple[str, str]]], source: str, target: str) -> str:
    if not found:
        return f"no path from {source} to {target}\n"
    lines = []
    for number, path in enumerate(found, 1):
        lines.append(f"path {number} ({len(path) - 1} hop(s)):")
        lines.append(f"  {path[0][0]}")
        lines += [f"  -> {node}\n       {reason}" for node, reason in path[1:]]
    return "\n".join(lines) + "\n"


def escalations_text(report: EscalationReport) -> str:
    found = report.escalations
    lines = [f"{len(found)} escalation(s)"]
    for escalation in found:
        lines.append(f"  {escalation.principal}")
        if escalation.gives == "administrator":
            lines.append(f"    gains administrator rights through {escalation.gains}")
        else:
            lines.append(
                f"    gains {escalation.gains} (+{escalation.gained} "
                f"{'policy(ies)' if escalation.gives == 'group' else 'permission(s)'})"
            )
        lines.append(f"    how: {escalation.technique}: {escalation.summary}")
        if escalation.possible_if:
            lines.append(f"    possible if {escalation.possible_if}")
        if len(escalation.chain) > 1:
            lines.append(f"    reached from: {' -> '.join(escalation.chain)}")
        for step in escalation.steps:
            proof = "; ".join(statement_text(s) for s in step.statements if s["effect"] == "Allow")
            lines.append(
                f"    - {step.action} on {step.resource}"
                + (f" (allowed by {proof})" if proof else "")
            )
        lines.append(f"    documented by: {', '.join(escalation.sources)}")
    if report.administrators:
        lines.append(
            f"{len(report.administrators)} administrator(s): they already hold every "
            "permission a technique would give, so no path is reported for them"
        )
        lines += [f"  {arn}" for arn in report.administrators]
    return "\n".join(lines) + "\n"


def unused_text(role: str, found: list[Any]) -> str:
    total = sum(len(item.unused) for item in found)
    lines = [
        f"{role}: {total} granted action(s) neither observed nor required, on {len(found)} target(s)"
    ]
    for item in found:
        lines.append(f"  {item.target}  ({len(item.unused)} unused, {len(item.used)} used)")
        lines.append("    " + ", ".join(item.unused))
    return "\n".join(lines) + "\n"


def picture_graph(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """The graph without policy documents and other bookkeeping nodes."""
    edges = [
        (source, target, key)
        for source, target, key, relation in graph.edges(keys=True, data="relation")
        if relation not in HIDDEN_RELATIONS
        and graph.nodes[source].get("kind") not in HIDDEN_KINDS
        and graph.nodes[target].get("kind") not in HIDDEN_KINDS
    ]
    return graph.edge_subgraph(edges).copy()


def graph_picture(snapshot: Snapshot) -> tuple[str | None, str]:
    """(inline SVG or None, why there is none)."""
    from pipedoctor.graph.build import build_graph
    from pipedoctor.graph.export import to_dot
    from pipedoctor.graph.render import INSTALL_HINT, MAX_DRAWN_NODES, graphviz_available, render

    if not graphviz_available():
        return None, INSTALL_HINT[0].upper() + INSTALL_HINT[1:] + "."
    shown = picture_graph(build_graph(snapshot).graph)
    if shown.number_of_nodes() > MAX_DRAWN_NODES:
        return (
            None,
            f"The graph has {shown.number_of_nodes()} nodes, too many to draw; use `pipedoctor graph` queries.",
        )
    return render(to_dot(shown), "svg", shown.number_of_nodes()).decode("utf-8"), ""


def resolve_name(pg: PermissionGraph, text: str, kind: str = "principal") -> str:
    """A node id for what the user typed; a name the graph does not hold is an error naming the
    closest nodes."""
    from pipedoctor.app.names import unknown_name
    from pipedoctor.graph.queries import resolve

    graph = pg.graph
    if text not in graph and not any(label == text for _, label in graph.nodes(data="label")):
        known = [str(node) for node in graph] + [
            str(label) for _, label in graph.nodes(data="label") if label
        ]
        raise unknown_name(kind, text, known, "the graph")
    return resolve(pg, text)
