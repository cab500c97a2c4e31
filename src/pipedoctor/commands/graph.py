"""`pipedoctor graph`: the permission graph, its queries, exports and pictures."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipedoctor.errors import UserError

if TYPE_CHECKING:
    import networkx as nx

    from pipedoctor.graph.build import PermissionGraph

DESCRIPTION = """Build the permission graph of a snapshot (pipelines, stages and actions, CodeBuild
projects, ECS services and task definitions, the roles they run as) and/or of a whole account
(`aws iam get-account-authorization-details > FILE`): who runs as which role, who can assume or
pass which role, and what each principal can do to each resource, every edge decided by the IAM
evaluator with the policy statements and conditions behind it, and marked observed (CloudTrail),
required (configuration) or only granted.

Without a query, writes the whole graph (--format json is node-link JSON). With one, answers it:
text or json, or the subgraph the answer stands on as graphml, dot, mermaid, svg or png (svg and
png need Graphviz's `dot`).

exit codes: 0 done; 1 `escalations` found some; 2 bad input."""

FORMATS = ["text", "json", "graphml", "dot", "mermaid", "svg", "png"]


def _add_inputs(parser: argparse.ArgumentParser, on_query: bool) -> None:
    # On a query the defaults are suppressed, so options given before the query name survive.
    default: Any = argparse.SUPPRESS if on_query else None
    parser.add_argument("--snapshot", metavar="FILE", default=default, help="a pipedoctor snapshot")
    parser.add_argument(
        "--authorization-details",
        metavar="FILE",
        default=default,
        help="output of `aws iam get-account-authorization-details` (the whole account)",
    )
    parser.add_argument(
        "--cloudtrail",
        action="append",
        default=argparse.SUPPRESS if on_query else [],
        metavar="DIR|FILE",
        help="CloudTrail log files whose calls mark actions as observed (repeatable)",
    )
    parser.add_argument(
        "--format", choices=FORMATS, default=default, help="output format (default: text)"
    )
    parser.add_argument(
        "--output", "-o", metavar="FILE", default=default, help="write here, not to stdout"
    )


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "graph",
        help="the permission graph: who-can, what-can, path, escalations, unused; exports",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_inputs(parser, on_query=False)
    queries = parser.add_subparsers(dest="query", metavar="QUERY")
    who = queries.add_parser("who-can", help="principals allowed ACTION on RESOURCE_ARN")
    who.add_argument("action", metavar="ACTION")
    who.add_argument("resource", metavar="RESOURCE_ARN")
    what = queries.add_parser("what-can", help="what PRINCIPAL can do")
    what.add_argument("principal", metavar="PRINCIPAL")
    what.add_argument("--service", metavar="S", help="only this service prefix (e.g. ecr)")
    path = queries.add_parser(
        "path", help="shortest chains from FROM to TO, each hop with its reason"
    )
    path.add_argument("source", metavar="FROM")
    path.add_argument("target", metavar="TO")
    escalations = queries.add_parser(
        "escalations",
        help="published escalation techniques, proven step by step, from the principals a "
        "pipeline reaches (else all); administrators listed once",
    )
    escalations.add_argument("--from", dest="start", metavar="PRINCIPAL", help="start here instead")
    unused = queries.add_parser("unused", help="what a role is granted but neither uses nor needs")
    unused.add_argument("--role", required=True, metavar="NAME|ARN")
    for query in (who, what, path, escalations, unused):
        _add_inputs(query, on_query=True)
    parser.set_defaults(func=run)


def load_graph(
    snapshot_path: str | None, authorization_path: str | None, cloudtrail: list[str]
) -> PermissionGraph:
    from pipedoctor.graph.authz_details import (
        inventory_from_authorization_details,
        load_authorization_details,
    )
    from pipedoctor.graph.build import build_graph
    from pipedoctor.model import load

    if not snapshot_path and not authorization_path:
        raise UserError("give --snapshot FILE and/or --authorization-details FILE")
    snapshot = load(snapshot_path) if snapshot_path else None
    if authorization_path:
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


def _emit(args: argparse.Namespace, payload: str | bytes) -> None:
    output = getattr(args, "output", None)
    if output:
        try:
            if isinstance(payload, bytes):
                Path(output).write_bytes(payload)
            else:
                Path(output).write_text(payload, encoding="utf-8")
        except OSError as error:
            raise UserError(f"cannot write {output}: {error.strerror}") from None
        return
    if isinstance(payload, bytes):
        sys.stdout.flush()
        sys.stdout.buffer.write(payload)
    else:
        sys.stdout.write(payload)


def _emit_graph(args: argparse.Namespace, graph: nx.MultiDiGraph, fmt: str) -> None:
    from pipedoctor.graph.export import EXPORTERS, to_dot

    if fmt in ("svg", "png"):
        from pipedoctor.graph.render import render

        _emit(args, render(to_dot(graph), fmt, graph.number_of_nodes()))
    else:
        _emit(args, EXPORTERS[fmt](graph))


def _json(data: Any) -> str:
    import json

    return json.dumps(data, indent=1) + "\n"


def run(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    pg = load_graph(
        getattr(args, "snapshot", None),
        getattr(args, "authorization_details", None),
        getattr(args, "cloudtrail", []),
    )
    for warning in pg.warnings:
        print(f"pipedoctor: warning: {warning}", file=sys.stderr)
    graph = pg.graph
    print(
        f"graph: {graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges "
        f"in {time.perf_counter() - started:.1f} s",
        file=sys.stderr,
    )
    fmt = getattr(args, "format", None) or "text"
    query = getattr(args, "query", None)
    if query is None:
        if fmt == "text":
            _emit(args, _summary(graph))
        else:
            _emit_graph(args, graph, fmt)
        return 0
    return QUERIES[query](pg, args, fmt)


def _summary(graph: nx.MultiDiGraph) -> str:
    from collections import Counter

    kinds = Counter(kind for _, kind in graph.nodes(data="kind"))
    relations = Counter(relation for _, _, relation in graph.edges(data="relation"))
    lines = ["nodes:"] + [f"  {kind:24} {count}" for kind, count in sorted(kinds.items())]
    lines += ["edges:"] + [
        f"  {relation:24} {count}" for relation, count in sorted(relations.items())
    ]
    return "\n".join(lines) + "\n"


def _statement_text(statement: dict[str, Any]) -> str:
    text = f"{statement['policy']} statement {statement['statement']}"
    if statement.get("conditions"):
        conditions = "; ".join(
            f"{c['operator']} {c['key']} {', '.join(c['values'])}" for c in statement["conditions"]
        )
        text += f" when {conditions}"
    return text


def _who_can(pg: PermissionGraph, args: argparse.Namespace, fmt: str) -> int:
    from pipedoctor.graph.queries import who_can
    from pipedoctor.graph.views import who_can_view

    started = time.perf_counter()
    found = who_can(pg, args.action, args.resource)
    print(f"who-can: {(time.perf_counter() - started) * 1000:.1f} ms", file=sys.stderr)
    if fmt == "json":
        _emit(args, _json([access.to_dict() for access in found]))
    elif fmt == "text":
        lines = [f"{len(found)} principal(s) can {args.action} on {args.resource}"]
        for access in found:
            flags = access.status + (", if conditions hold" if access.conditional else "")
            lines.append(f"  {access.principal}  [{flags}]")
            if access.note:
                lines.append(f"    {access.note}")
            if access.via and access.via != access.resource:
                lines.append(f"    via {access.via}")
            lines += [
                f"    allowed by {_statement_text(s)}"
                for s in access.statements
                if s["effect"] == "Allow"
            ]
        _emit(args, "\n".join(lines) + "\n")
    else:
        _emit_graph(args, who_can_view(pg, found, args.resource), fmt)
    return 0


def _what_can(pg: PermissionGraph, args: argparse.Namespace, fmt: str) -> int:
    from pipedoctor.graph.queries import resolve, what_can
    from pipedoctor.graph.views import what_can_view

    principal = resolve(pg, args.principal)
    found = what_can(pg, principal, args.service)
    if fmt == "json":
        _emit(args, _json([reach.to_dict() for reach in found]))
    elif fmt == "text":
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
        _emit(args, "\n".join(lines) + "\n")
    else:
        _emit_graph(args, what_can_view(pg, principal, found), fmt)
    return 0


def _path(pg: PermissionGraph, args: argparse.Namespace, fmt: str) -> int:
    from pipedoctor.graph.queries import paths
    from pipedoctor.graph.views import path_view

    found = paths(pg, args.source, args.target)
    if fmt == "json":
        _emit(
            args,
            _json([[{"node": node, "reason": reason} for node, reason in path] for path in found]),
        )
    elif fmt == "text":
        if not found:
            _emit(args, f"no path from {args.source} to {args.target}\n")
            return 0
        lines = []
        for number, path in enumerate(found, 1):
            lines.append(f"path {number} ({len(path) - 1} hop(s)):")
            lines.append(f"  {path[0][0]}")
            lines += [f"  -> {node}\n       {reason}" for node, reason in path[1:]]
        _emit(args, "\n".join(lines) + "\n")
    else:
        _emit_graph(args, path_view(pg, found), fmt)
    return 0


def _escalations(pg: PermissionGraph, args: argparse.Namespace, fmt: str) -> int:
    from pipedoctor.graph.escalation import escalation_report
    from pipedoctor.graph.queries import resolve
    from pipedoctor.graph.views import escalation_view

    start = resolve(pg, args.start) if args.start else None
    report = escalation_report(pg, start)
    found = report.escalations
    if fmt == "json":
        _emit(args, _json(report.to_dict()))
    elif fmt == "text":
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
                proof = "; ".join(
                    _statement_text(s) for s in step.statements if s["effect"] == "Allow"
                )
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
        _emit(args, "\n".join(lines) + "\n")
    else:
        _emit_graph(args, escalation_view(pg, found), fmt)
    return 1 if found else 0


def _unused(pg: PermissionGraph, args: argparse.Namespace, fmt: str) -> int:
    from pipedoctor.graph.queries import resolve, unused
    from pipedoctor.graph.views import unused_view

    role = resolve(pg, args.role)
    found = unused(pg, role)
    if fmt == "json":
        _emit(args, _json([item.to_dict() for item in found]))
    elif fmt == "text":
        total = sum(len(item.unused) for item in found)
        lines = [
            f"{role}: {total} granted action(s) neither observed nor required, on {len(found)} target(s)"
        ]
        for item in found:
            lines.append(f"  {item.target}  ({len(item.unused)} unused, {len(item.used)} used)")
            lines.append("    " + ", ".join(item.unused))
        _emit(args, "\n".join(lines) + "\n")
    else:
        _emit_graph(args, unused_view(pg, role, found), fmt)
    return 0


QUERIES = {
    "who-can": _who_can,
    "what-can": _what_can,
    "path": _path,
    "escalations": _escalations,
    "unused": _unused,
}
