"""Denials through the engine: the cause by role kind, the statement to add, and the IAM proof."""

from __future__ import annotations

from pipedoctor.diagnose import diagnose_incident, incident_from_text, load_rules
from pipedoctor.model import Role, Snapshot

ROLE = "arn:aws:iam::111122223333:role/orders-app"
DENIAL = (
    "botocore.exceptions.ClientError: An error occurred (AccessDeniedException) when calling the PutItem operation: "
    "User: arn:aws:sts::111122223333:assumed-role/orders-app/4f2a is not authorized to perform: dynamodb:PutItem on "
    "resource: arn:aws:dynamodb:us-east-1:111122223333:table/orders because no identity-based policy allows the "
    "dynamodb:PutItem action"
)


def _denial_findings(
    text: str,
    facts: dict | None = None,
    snapshot: Snapshot | None = None,
    surface: str | None = None,
):
    incident = incident_from_text(text, surface)
    incident.facts = dict(facts or {})
    return [
        f
        for f in diagnose_incident(incident, load_rules(), snapshot)
        if f.rule == "aws-authorization-denied"
    ]


def test_an_unknown_pair_still_gets_the_role_the_action_and_the_statement() -> None:
    (finding,) = _denial_findings(DENIAL)
    assert finding.cause == "role-missing-permission"
    assert "orders-app" in finding.message and "dynamodb:PutItem" in finding.message
    assert finding.policy_fix == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "AllowDeniedCall",
                "Effect": "Allow",
                "Action": "dynamodb:PutItem",
                "Resource": "arn:aws:dynamodb:us-east-1:111122223333:table/orders",
            }
        ],
    }


def test_the_snapshot_names_the_kind_and_the_iam_engine_proves_it() -> None:
    snapshot = Snapshot(roles=[Role("orders-app", ROLE)])
    (finding,) = _denial_findings(DENIAL, {"task.role": ROLE}, snapshot, "ecs-task")
    assert finding.cause == "ecs-task-role-missing-app-permission"
    assert any(
        line.startswith("IAM: orders-app is denied dynamodb:PutItem") for line in finding.evidence
    )


def test_a_role_whose_policy_allows_the_call_is_not_the_cause() -> None:
    allow = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "dynamodb:*", "Resource": "*"}],
    }
    snapshot = Snapshot(roles=[Role("orders-app", ROLE, inline_policies={"app": allow})])
    assert _denial_findings(DENIAL, {"task.role": ROLE}, snapshot) == []


def test_an_explicit_deny_in_a_guardrail_offers_no_allow_statement() -> None:
    text = DENIAL.replace(
        "because no identity-based policy allows the dynamodb:PutItem action",
        "with an explicit deny in a permissions boundary",
    )
    (finding,) = _denial_findings(text)
    assert finding.cause == "guardrail-explicit-deny"
    assert finding.policy_fix is None
    assert "permissions boundary" in finding.message and "permissions boundary" in finding.fix


def test_an_explicit_deny_that_names_no_layer_is_no_missing_allow() -> None:
    """AWS's older wording stops at "with an explicit deny": whatever the role kind, a Deny blocks
    the call, so the answer is the Deny to narrow, not a statement to add."""
    text = DENIAL.replace(
        "because no identity-based policy allows the dynamodb:PutItem action", "with an explicit deny"
    )
    for facts, surface in (({}, None), ({"task.role": ROLE}, "ecs-task")):
        (finding,) = _denial_findings(text, facts, surface=surface)
        assert finding.cause == "guardrail-explicit-deny"
        assert finding.policy_fix is None
        assert "cannot override an explicit deny" in finding.fix


def test_a_rule_whose_answer_is_an_allow_steps_aside_for_a_deny() -> None:
    """A specific rule's statement to add (here the build role's ECR push) cannot lift a Deny: for a
    guardrail's denial, or one that names no layer, the guardrail's answer is the only one left."""
    base = (
        "denied: User: arn:aws:sts::111122223333:assumed-role/build/AWSCodeBuild-1 is not authorized to "
        "perform: ecr:PutImage on resource: arn:aws:ecr:us-east-1:111122223333:repository/app "
    )
    for tail in ("with an explicit deny", "with an explicit deny in a service control policy"):
        incident = incident_from_text(base + tail, "codebuild-log")
        findings = diagnose_incident(incident, load_rules())
        assert [f.cause for f in findings] == ["guardrail-explicit-deny"]
        assert findings[0].policy_fix is None
    plain = incident_from_text(
        base + "because no identity-based policy allows the ecr:PutImage action", "codebuild-log"
    )
    assert diagnose_incident(plain, load_rules())[0].cause == "ecr-push-permission-missing"


def test_a_rule_naming_a_pipeline_role_steps_aside_for_an_iam_users_denial() -> None:
    """A person's (or a CI system's) keys denied the connection: the pipeline role's rule would add
    the Allow to the wrong principal; the answer is the user's own statement."""
    text = (
        "User: arn:aws:iam::111122223333:user/alice is not authorized to perform: codeconnections:UseConnection "
        "on resource: arn:aws:codeconnections:us-east-1:111122223333:connection/0a1b2c3d because no "
        "identity-based policy allows the codeconnections:UseConnection action"
    )
    findings = diagnose_incident(incident_from_text(text, "other"), load_rules())
    assert findings[0].cause == "role-missing-permission"
    assert "the IAM user alice" in findings[0].fix
    assert "codepipeline-role-missing-use-connection" not in [f.cause for f in findings]
    role = text.replace("iam::111122223333:user/alice", "sts::111122223333:assumed-role/pipeline-role/1733490000000")
    assert diagnose_incident(incident_from_text(role, "other"), load_rules())[0].cause == (
        "codepipeline-role-missing-use-connection"
    )
