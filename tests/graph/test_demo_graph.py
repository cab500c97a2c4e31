"""The demo snapshot: the CodeBuild role can push to every repository until the generated
least-privilege policy replaces its attached policies."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipedoctor.commands.demo import demo_snapshot_text
from pipedoctor.graph.build import build_graph
from pipedoctor.graph.queries import paths, unused, what_can, who_can
from pipedoctor.leastpriv.generate import generate_policy
from pipedoctor.model import ManagedPolicy, Snapshot, loads

ROLE = "arn:aws:iam::123456789012:role/service-role/codebuild-build-myapp-service-role"
PIPELINE = "arn:aws:codepipeline:eu-west-2:123456789012:deploy-myapp"
REPOSITORY = "arn:aws:ecr:eu-west-2:123456789012:repository/{}"
NAMES = ["myapp", "billing-api", "legacy-worker", "data-exporter"]


@pytest.fixture
def demo() -> Snapshot:
    return loads(demo_snapshot_text())


def _pushers(snapshot: Snapshot, name: str) -> set[str]:
    graph = build_graph(snapshot)
    return {access.principal for access in who_can(graph, "ecr:PutImage", REPOSITORY.format(name))}


def test_codebuild_role_can_push_to_every_repository(demo: Snapshot) -> None:
    graph = build_graph(demo)
    for name in NAMES:
        found = who_can(graph, "ecr:PutImage", REPOSITORY.format(name))
        assert [access.principal for access in found] == [ROLE]
        policies = {statement["policy"] for statement in found[0].statements}
        assert policies == {"arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryFullAccess"}
    myapp = who_can(graph, "ecr:PutImage", REPOSITORY.format("myapp"))[0]
    billing = who_can(graph, "ecr:PutImage", REPOSITORY.format("billing-api"))[0]
    assert (myapp.status, billing.status) == ("required", "granted")


def test_after_the_generated_policy_only_myapp(demo: Snapshot) -> None:
    role = demo.role(ROLE)
    generated = generate_policy(demo, role)
    role.attached_policies = [
        ManagedPolicy(
            "arn:aws:iam::123456789012:policy/least-privilege",
            "least-privilege",
            generated.document,
        )
    ]
    assert _pushers(demo, "myapp") == {ROLE}
    for name in NAMES[1:]:
        assert _pushers(demo, name) == set()


def test_structure_and_trust(demo: Snapshot) -> None:
    graph = build_graph(demo).graph
    project = "arn:aws:codebuild:eu-west-2:123456789012:project/build-myapp"
    assert graph.has_edge(project, ROLE, key="runs_as")
    assert graph.has_edge("codebuild.amazonaws.com", ROLE, key="assumes")
    assert graph.has_edge(f"{PIPELINE}/Build/Build", project, key="invokes")
    assert graph.nodes[ROLE]["kind"] == "role"
    attached = {target for _, target, key in graph.out_edges(ROLE, keys=True) if key == "attached"}
    assert "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryFullAccess" in attached


def test_path_from_pipeline_to_a_foreign_repository(demo: Snapshot) -> None:
    found = paths(build_graph(demo), "deploy-myapp", REPOSITORY.format("billing-api"))
    assert found
    hops = [node for node, _ in found[0]]
    assert hops[0] == PIPELINE and hops[-1] == REPOSITORY.format("billing-api")
    assert ROLE in hops
    reasons = dict(found[0])
    assert reasons[ROLE] == "runs as"
    assert "ecr:" in reasons[REPOSITORY.format("billing-api")]
    assert "AmazonEC2ContainerRegistryFullAccess" in reasons[REPOSITORY.format("billing-api")]


def test_unused_and_what_can(demo: Snapshot) -> None:
    graph = build_graph(demo)
    idle = {item.target: item for item in unused(graph, "codebuild-build-myapp-service-role")}
    assert "ecr:PutImage" in idle[REPOSITORY.format("billing-api")].unused
    assert "ecr:PutImage" not in idle[REPOSITORY.format("myapp")].unused
    assert "ecr:PutImage" in idle[REPOSITORY.format("myapp")].used
    reaches = what_can(graph, ROLE, service="logs")
    assert [reach.target for reach in reaches] == [
        "arn:aws:logs:eu-west-2:123456789012:log-group:/aws/codebuild/build-myapp"
    ]
    assert reaches[0].required == reaches[0].actions


def test_cli_queries(tmp_path: Path, run_cli) -> None:
    snapshot = tmp_path / "demo.json"
    snapshot.write_text(demo_snapshot_text())
    code, out, _ = run_cli(
        "graph",
        "--snapshot",
        str(snapshot),
        "who-can",
        "ecr:PutImage",
        REPOSITORY.format("data-exporter"),
    )
    assert code == 0 and ROLE in out
    code, out, _ = run_cli(
        "graph",
        "who-can",
        "ecr:PutImage",
        REPOSITORY.format("myapp"),
        "--snapshot",
        str(snapshot),
        "--format",
        "json",
    )
    assert json.loads(out)[0]["status"] == "required"
    code, out, _ = run_cli("graph", "escalations", "--snapshot", str(snapshot), "--format", "json")
    assert code == 1
    report = json.loads(out)
    assert {e["technique"] for e in report["escalations"]} == {"codebuild-start-build"}
    assert report["administrators"] == []
    code, out, _ = run_cli(
        "graph",
        "unused",
        "--role",
        "codebuild-build-myapp-service-role",
        "--snapshot",
        str(snapshot),
    )
    assert code == 0 and "ecr:DeleteRepository" in out
    code, out, err = run_cli(
        "graph", "who-can", "ecr:NoSuchThing", "*", "--snapshot", str(snapshot)
    )
    assert code == 2 and "unknown IAM action" in err
