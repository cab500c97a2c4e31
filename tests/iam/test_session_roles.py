"""A session's aws:PrincipalArn is its role's ARN with the role's path: taken from the known
role when given, otherwise assumed (and the decision says so)."""

from __future__ import annotations

from pipedoctor.iam import PolicySet, Request, evaluate
from pipedoctor.iam.principals import parse_principal, role_of_session

ACCOUNT = "111122223333"
SESSION = f"arn:aws:sts::{ACCOUNT}:assumed-role/ci/build-42"
DEPLOY_ROLE = f"arn:aws:iam::{ACCOUNT}:role/deploy/ci"
SSO_SESSION = f"arn:aws:sts::{ACCOUNT}:assumed-role/AWSReservedSSO_Admin_0123abcd/alice@example.com"
SSO_ROLE = (
    f"arn:aws:iam::{ACCOUNT}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123abcd"
)

ONLY_DEPLOY_ROLES = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": "s3:GetObject",
            "Resource": "*",
            "Condition": {"ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{ACCOUNT}:role/deploy/*"}},
        }
    ],
}


def _decide(role_arn: str | None):
    request = Request(
        "s3:GetObject", "arn:aws:s3:::bucket/key", SESSION, principal_role_arn=role_arn
    )
    return evaluate(request, PolicySet(identity=[ONLY_DEPLOY_ROLES]))


def test_a_known_role_path_reaches_principal_arn_conditions() -> None:
    decision = _decide(DEPLOY_ROLE)
    assert decision.allowed
    assert decision.assumptions == []


def test_an_unknown_role_path_is_assumed_and_said() -> None:
    decision = _decide(None)
    assert not decision.allowed  # judged as role/ci, which role/deploy/* does not name
    [assumption] = decision.assumptions
    assert f"arn:aws:iam::{ACCOUNT}:role/ci" in assumption
    assert "path" in assumption
    assert decision.to_dict()["assumptions"] == [assumption]


def test_a_role_of_another_name_or_account_is_not_the_sessions_role() -> None:
    for other in (
        f"arn:aws:iam::{ACCOUNT}:role/deploy/cd",
        "arn:aws:iam::999988887777:role/deploy/ci",
    ):
        principal = parse_principal(SESSION, other)
        assert principal.role_path_assumed
        assert principal.role_arn == f"arn:aws:iam::{ACCOUNT}:role/ci"


def test_an_sso_session_is_assumed_under_the_identity_center_path() -> None:
    principal = parse_principal(SSO_SESSION)
    assert principal.kind == "session"
    assert principal.role_arn == SSO_ROLE
    assert principal.role_path_assumed
    assert dict(principal.derived_context)["aws:principalarn"] == SSO_ROLE
    assert not parse_principal(SSO_SESSION, SSO_ROLE).role_path_assumed


def test_role_of_session_picks_the_known_role() -> None:
    known = [f"arn:aws:iam::{ACCOUNT}:role/other", DEPLOY_ROLE, SSO_ROLE]
    assert role_of_session(SESSION, known) == DEPLOY_ROLE
    assert role_of_session(SSO_SESSION, known) == SSO_ROLE
    assert role_of_session(f"arn:aws:sts::{ACCOUNT}:assumed-role/gone/x", known) is None
    assert role_of_session(DEPLOY_ROLE, known) is None
