"""Exports are stable and readable back; pictures need Graphviz and say so when it is missing."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import networkx as nx
import pytest

from pipedoctor.commands.demo import demo_snapshot_text
from pipedoctor.graph.build import build_graph
from pipedoctor.graph.export import to_dot, to_graphml, to_json, to_mermaid
from pipedoctor.model import loads

ROLE = "arn:aws:iam::123456789012:role/service-role/codebuild-build-myapp-service-role"


@pytest.fixture
def graph() -> nx.MultiDiGraph:
    return build_graph(loads(demo_snapshot_text())).graph


def test_exports_are_byte_stable(graph: nx.MultiDiGraph) -> None:
    again = build_graph(loads(demo_snapshot_text())).graph
    for export in (to_json, to_graphml, to_dot, to_mermaid):
        assert export(graph) == export(again)


def test_graphml_and_node_link_read_back(graph: nx.MultiDiGraph, tmp_path: Path) -> None:
    path = tmp_path / "g.graphml"
    path.write_text(to_graphml(graph))
    back = nx.read_graphml(path, force_multigraph=True)
    assert set(back.nodes) == set(graph.nodes)
    assert back.number_of_edges() == graph.number_of_edges()
    can = next(
        data for _, target, data in back.out_edges(ROLE, data=True) if data.get("relation") == "can"
    )
    assert isinstance(json.loads(can["actions"]), list)

    data = json.loads(to_json(graph))
    assert data["multigraph"] is True
    assert ROLE in {node["id"] for node in data["nodes"]}
    assert {"source", "target", "key", "relation"} <= set(data["edges"][0])


def test_mermaid_ids_are_unique_and_labels_escaped(graph: nx.MultiDiGraph) -> None:
    text = to_mermaid(graph)
    lines = text.splitlines()
    assert lines[0] == "flowchart LR"
    declared = [
        line.split("[", 1)[0].strip() for line in lines[1:] if '["' in line and "--" not in line
    ]
    assert len(declared) == len(set(declared)) == graph.number_of_nodes()


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed")
def test_dot_is_valid_graphviz_and_renders_svg(
    graph: nx.MultiDiGraph, tmp_path: Path, run_cli
) -> None:
    result = subprocess.run(
        ["dot", "-Tsvg"], input=to_dot(graph), capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    snapshot = tmp_path / "demo.json"
    snapshot.write_text(demo_snapshot_text())
    svg = tmp_path / "who.svg"
    code, _, _ = run_cli(
        "graph",
        "who-can",
        "ecr:PutImage",
        "arn:aws:ecr:eu-west-2:123456789012:repository/myapp",
        "--snapshot",
        str(snapshot),
        "--format",
        "svg",
        "-o",
        str(svg),
    )
    assert code == 0
    text = svg.read_text()
    assert "<svg" in text
    assert "codebuild&#45;build&#45;myapp&#45;service&#45;role" in text  # Graphviz escapes hyphens
    png = tmp_path / "g.png"
    assert run_cli("graph", "--snapshot", str(snapshot), "--format", "png", "-o", str(png))[0] == 0
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_missing_graphviz_is_one_line_with_the_install_hint(
    tmp_path: Path, run_cli, monkeypatch
) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    snapshot = tmp_path / "demo.json"
    snapshot.write_text(demo_snapshot_text())
    code, out, err = run_cli("graph", "--snapshot", str(snapshot), "--format", "svg")
    assert code == 2 and out == ""
    last = err.strip().splitlines()[-1]
    assert "apt-get install graphviz" in last and last.startswith("pipedoctor: error:")


def test_options_before_or_after_the_query(tmp_path: Path, run_cli) -> None:
    snapshot = tmp_path / "demo.json"
    snapshot.write_text(demo_snapshot_text())
    before = run_cli("graph", "--snapshot", str(snapshot), "--format", "dot", "what-can", ROLE)
    after = run_cli("graph", "what-can", ROLE, "--snapshot", str(snapshot), "--format", "dot")
    assert before[0] == after[0] == 0
    assert before[1] == after[1] and before[1].startswith("digraph")
    assert run_cli("graph")[0] == 2
