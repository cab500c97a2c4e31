"""Escalation search on hand-built accounts: known paths are found, known non-paths are not."""

from __future__ import annotations

import pytest

from pipedoctor.graph.authz_details import inventory_from_authorization_details
from pipedoctor.graph.build import build_graph
from pipedoctor.graph.escalation import escalation_report, find_escalations
from tests.graph.accounts import ADMIN, CODEBUILD, account, allow, managed, role, role_arn, trust

CI = role_arn("ci")
ADMIN_ROLE = role_arn("admin")
BUILD = ["codebuild:CreateProject", "codebuild:StartBuild"]


def escalations(data: dict, start: str | None = CI) -> list:
    graph = build_graph(authorization=inventory_from_authorization_details(data))
    return find_escalations(graph, start)


def techniques(found: list) -> set[tuple[str, str]]:
    return {(escalation.gains, escalation.technique) for escalation in found}


def test_pass_role_to_codebuild_and_create_project_is_a_path() -> None:
    data = account(
        role("ci", trust(services=CODEBUILD), allow("iam:PassRole", ADMIN_ROLE), allow(BUILD)),
        role("admin", trust(services=CODEBUILD), ADMIN),
    )
    found = escalations(data)
    assert (ADMIN_ROLE, "codebuild-create-project") in techniques(found)
    create = next(e for e in found if e.technique == "codebuild-create-project")
    assert [step.action for step in create.steps] == [
        "iam:PassRole",
        "codebuild:CreateProject",
        "codebuild:StartBuild",
    ]
    assert create.steps[0].statements[0]["policy"] == f"{CI}#inline/ci-inline"
    assert create.gained > 100


def test_pass_role_limited_to_another_service_is_not_a_codebuild_path() -> None:
    only_lambda = {"StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}}
    data = account(
        role(
            "ci",
            trust(services=CODEBUILD),
            allow("iam:PassRole", ADMIN_ROLE, only_lambda),
            allow(BUILD),
        ),
        role("admin", trust(services=("codebuild.amazonaws.com", "lambda.amazonaws.com")), ADMIN),
    )
    assert (
        escalations(data) == []
    )  # lambda:CreateFunction is not granted, codebuild may not get the role


def test_pass_role_of_a_role_the_service_cannot_assume_is_not_a_path() -> None:
    data = account(
        role("ci", trust(services=CODEBUILD), allow("iam:PassRole", ADMIN_ROLE), allow(BUILD)),
        role("admin", trust(services=("ec2.amazonaws.com",)), ADMIN),
    )
    assert escalations(data) == []


@pytest.mark.parametrize("blocker", ["deny", "boundary"])
def test_denied_pass_role_is_not_a_path(blocker: str) -> None:
    statements = [allow("iam:PassRole", "*"), allow(BUILD)]
    boundary = None
    policies = []
    if blocker == "deny":
        statements.append(allow("iam:PassRole", ADMIN_ROLE, effect="Deny"))
    else:
        policies.append(managed("no-iam", allow(["codebuild:*", "logs:*"])))
        boundary = policies[0]["Arn"]
    data = account(
        role("ci", trust(services=CODEBUILD), *statements, boundary=boundary),
        role("admin", trust(services=CODEBUILD), ADMIN),
        policies=policies,
    )
    assert ADMIN_ROLE not in {escalation.gains for escalation in escalations(data)}


def test_a_less_privileged_role_is_not_an_escalation() -> None:
    data = account(
        role(
            "ci", trust(services=CODEBUILD), allow("iam:PassRole", "*"), allow(BUILD), allow("s3:*")
        ),
        role("reader", trust(services=CODEBUILD), allow("s3:GetObject")),
    )
    assert escalations(data) == []


def test_assume_chain_then_ecs_task_role() -> None:
    data = account(
        role("ci", trust(services=CODEBUILD), allow("sts:AssumeRole", role_arn("deployer"))),
        role(
            "deployer",
            trust(aws=(CI,)),
            allow("iam:PassRole", ADMIN_ROLE),
            allow(["ecs:RegisterTaskDefinition", "ecs:RunTask"]),
        ),
        role("admin", trust(services=("ecs-tasks.amazonaws.com",)), ADMIN),
    )
    found = escalations(data)
    assert (role_arn("deployer"), "assume-role") in techniques(found)
    ecs = next(e for e in found if e.technique == "ecs-run-task")
    assert ecs.gains == ADMIN_ROLE
    assert ecs.chain == [CI, role_arn("deployer")]


def test_trust_without_identity_grant_is_not_assumable_from_the_same_account() -> None:
    data = account(
        role("ci", trust(services=CODEBUILD), allow("s3:GetObject")),
        role("admin", trust(aws=("arn:aws:iam::111122223333:root",)), ADMIN),
    )
    assert escalations(data) == []


def test_conditional_trust_is_marked() -> None:
    external_id = {"StringEquals": {"sts:ExternalId": "s3cret"}}
    data = account(
        role("ci", trust(services=CODEBUILD), allow("sts:AssumeRole", ADMIN_ROLE)),
        role("admin", trust(aws=(CI,), condition=external_id), ADMIN),
    )
    graph = build_graph(authorization=inventory_from_authorization_details(data))
    edge = graph.graph.get_edge_data(CI, ADMIN_ROLE, key="assumes")
    assert edge["conditional"] is True
    assert edge["statements"][0]["conditions"] == [
        {"operator": "StringEquals", "key": "sts:ExternalId", "values": ["s3cret"]}
    ]
    assert [e.summary for e in find_escalations(graph, CI)] == [
        "assume the role (if the trust policy's conditions hold)"
    ]


def test_without_pipelines_every_principal_is_a_start() -> None:
    data = account(
        role("ci", trust(services=CODEBUILD), allow("iam:PassRole", ADMIN_ROLE), allow(BUILD)),
        role("admin", trust(services=CODEBUILD), ADMIN),
    )
    assert {escalation.principal for escalation in escalations(data, start=None)} == {CI}


def test_create_access_key_on_star_takes_over_every_administrator_user() -> None:
    def admin_user(name: str) -> dict:
        return {
            "UserName": name,
            "Arn": f"arn:aws:iam::111122223333:user/{name}",
            "UserPolicyList": [{"PolicyName": "all", "PolicyDocument": {"Statement": [ADMIN]}}],
            "GroupList": [],
            "AttachedManagedPolicies": [],
        }

    data = account(role("ci", trust(services=CODEBUILD), allow("iam:CreateAccessKey")))
    data["UserDetailList"] = [admin_user("alice"), admin_user("bob")]
    report = escalation_report(
        build_graph(authorization=inventory_from_authorization_details(data))
    )
    assert {(e.principal, e.gains, e.technique) for e in report.escalations} == {
        (CI, "arn:aws:iam::111122223333:user/alice", "iam-create-access-key"),
        (CI, "arn:aws:iam::111122223333:user/bob", "iam-create-access-key"),
    }
    assert all(
        e.possible_if == "the user has fewer than two access keys" for e in report.escalations
    )
    assert report.administrators == [
        "arn:aws:iam::111122223333:user/alice",
        "arn:aws:iam::111122223333:user/bob",
    ]
