"""The public authorization dumps of the corpus, with each principal judged by reading its
policies (the README's comparison with cloudsplaining explains every disagreement).

The example account is built from Bishop Fox's IAM Vulnerable: `privescN-*` principals hold one
published technique each, `fnN-*` are exploitable variants that per-policy scanners miss, `fpN-*`
are look-alikes that cannot be exploited."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest

from pipedoctor.graph.authz_details import load_authorization_details
from pipedoctor.graph.build import build_graph
from pipedoctor.graph.escalation import EscalationReport, escalation_report
from pipedoctor.graph.queries import who_can

DUMPS = "api-responses/iam-get-account-authorization-details"
EXAMPLE = "cloudsplaining__examples_files_example.json"
SMALL = "cloudsplaining__test_files_example-authz-details.json"
V2 = "cloudsplaining__test_files_example_authz_v2.json"


def _report(corpus: Path, name: str) -> tuple[EscalationReport, object]:
    graph = build_graph(authorization=load_authorization_details(corpus / DUMPS / name))
    return escalation_report(graph), graph


def _by_principal(report: EscalationReport) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for escalation in report.escalations:
        name = escalation.principal.split(":", 5)[5]
        found.setdefault(name, set()).add(escalation.technique)
    return found


ESCALATING = {
    "user/privesc1-CreateNewPolicyVersion-user": "iam-create-policy-version",
    "role/privesc1-CreateNewPolicyVersion-role": "iam-create-policy-version",
    "user/privesc3-CreateEC2WithExistingInstanceProfile-user": "ec2-run-instances",
    "user/privesc4-CreateAccessKey-user": "iam-create-access-key",
    "role/privesc4-CreateAccessKey-role": "iam-create-access-key",
    "user/privesc5-CreateLoginProfile-user": "iam-create-login-profile",
    "user/privesc6-UpdateLoginProfile-user": "iam-update-login-profile",
    "user/privesc7-AttachUserPolicy-user": "iam-attach-user-policy",
    "user/privesc8-AttachGroupPolicy-user": "iam-attach-group-policy",
    "role/privesc9-AttachRolePolicy-role": "iam-attach-role-policy",
    "user/privesc10-PutUserPolicy-user": "iam-put-user-policy",
    "user/privesc11-PutGroupPolicy-user": "iam-put-group-policy",
    "role/privesc12-PutRolePolicy-role": "iam-put-role-policy",
    "user/privesc13-AddUserToGroup-user": "iam-add-user-to-group",
    "user/privesc14-UpdatingAssumeRolePolicy-user": "iam-update-assume-role-policy",
    "user/privesc15-PassExistingRoleToNewLambdaThenInvoke-user": "lambda-create-function",
    "user/privesc16-PassRoleToNewLambdaThenTriggerWithNewDynamo-user": (
        "lambda-create-event-source-mapping"
    ),
    "user/privesc17-EditExistingLambdaFunctionWithRole-user": "lambda-update-function-code",
    "user/privesc18-PassExistingRoleToNewGlueDevEndpoint-user": "glue-create-dev-endpoint",
    "user/privesc19-UpdateExistingGlueDevEndpoint-user": "glue-update-dev-endpoint",
    "user/privesc20-PassExistingRoleToCloudFormation-user": "cloudformation-create-stack",
    "user/privesc21-PassExistingRoleToNewDataPipeline-user": "datapipeline-create-pipeline",
    "user/privesc-sageMakerCreateNotebookPassRole-user": "sagemaker-create-notebook",
    "user/privesc-sageMakerCreateTrainingJobPassRole-user": "sagemaker-create-training-job",
    "user/privesc-sageMakerCreateProcessingJobPassRole-user": "sagemaker-create-processing-job",
    "user/privesc-codeBuildCreateProjectPassRole-user": "codebuild-create-project",
    "user/privesc-ssmSendCommand-user": "ssm-send-command",
    "user/privesc-ec2InstanceConnect-user": "ec2-instance-connect",
    "user/privesc-CloudFormationUpdateStack-user": "cloudformation-update-stack",
    "role/privesc-AssumeRole-starting-role": "assume-role",
    "role/privesc-AssumeRole-intermediate-role": "assume-role",
    # Exploitable although per-policy scanners miss them: the two grants sit in two policies,
    # the resource constraint names the principal's own policy, the time condition holds today.
    "user/fn1-privesc3-partial-user": "ec2-run-instances",
    "user/fn2-exploitableResourceConstraint-user": "iam-create-policy-version",
    "user/fn3-exploitableConditionConstraint-user": "iam-create-policy-version",
    "user/fn4-exploitableNotAction-user": "iam-put-user-policy",
}

NOT_ESCALATING = {
    # A Deny beside the Allow; a resource constraint naming AWS managed policies, which cannot
    # be versioned; a time condition that no token issued today meets.
    "user/fp1-allow-and-deny-user",
    "user/fp2-allow-and-deny-multiple-policies-user",
    "user/fp3-deny-iam-user",
    "user/fp4-nonExploitableResourceConstraint-user",
    "user/fp5-nonExploitableConditionConstraint-user",
    "role/fp5-nonExploitableConditionConstraint-role",
    # The dump holds every version of the policy: there is no other version to make default.
    "user/privesc2-SetExistingDefaultPolicyVersion-user",
    # A role cannot join a group or be a user: rights over users and groups give it nothing
    # unless it can also act as them (it cannot create their keys).
    "role/privesc7-AttachUserPolicy-role",
    "role/privesc8-AttachGroupPolicy-role",
    "role/privesc10-PutUserPolicy-role",
    "role/privesc11-PutGroupPolicy-role",
    "role/privesc13-AddUserToGroup-role",
    # They may rewrite any role's policies but can assume none of the roles.
    "user/privesc9-AttachRolePolicy-user",
    "user/privesc12-PutRolePolicy-user",
    # No policy at all.
    "user/privesc-AssumeRole-start-user",
}

ADMINISTRATORS = {
    "user/obama",
    "user/userwithlotsofpermissions",
    "role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_AdministratorAccess_dc6414f7f2ab04fc",
    "role/OrganizationAccountAccessRole",
    "role/AWS-QuickSetup-StackSet-Local-ExecutionRole",
    "role/stacksets-exec-b5520cb2730c2f54b523d6375a319abb",
    "role/privesc-AssumeRole-ending-role",
    "role/privesc-high-priv-service-role",
}


@pytest.fixture
def example(corpus: Path) -> tuple[EscalationReport, object]:
    return _cached_report(corpus / DUMPS / EXAMPLE)


@functools.cache
def _cached_report(path: Path) -> tuple[EscalationReport, object]:
    return _report(path.parent.parent.parent, path.name)


def test_every_published_technique_in_the_example_account_is_found(example) -> None:
    found = _by_principal(example[0])
    missing = {p: t for p, t in ESCALATING.items() if t not in found.get(p, set())}
    assert missing == {}


def test_look_alikes_in_the_example_account_are_not_escalations(example) -> None:
    found = _by_principal(example[0])
    assert {p: found[p] for p in NOT_ESCALATING if p in found} == {}


def test_administrators_of_the_example_account_are_listed_once(example) -> None:
    report = example[0]
    names = [arn.split(":", 5)[5] for arn in report.administrators]
    assert sorted(names) == sorted(ADMINISTRATORS)
    assert not ADMINISTRATORS & set(_by_principal(report))


def test_the_sso_session_in_a_trust_policy_is_the_sso_role(example) -> None:
    graph = example[1]
    role = "arn:aws:iam::200611803367:role/privesc-AssumeRole-starting-role"
    [access] = who_can(graph, "sts:AssumeRole", role)
    assert access.principal.endswith(
        ":role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_AdministratorAccess_dc6414f7f2ab04fc"
    )
    assert "another account" not in access.note


def test_create_access_key_on_star_takes_over_both_administrators(corpus: Path) -> None:
    report, _ = _report(corpus, SMALL)
    assert {
        (e.principal.split(":", 5)[5], e.gains.split(":", 5)[5], e.technique)
        for e in report.escalations
    } == {
        ("role/OverprivilegedEC2", "user/obama", "iam-create-access-key"),
        ("role/OverprivilegedEC2", "user/userwithlotsofpermissions", "iam-create-access-key"),
        # biden is no administrator but holds more than the role (Lambda, S3 writes).
        ("role/OverprivilegedEC2", "user/biden", "iam-create-access-key"),
    }
    # biden holds AWSLambdaFullAccess, but no role trusts Lambda: nothing to pass or run as.
    assert [arn.split(":", 5)[5] for arn in report.administrators] == [
        "user/obama",
        "user/userwithlotsofpermissions",
    ]


def test_the_v2_dump_has_no_escalation(corpus: Path) -> None:
    report, _ = _report(corpus, V2)
    assert report.escalations == [] and report.administrators == []
