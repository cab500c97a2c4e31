"""Principals named right: a session (an SSO session too) named in a trust policy is its role in
the same account; a principal of this account the input lacks is not "another account's"."""

from __future__ import annotations

from pipedoctor.graph.access import EXTERNAL_NOTE, MISSING_NOTE
from pipedoctor.graph.authz_details import inventory_from_authorization_details
from pipedoctor.graph.build import build_graph
from pipedoctor.graph.escalation import escalation_report
from pipedoctor.graph.queries import who_can
from tests.graph.accounts import ACCOUNT, ADMIN, account, allow, role, role_arn, trust

SSO_NAME = "AWSReservedSSO_AdministratorAccess_0123abcd"
SSO_ROLE = f"arn:aws:iam::{ACCOUNT}:role/aws-reserved/sso.amazonaws.com/{SSO_NAME}"
SSO_SESSION = f"arn:aws:sts::{ACCOUNT}:assumed-role/{SSO_NAME}/alice@example.com"
TARGET = role_arn("deployer")


def _graph(*trusted: str, with_sso_role: bool = True):
    sso = role(SSO_NAME, trust(aws=(f"arn:aws:iam::{ACCOUNT}:saml-provider/idp",)), ADMIN)
    sso["Path"] = "/aws-reserved/sso.amazonaws.com/"
    sso["Arn"] = SSO_ROLE
    roles = [role("deployer", trust(aws=trusted), allow("s3:*"))]
    if with_sso_role:
        roles.append(sso)
    return build_graph(authorization=inventory_from_authorization_details(account(*roles)))


def test_an_sso_session_of_this_account_is_its_role() -> None:
    graph = _graph(SSO_SESSION)
    [access] = who_can(graph, "sts:AssumeRole", TARGET)
    assert access.principal == SSO_ROLE
    assert access.note == "as its session alice@example.com (the trust policy names the session)"
    assert EXTERNAL_NOTE not in access.note


def test_a_session_of_a_role_the_input_lacks_is_still_of_this_account() -> None:
    graph = _graph(SSO_SESSION, with_sso_role=False)
    [access] = who_can(graph, "sts:AssumeRole", TARGET)
    assert access.principal == SSO_SESSION
    assert access.note == MISSING_NOTE


def test_another_accounts_session_is_another_accounts_principal() -> None:
    other = f"arn:aws:sts::999988887777:assumed-role/{SSO_NAME}/bob@example.com"
    [access] = who_can(_graph(other), "sts:AssumeRole", TARGET)
    assert access.principal == other
    assert access.note == EXTERNAL_NOTE


def test_the_sso_administrator_is_an_administrator_not_an_escalation() -> None:
    report = escalation_report(_graph(SSO_SESSION))
    assert report.administrators == [SSO_ROLE]
    assert all(e.principal != SSO_ROLE for e in report.escalations)
