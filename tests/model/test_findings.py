"""Findings carry their structure: where, what matched and from where, who and what is involved."""

from __future__ import annotations

import json

from pipedoctor.analysis import analyse_snapshot
from pipedoctor.diagnose.rules import load_rules
from pipedoctor.model import Finding, Snapshot
from pipedoctor.model.findings import Location, MatchedText
from pipedoctor.report.github import render_github
from pipedoctor.report.json_report import render_json
from pipedoctor.tui.data import SnapshotView
from tests.tui.conftest import BUILD_ROLE, demo_snapshot


def _finding(message: str = "message", **fields: object) -> Finding:
    return Finding("rule", "cause", "title", "high", 0.9, message, **fields)  # type: ignore[arg-type]


def test_a_location_given_as_text_becomes_its_parts_once() -> None:
    assert _finding(location="infra/app.yaml:12").where == Location.in_file("infra/app.yaml", 12)
    assert _finding(location="p / 0a1b / Build.Build").where == Location.of_run("p", "0a1b", "Build", "Build")
    assert _finding(location="build b:1").where == Location.of_build("b:1")
    arn = "arn:aws:codebuild:eu-west-2:123456789012:build/b:1"  # an ARN is not a path:line
    assert _finding(location=arn).where == Location.of_resource(arn)
    assert _finding(location="role deploy").where == Location(label="role deploy")
    assert _finding().where == Location()


def test_the_text_form_is_read_and_written_through_the_fields() -> None:
    finding = _finding(where=Location.in_file("buildspec.yml", 7, 3, arn="arn:aws:codebuild:r:1:project/p"))
    assert finding.location == "buildspec.yml:7"
    finding.location = "arn:aws:iam::123456789012:role/ci"
    assert finding.where.arn == "arn:aws:iam::123456789012:role/ci" and not finding.where.in_repository
    assert finding.key == "rule|arn:aws:iam::123456789012:role/ci"


def _demo_findings() -> tuple[Snapshot, list[Finding]]:
    snapshot = demo_snapshot()
    sections = analyse_snapshot(snapshot, load_rules())
    return snapshot, [finding for section in sections for finding in section.findings]


def test_diagnoses_carry_the_run_the_matched_text_and_the_role() -> None:
    _, findings = _demo_findings()
    [connection] = [f for f in findings if f.rule == "codebuild-role-missing-use-connection"]
    assert connection.where.pipeline == "deploy-myapp" and connection.where.action == "Build.Build"
    assert connection.matched == [
        MatchedText(
            "codebuild-phase",
            "DOWNLOAD_SOURCE: CLIENT_ERROR: authorization failed for primary source and source version 9c41e7a",
        )
    ]
    assert BUILD_ROLE in connection.principals
    [pull] = [f for f in findings if f.rule == "dockerhub-pull-rate-limit"]
    assert [m.source for m in pull.matched] == ["codebuild-log"]
    assert pull.matched[0].text.startswith("[Container]") and "toomanyrequests" in pull.matched[0].text


def test_posture_findings_name_their_role_and_file_position() -> None:
    _, findings = _demo_findings()
    wildcards = [f for f in findings if f.rule == "ci-role-service-wildcard-policy"]
    assert [BUILD_ROLE] in [f.principals for f in wildcards]
    assert all(len(f.principals) == 1 and f.principals[0] in f.resource for f in wildcards)
    [dockerfile] = [f for f in findings if f.rule == "dockerfile-docker-hub-base-image"]
    assert (dockerfile.where.path, dockerfile.where.line) == ("myapp.dockerfile", 1)


def test_the_tui_finds_roles_and_builds_from_the_fields() -> None:
    snapshot, findings = _demo_findings()
    view = SnapshotView(snapshot, findings)
    [connection] = [f for f in findings if f.rule == "codebuild-role-missing-use-connection"]
    assert [role.arn for role in view.roles_in(connection)] == [BUILD_ROLE]
    # The role's ARN in the text alone does not make it involved.
    bystander = _finding(message=f"see {BUILD_ROLE}")
    assert view.roles_in(bystander) == []
    build = view.build_of(connection)
    assert build is not None and build.id.startswith("build-myapp:e81f3c52")


def test_json_reports_the_structure_and_github_annotations_the_position() -> None:
    finding = _finding(
        where=Location.in_file("Dockerfile", 2, 6),
        matched=[MatchedText("codebuild-log", "toomanyrequests")],
        principals=[BUILD_ROLE],
    )
    [diagnosis] = json.loads(render_json([finding], []))["diagnoses"]
    assert diagnosis["location"] == "Dockerfile:2"
    assert diagnosis["where"] == {"path": "Dockerfile", "line": 2, "column": 6}
    assert diagnosis["matched"] == [{"source": "codebuild-log", "text": "toomanyrequests"}]
    assert diagnosis["principals"] == [BUILD_ROLE]
    assert render_github([finding]).startswith("::error file=Dockerfile,line=2,col=6,title=")
    # An ARN location is not a file: the annotation has no file property.
    aws_only = _finding(where=Location.of_resource(BUILD_ROLE))
    assert "file=" not in render_github([aws_only])


def test_sarif_results_are_the_findings_a_file_holds_the_rest_notifications() -> None:
    from pipedoctor.report.sarif import render_sarif

    role = "arn:aws:iam::123456789012:role/ci"
    in_file = _finding(where=Location.in_file("infra/ci.yaml", 14, 5, arn=role), resource=role)
    aws_only = _finding(where=Location.of_resource(role), resource=role)
    run = json.loads(render_sarif([in_file, aws_only]))["runs"][0]
    [result] = run["results"]
    [location] = result["locations"]
    assert location["physicalLocation"] == {
        "artifactLocation": {"uri": "infra/ci.yaml"},
        "region": {"startLine": 14, "startColumn": 5},
    }
    assert location["logicalLocations"] == [{"fullyQualifiedName": role, "kind": "resource"}]
    [note] = run["invocations"][0]["toolExecutionNotifications"]
    assert note["associatedRule"] == {"id": "rule", "index": 0}
    assert note["message"]["text"] == f"{role}: message"
    assert "physicalLocation" not in note["locations"][0]
