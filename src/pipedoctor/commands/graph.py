"""`pipedoctor graph`: the permission graph, its queries, exports and pictures."""

from __future__ import annotations

import argparse
import sys
import time
from typing import TYPE_CHECKING, Any

from pipedoctor.commands.common import refuse_binary_on_terminal, write_output

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
    parser.add_argument(
        "--snapshot", metavar="FILE", default=default, help="a pipedoctor snapshot (- for stdin)"
    )
    parser.add_argument(
        "--authorization-details",
        metavar="FILE",
        default=default,
        help="output of `aws iam get-account-authorization-details` (the whole account); - for stdin",
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
        "--output", "-o", metavar="FILE", default=default,
        help="write here, not to stdout (svg and png need it unless stdout is redirected)",
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
    who.add_argument("action", metavar="ACTION", help="an IAM action, e.g. ecr:PutImage")
    who.add_argument("resource", metavar="RESOURCE_ARN", help="the resource's ARN, or *")
    what = queries.add_parser("what-can", help="what PRINCIPAL can do")
    what.add_argument("principal", metavar="PRINCIPAL", help="an ARN or a role, user or pipeline name")
    what.add_argument("--service", metavar="S", help="only this service prefix (e.g. ecr)")
    path = queries.add_parser(
        "path", help="shortest chains from FROM to TO, each hop with its reason"
    )
    path.add_argument("source", metavar="FROM", help="where the chain starts (ARN or name)")
    path.add_argument("target", metavar="TO", help="where it ends (ARN or name)")
    escalations = queries.add_parser(
        "escalations",
        help="published escalation techniques, proven step by step, from the principals a "
        "pipeline reaches (else all); administrators listed once",
    )
    escalations.add_argument("--from", dest="start", metavar="PRINCIPAL", help="start here instead")
    unused = queries.add_parser("unused", help="what a role is granted but neither uses nor needs")
    unused.add_argument("--role", required=True, metavar="NAME|ARN", help="the role to look at")
    for query in (who, what, path, escalations, unused):
        _add_inputs(query, on_query=True)
    parser.set_defaults(func=run)


def _emit(args: argparse.Namespace, payload: str | bytes) -> None:
    write_output(getattr(args, "output", None), payload)


def _emit_graph(args: argparse.Namespace, graph: nx.MultiDiGraph, fmt: str) -> None:
    from pipedoctor.graph.export import EXPORTERS, to_dot

    if fmt in ("svg", "png"):
        from pipedoctor.graph.render import render

        if fmt == "png":
            refuse_binary_on_terminal(getattr(args, "output", None))
        _emit(args, render(to_dot(graph), fmt, graph.number_of_nodes()))
    else:
        _emit(args, EXPORTERS[fmt](graph))


def _json(data: Any) -> str:
    import json

    return json.dumps(data, indent=1) + "\n"


def run(args: argparse.Namespace) -> int:
    from pipedoctor.app.graph import load_graph, summary_text

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
            _emit(args, summary_text(graph))
        else:
            _emit_graph(args, graph, fmt)
        return 0
    return QUERIES[query](pg, args, fmt)


def _who_can(pg: PermissionGraph, args: argparse.Namespace, fmt: str) -> int:
    from pipedoctor.app.graph import require_arn, who_can_text
    from pipedoctor.graph.queries import who_can
    from pipedoctor.graph.views import who_can_view

    require_arn(args.resource, "RESOURCE_ARN")
    started = time.perf_counter()
    found = who_can(pg, args.action, args.resource)
    print(f"who-can: {(time.perf_counter() - started) * 1000:.1f} ms", file=sys.stderr)
    if fmt == "json":
        _emit(args, _json([access.to_dict() for access in found]))
    elif fmt == "text":
        _emit(args, who_can_text(found, args.action, args.resource))
    else:
        _emit_graph(args, who_can_view(pg, found, args.resource), fmt)
    return 0


def _what_can(pg: PermissionGraph, args: argparse.Namespace, fmt: str) -> int:
    from pipedoctor.app.graph import resolve_name, what_can_text
    from pipedoctor.graph.queries import what_can
    from pipedoctor.graph.views import what_can_view

    principal = resolve_name(pg, args.principal)
    found = what_can(pg, principal, args.service)
    if fmt == "json":
        _emit(args, _json([reach.to_dict() for reach in found]))
    elif fmt == "text":
        _emit(args, what_can_text(pg, principal, found))
    else:
        _emit_graph(args, what_can_view(pg, principal, found), fmt)
    return 0


def _path(pg: PermissionGraph, args: argparse.Namespace, fmt: str) -> int:
    from pipedoctor.app.graph import path_text, resolve_name
    from pipedoctor.graph.queries import paths
    from pipedoctor.graph.views import path_view

    resolve_name(pg, args.source, "node")
    resolve_name(pg, args.target, "node")
    found = paths(pg, args.source, args.target)
    if fmt == "json":
        _emit(
            args,
            _json([[{"node": node, "reason": reason} for node, reason in path] for path in found]),
        )
    elif fmt == "text":
        _emit(args, path_text(found, args.source, args.target))
    else:
        _emit_graph(args, path_view(pg, found), fmt)
    return 0


def _escalations(pg: PermissionGraph, args: argparse.Namespace, fmt: str) -> int:
    from pipedoctor.app.graph import escalations_text, resolve_name
    from pipedoctor.graph.escalation import escalation_report
    from pipedoctor.graph.views import escalation_view

    start = resolve_name(pg, args.start) if args.start else None
    report = escalation_report(pg, start)
    if fmt == "json":
        _emit(args, _json(report.to_dict()))
    elif fmt == "text":
        _emit(args, escalations_text(report))
    else:
        _emit_graph(args, escalation_view(pg, report.escalations), fmt)
    return 1 if report.escalations else 0


def _unused(pg: PermissionGraph, args: argparse.Namespace, fmt: str) -> int:
    from pipedoctor.app.graph import resolve_name, unused_text
    from pipedoctor.graph.queries import unused
    from pipedoctor.graph.views import unused_view

    role = resolve_name(pg, args.role, "role")
    found = unused(pg, role)
    if fmt == "json":
        _emit(args, _json([item.to_dict() for item in found]))
    elif fmt == "text":
        _emit(args, unused_text(role, found))
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
