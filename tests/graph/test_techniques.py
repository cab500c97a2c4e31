"""Every technique of techniques.yaml, proven on a minimal account that has it, and not found
when a Deny, a condition or the missing target blocks it."""

from __future__ import annotations

import pytest

from pipedoctor.graph.authz_details import inventory_from_authorization_details
from pipedoctor.graph.build import build_graph
from pipedoctor.graph.escalation import Escalation, escalation_report, find_escalations
from pipedoctor.graph.techniques import load_techniques
from pipedoctor.iam import load_catalog
from tests.graph.technique_accounts import (
    BLOCKS,
    attacker_arn,
    gained,
    technique_account,
)

# Needs a snapshot's CodeBuild projects: tested in test_start_build (and test_demo_graph).
SNAPSHOT_ONLY = {"codebuild-start-build"}
TECHNIQUES = [t for t in load_techniques() if t.id not in SNAPSHOT_ONLY]


def found(data: dict, start: str) -> list[Escalation]:
    graph = build_graph(authorization=inventory_from_authorization_details(data))
    return find_escalations(graph, start)


def test_the_table_names_only_known_actions_and_covers_the_issue() -> None:
    catalog = load_catalog()
    techniques = load_techniques()
    for technique in techniques:
        for action in technique.actions:
            assert catalog.action_exists(action), (technique.id, action)
    services = {action.split(":")[0] for t in techniques for action in t.actions}
    assert {
        "iam",
        "ec2",
        "lambda",
        "glue",
        "datapipeline",
        "sagemaker",
        "codebuild",
        "codepipeline",
        "cloudformation",
        "ecs",
        "ssm",
        "apprunner",
    } <= services
    assert {t.id for t in techniques} >= {
        "iam-create-policy-version",
        "iam-set-default-policy-version",
        "iam-create-access-key",
        "iam-create-login-profile",
        "iam-update-login-profile",
        "iam-attach-user-policy",
        "iam-attach-group-policy",
        "iam-attach-role-policy",
        "iam-put-user-policy",
        "iam-put-group-policy",
        "iam-put-role-policy",
        "iam-add-user-to-group",
        "iam-update-assume-role-policy",
        "ec2-run-instances",
        "lambda-update-function-code",
        "glue-update-dev-endpoint",
        "assume-role",
    }


@pytest.mark.parametrize("technique", TECHNIQUES, ids=lambda t: t.id)
def test_technique_is_found_with_its_steps(technique) -> None:
    escalations = found(technique_account(technique), attacker_arn(technique))
    mine = [e for e in escalations if e.technique == technique.id]
    assert [e.gains for e in mine] == [gained(technique)], escalations
    [escalation] = mine
    assert escalation.gives == technique.gives
    proven = [step.action for step in escalation.steps]
    for step in technique.steps:
        assert step.actions[0] in proven
    if technique.target == "passed-roles":
        assert proven[0] == "iam:PassRole"
    for step in escalation.steps:
        assert any(s["effect"] == "Allow" for s in step.statements), step
    assert escalation.sources == technique.sources
    if technique.possible_if:
        assert technique.possible_if in escalation.possible_if


@pytest.mark.parametrize("block", BLOCKS)
@pytest.mark.parametrize("technique", TECHNIQUES, ids=lambda t: t.id)
def test_technique_is_blocked(technique, block: str) -> None:
    escalations = found(technique_account(technique, block), attacker_arn(technique))
    assert [e for e in escalations if e.technique == technique.id] == []


def _ec2_account(profiles: list | None) -> tuple[dict, str]:
    [technique] = [t for t in TECHNIQUES if t.id == "ec2-run-instances"]
    data = technique_account(technique)
    victim = next(r for r in data["RoleDetailList"] if r["RoleName"] == "victim")
    if profiles is None:
        del victim["InstanceProfileList"]
    else:
        victim["InstanceProfileList"] = profiles
    return data, attacker_arn(technique)


def test_a_role_in_no_instance_profile_cannot_be_used_on_ec2() -> None:
    data, attacker = _ec2_account([])
    assert not [e for e in found(data, attacker) if e.technique.startswith("ec2-")]


def test_unknown_instance_profiles_make_the_ec2_path_possible_only() -> None:
    data, attacker = _ec2_account(None)
    [escalation] = [e for e in found(data, attacker) if e.technique == "ec2-run-instances"]
    assert "instance profile" in escalation.possible_if


def test_one_policy_version_leaves_nothing_to_set_as_default() -> None:
    [technique] = [t for t in TECHNIQUES if t.id == "iam-set-default-policy-version"]
    data = technique_account(technique)
    holder = next(p for p in data["Policies"] if p["PolicyName"] == "attacker-managed")
    holder["PolicyVersionList"] = holder["PolicyVersionList"][:1]
    assert found(data, attacker_arn(technique)) == []


