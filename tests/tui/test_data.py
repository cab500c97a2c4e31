"""The pure parts behind the screens: rows, ages, lookups, jumps, the role neighbourhood."""

from __future__ import annotations

from pipedoctor.tui.app import analyse
from pipedoctor.tui.data import SnapshotView, age, matched_line_numbers
from pipedoctor.tui.jump import Target, resolve
from pipedoctor.tui.neighbourhood import neighbourhood
from tests.tui.conftest import BUILD_ROLE, FIXED_NOW, demo_snapshot


def test_age_in_the_largest_whole_unit() -> None:
    assert age("2026-11-27T14:59:30Z", FIXED_NOW) == "30s"
    assert age("2026-11-27T14:02:11Z", FIXED_NOW) == "57m"
    assert age("2026-11-25T09:40:58Z", FIXED_NOW) == "2d"
    assert age("not a time", FIXED_NOW) == "-"
    assert age("", FIXED_NOW) == "-"


def test_pipeline_rows_count_findings_and_name_the_failing_stage() -> None:
    snapshot = demo_snapshot()
    view = SnapshotView(snapshot, analyse(snapshot))
    [row] = view.pipeline_rows()
    assert (row.name, row.status, row.failing_stage, row.findings) == (
        "deploy-myapp",
        "Failed",
        "Build",
        7,  # what `check` counts (8 on the demo) but the Dockerfile's, which no pipeline uses
    )


def test_each_diagnosis_finds_its_build_and_matched_log_line() -> None:
    snapshot = demo_snapshot()
    view = SnapshotView(snapshot, analyse(snapshot))
    lines = {}
    for finding in view.findings:
        build = view.build_of(finding)
        if build is not None:
            lines[finding.rule] = matched_line_numbers(build, finding)
    assert lines["codebuild-role-missing-use-connection"] == [3]
    assert lines["dockerhub-pull-rate-limit"] == [6]


def test_jump_resolves_views_names_ids_and_arns() -> None:
    view = SnapshotView(demo_snapshot())
    assert resolve(view, "findings") == Target("findings", "")
    assert resolve(view, "deploy-myapp") == Target("pipeline", "deploy-myapp")
    assert resolve(view, "role codebuild-build-myapp-service-role") == Target("role", BUILD_ROLE)
    assert resolve(view, BUILD_ROLE) == Target("role", BUILD_ROLE)
    assert resolve(view, "0a1b2c3d") == Target(
        "execution", "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", "deploy-myapp"
    )
    assert resolve(view, "0a1b") is None  # too short a prefix to be sure
    assert resolve(view, "role nobody") is None


def test_neighbourhood_of_the_build_role() -> None:
    snapshot = demo_snapshot()
    found = neighbourhood(snapshot, snapshot.role(BUILD_ROLE))
    assert "service role of CodeBuild project build-myapp" in found.reached_by
    pushes = {
        reach.resource.rsplit("/", 1)[-1]
        for reach in found.reaches
        if "ecr:PutImage" in reach.actions
    }
    assert pushes == {"myapp", "billing-api", "legacy-worker", "data-exporter"}
    assert found.escalations == []


def test_neighbourhood_finds_pass_role_escalation_only_to_roles_that_trust_the_launcher() -> None:
    snapshot = demo_snapshot()
    pipeline_role = next(role for role in snapshot.roles if role.arn != BUILD_ROLE)
    # Its own PassRole is limited to ecs-tasks.amazonaws.com: no CodeBuild pass yet.
    pipeline_role.inline_policies["more"] = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": ["codebuild:UpdateProject", "lambda:CreateFunction"],
                "Resource": "*",
            }
        ],
    }
    found = neighbourhood(snapshot, pipeline_role)
    assert not [p for p in found.escalations if "PassRole" in p]
    assert [p for p in found.escalations if p.startswith("codebuild-start-build")]

    pipeline_role.inline_policies["more"]["Statement"][0]["Action"].append("iam:PassRole")
    found = neighbourhood(snapshot, pipeline_role)
    [path] = [p for p in found.escalations if "PassRole" in p]
    assert "codebuild:UpdateProject" in path and "lambda" not in path and path.endswith(
        f"-> {BUILD_ROLE}; possible if a CodeBuild project exists to switch"
    )


def test_neighbourhood_is_the_graph_answer() -> None:
    """The role's reaches are `graph what-can`'s targets, its callers the graph's edges into it."""
    from pipedoctor.graph.build import build_graph
    from pipedoctor.graph.queries import what_can

    snapshot = demo_snapshot()
    pg = build_graph(snapshot)
    role = snapshot.role(BUILD_ROLE)
    found = neighbourhood(snapshot, role, pg)
    assert [(r.resource, r.actions) for r in found.reaches] == [
        (reach.target, reach.actions) for reach in what_can(pg, BUILD_ROLE)
    ]
    assert "trusted codebuild.amazonaws.com" in found.reached_by
