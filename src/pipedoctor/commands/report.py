"""`pipedoctor report --html FILE`: diagnoses, least-privilege diffs and the permission graph in
one self-contained page."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from pipedoctor.errors import UserError

if TYPE_CHECKING:
    import networkx as nx

    from pipedoctor.model import Snapshot
    from pipedoctor.report.html import RoleDiff

DESCRIPTION = """Write one HTML page that opens without network access (inline CSS and SVG): the
diagnoses of the snapshot's failures and posture, the least-privilege policy generated for each
CodeBuild service role with what it drops, and a picture of the permission graph (drawn with
Graphviz's `dot` when installed; otherwise the page says how to get it)."""

# Structure a reader of the picture does not need: policy documents and group membership.
HIDDEN_RELATIONS = frozenset({"attached", "member_of"})
HIDDEN_KINDS = frozenset({"policy", "group", "service"})


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "report", help="write a self-contained HTML report", description=DESCRIPTION
    )
    parser.add_argument("--html", required=True, metavar="FILE", help="the page to write")
    parser.add_argument("--snapshot", metavar="FILE", help="snapshot to report on")
    parser.add_argument(
        "--pipeline", action="append", metavar="NAME", help="collect this pipeline live instead"
    )
    parser.add_argument("--region", action="append", metavar="R", help="AWS region for --pipeline")
    parser.add_argument("--profile", metavar="P", help="AWS profile for --pipeline")
    parser.set_defaults(func=run)


def _snapshot(args: argparse.Namespace) -> Snapshot:
    from pipedoctor.model import load

    if bool(args.snapshot) == bool(args.pipeline):
        raise UserError("give --snapshot FILE or --pipeline NAME (one of them)")
    if args.snapshot:
        return load(args.snapshot)
    from pipedoctor.collect import CollectOptions
    from pipedoctor.commands.collect import collect_snapshot

    snapshot, _ = collect_snapshot(
        CollectOptions(regions=args.region or [], pipelines=args.pipeline), args.profile
    )
    return snapshot


def role_diffs(snapshot: Snapshot) -> list[RoleDiff]:
    from pipedoctor.leastpriv.generate import generate_policy
    from pipedoctor.report.html import RoleDiff

    diffs = []
    for arn in sorted(
        {project.service_role for project in snapshot.projects if project.service_role}
    ):
        role = snapshot.role(arn)
        if role is None:
            continue
        generated = generate_policy(snapshot, role)
        diff = generated.diff
        diffs.append(
            RoleDiff(
                arn,
                diff.summary(),
                sorted(diff.dropped),
                sorted(diff.added),
                generated.document,
                generated.proof.holds,
            )
        )
    return diffs


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


def run(args: argparse.Namespace) -> int:
    from pipedoctor.analysis import analyse_snapshot
    from pipedoctor.diagnose import load_rules
    from pipedoctor.model.snapshot import write_atomically
    from pipedoctor.report.html import render_html

    snapshot = _snapshot(args)
    sections = analyse_snapshot(snapshot, load_rules())
    svg, note = graph_picture(snapshot)
    if svg is None:
        print(f"pipedoctor: warning: no graph picture: {note}", file=sys.stderr)
    page = render_html(snapshot, sections, role_diffs(snapshot), svg, note)
    try:
        write_atomically(args.html, page)
    except OSError as error:
        raise UserError(f"cannot write {args.html}: {error.strerror}") from None
    print(f"wrote {args.html}", file=sys.stderr)
    return 0