def test_an_administrator_is_reported_once_and_not_as_escalating() -> None:
    """The admin-noise case: a principal with everything gains nothing through any technique."""
    [technique] = [t for t in TECHNIQUES if t.id == "cloudformation-create-stack"]
    data = technique_account(technique)
    attacker = next(r for r in data["RoleDetailList"] if r["RoleName"] == "attacker")
    attacker["RolePolicyList"][0]["PolicyDocument"]["Statement"].append(
        {"Effect": "Allow", "Action": "*", "Resource": "*"}
    )
    graph = build_graph(authorization=inventory_from_authorization_details(data))
    report = escalation_report(graph, attacker_arn(technique))
    assert report.escalations == []
    assert report.administrators == [attacker_arn(technique)]
    everyone = escalation_report(graph)
    assert everyone.administrators.count(attacker_arn(technique)) == 1
    assert all(e.principal != attacker_arn(technique) for e in everyone.escalations)


def test_iam_star_is_not_an_administrator_but_escalates() -> None:
    [technique] = [t for t in TECHNIQUES if t.id == "iam-attach-role-policy"]
    data = technique_account(technique)
    attacker = next(r for r in data["RoleDetailList"] if r["RoleName"] == "attacker")
    attacker["RolePolicyList"][0]["PolicyDocument"]["Statement"] = [
        {"Effect": "Allow", "Action": "iam:*", "Resource": "*"}
    ]
    graph = build_graph(authorization=inventory_from_authorization_details(data))
    report = escalation_report(graph, attacker_arn(technique))
    assert report.administrators == []
    assert {"iam-attach-role-policy", "iam-put-role-policy"} <= {
        e.technique for e in report.escalations
    }


def test_an_administrator_with_a_conditional_grant_is_not_an_administrator() -> None:
    [technique] = [t for t in TECHNIQUES if t.id == "iam-attach-role-policy"]
    data = technique_account(technique)
    attacker = next(r for r in data["RoleDetailList"] if r["RoleName"] == "attacker")
    attacker["RolePolicyList"][0]["PolicyDocument"]["Statement"].append(
        {
            "Effect": "Allow",
            "Action": "*",
            "Resource": "*",
            "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
        }
    )
    graph = build_graph(authorization=inventory_from_authorization_details(data))
    report = escalation_report(graph, attacker_arn(technique))
    assert report.administrators == []
    assert "iam-attach-role-policy" in {e.technique for e in report.escalations}


def test_a_condition_the_input_cannot_judge_makes_the_path_possible() -> None:
    [technique] = [t for t in TECHNIQUES if t.id == "iam-put-role-policy"]
    data = technique_account(technique)
    attacker = next(r for r in data["RoleDetailList"] if r["RoleName"] == "attacker")
    [statement] = attacker["RolePolicyList"][0]["PolicyDocument"]["Statement"]
    statement["Condition"] = {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}
    [escalation] = found(data, attacker_arn(technique))
    assert escalation.possible_if == "the conditions on aws:SourceIp hold"
    assert escalation.steps[0].assumed == ["aws:SourceIp"]
    assert escalation.steps[0].statements[0]["conditions"][0]["key"] == "aws:SourceIp"


@pytest.mark.parametrize(
    ("operator", "escalates"), [("DateGreaterThan", True), ("DateLessThan", False)]
)
def test_time_conditions_are_judged_for_a_fresh_session(operator: str, escalates: bool) -> None:
    [technique] = [t for t in TECHNIQUES if t.id == "iam-put-role-policy"]
    data = technique_account(technique)
    attacker = next(r for r in data["RoleDetailList"] if r["RoleName"] == "attacker")
    [statement] = attacker["RolePolicyList"][0]["PolicyDocument"]["Statement"]
    statement["Condition"] = {operator: {"aws:TokenIssueTime": "2020-01-01T00:00:01Z"}}
    escalations = found(data, attacker_arn(technique))
    assert [(e.technique, e.possible_if) for e in escalations] == (
        [("iam-put-role-policy", "")] if escalates else []
    )


def test_a_service_linked_role_is_not_an_escalating_principal() -> None:
    [technique] = [t for t in TECHNIQUES if t.id == "ssm-send-command"]
    data = technique_account(technique)
    attacker = next(r for r in data["RoleDetailList"] if r["RoleName"] == "attacker")
    attacker["Arn"] = attacker["Arn"].replace("role/", "role/aws-service-role/ssm.amazonaws.com/")
    graph = build_graph(authorization=inventory_from_authorization_details(data))
    assert escalation_report(graph).escalations == []
