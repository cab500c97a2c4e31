"""Techniques that try every role: targets with the same capabilities are compared with the
principal once, and only the roles its statements may name are tried, with the same result as
trying each role."""

from __future__ import annotations

from pipedoctor.graph import escalation
from pipedoctor.graph.authz_details import inventory_from_authorization_details
from pipedoctor.graph.build import build_graph
from pipedoctor.graph.escalation import escalation_report
from tests.graph.accounts import CODEBUILD, account, allow, role, role_arn, trust

CI = role_arn("ci")
UPDATE_TRUST = "iam:UpdateAssumeRolePolicy"
STRONG = allow(["iam:AttachRolePolicy", "iam:CreateAccessKey"])


def trust_rewrites(data: dict) -> set[str]:
    report = escalation_report(
        build_graph(authorization=inventory_from_authorization_details(data))
    )
    return {
        e.gains
        for e in report.escalations
        if e.principal == CI and e.technique == "iam-update-assume-role-policy"
    }


def test_two_roles_with_the_same_capabilities_are_both_reported() -> None:
    data = account(
        role("ci", trust(services=CODEBUILD), allow(UPDATE_TRUST)),
        role("deploy-a", trust(services=CODEBUILD), STRONG),
        role("deploy-b", trust(services=CODEBUILD), STRONG),
    )
    assert trust_rewrites(data) == {role_arn("deploy-a"), role_arn("deploy-b")}


def test_a_deny_on_one_of_them_separates_them() -> None:
    data = account(
        role(
            "ci",
            trust(services=CODEBUILD),
            allow(UPDATE_TRUST),
            allow(UPDATE_TRUST, role_arn("deploy-b"), effect="Deny"),
        ),
        role("deploy-a", trust(services=CODEBUILD), STRONG),
        role("deploy-b", trust(services=CODEBUILD), STRONG),
    )
    assert trust_rewrites(data) == {role_arn("deploy-a")}


def test_only_the_roles_the_statement_names_are_reported() -> None:
    data = account(
        role("ci", trust(services=CODEBUILD), allow(UPDATE_TRUST, role_arn("deploy-*"))),
        role("deploy-a", trust(services=CODEBUILD), STRONG),
        role("build-a", trust(services=CODEBUILD), STRONG),
    )
    assert trust_rewrites(data) == {role_arn("deploy-a")}


def _mixed_account() -> dict:
    """More alike roles than the search keeps, of a few capability sets, some named, one denied."""
    roles = [
        role(
            "ci",
            trust(services=CODEBUILD),
            allow(UPDATE_TRUST, [role_arn("deploy-*"), role_arn("admin-1")]),
            allow(UPDATE_TRUST, role_arn("deploy-3"), effect="Deny"),
            allow("iam:CreateAccessKey"),
        )
    ]
    roles += [role(f"deploy-{i}", trust(services=CODEBUILD), STRONG) for i in range(8)]
    roles += [
        role(f"build-{i}", trust(services=CODEBUILD), allow("iam:PassRole")) for i in range(4)
    ]
    roles += [role(f"admin-{i}", trust(services=CODEBUILD), allow("*")) for i in range(3)]
    return account(*roles)


def test_grouped_search_finds_what_trying_every_role_finds(monkeypatch) -> None:
    data = _mixed_account()
    grouped = escalation_report(
        build_graph(authorization=inventory_from_authorization_details(data))
    )

    def every_position(self, technique, entry):
        return iter(range(len(self._everyone(technique.target[:-1]))))

    monkeypatch.setattr(escalation._Search, "_promising", every_position)
    each = escalation_report(build_graph(authorization=inventory_from_authorization_details(data)))
    assert grouped.to_dict() == each.to_dict()
    rewrites = [e for e in grouped.escalations if e.technique == "iam-update-assume-role-policy"]
    assert rewrites[0].gains == role_arn("admin-1")
    assert len(rewrites) == escalation.MAX_PER_TECHNIQUE
    assert role_arn("deploy-3") not in {e.gains for e in rewrites}
    assert "more targets may be reached" in rewrites[0].summary


def test_skipping_alike_service_roles_finds_what_trying_each_finds(monkeypatch) -> None:
    """More alike roles behind one service than the search keeps, and weaker ones after them:
    the runs skipped change neither the paths kept nor the "more targets" note."""
    lambda_trust = trust(services=("lambda.amazonaws.com",))
    roles = [role("ci", trust(services=CODEBUILD), allow("lambda:UpdateFunctionCode"))]
    roles += [role(f"admin-{i}", lambda_trust, allow("*")) for i in range(9)]
    roles += [role(f"deploy-{i}", lambda_trust, STRONG) for i in range(4)]
    roles += [role(f"none-{i}", lambda_trust) for i in range(3)]
    data = account(*roles)
    skipping = escalation_report(
        build_graph(authorization=inventory_from_authorization_details(data))
    )

    def every_one(self, key, ordered, start, idle):
        return iter(ordered[start:])

    monkeypatch.setattr(escalation._Search, "_skipping", every_one)
    each = escalation_report(build_graph(authorization=inventory_from_authorization_details(data)))
    assert skipping.to_dict() == each.to_dict()
    updates = [e for e in skipping.escalations if e.technique == "lambda-update-function-code"]
    assert {e.gains for e in updates} <= {role_arn(f"admin-{i}") for i in range(9)}
    assert len(updates) == escalation.MAX_PER_TECHNIQUE
    assert "more targets may be reached" in updates[0].summary
