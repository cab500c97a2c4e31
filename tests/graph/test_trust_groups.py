"""Account-wide trusts are decided per group of alike roles: one `assumes` edge to a role set
instead of one per role, members expanded lazily by the queries."""

from __future__ import annotations

from pipedoctor.graph.access import EXPAND_LIMIT
from pipedoctor.graph.authz_details import inventory_from_authorization_details
from pipedoctor.graph.build import build_graph
from pipedoctor.graph.escalation import find_escalations
from pipedoctor.graph.queries import who_can
from tests.graph.accounts import ACCOUNT, ADMIN, CODEBUILD, account, allow, role, role_arn, trust

ROOT = f"arn:aws:iam::{ACCOUNT}:root"
COUNT = EXPAND_LIMIT + 10


def _graph(*statements: dict):
    roles = [role(f"team-{n:03}", trust(aws=(ROOT,)), allow("s3:GetObject")) for n in range(COUNT)]
    roles.append(role("team-admin", trust(aws=(ROOT,)), ADMIN))
    roles.append(role("ci", trust(services=CODEBUILD), *statements))
    return build_graph(authorization=inventory_from_authorization_details(account(*roles)))


def _assumers(graph, name: str) -> set[str]:
    # team-admin (allowed everything) may assume them too
    return {access.principal for access in who_can(graph, "sts:AssumeRole", role_arn(name))}


def test_assume_star_against_an_account_wide_trust_is_one_edge_to_a_set() -> None:
    graph = _graph(allow("sts:AssumeRole"))
    ci = role_arn("ci")
    edges = [
        (t, d) for _, t, d in graph.graph.out_edges(ci, data=True) if d["relation"] == "assumes"
    ]
    [(target, _)] = edges
    assert target.startswith("set:trust:")
    assert len(graph.decider.sets[target].members) == COUNT + 1
    [access] = [
        a for a in who_can(graph, "sts:AssumeRole", role_arn("team-007")) if a.principal == ci
    ]
    assert access.via == target


def test_the_strongest_member_is_found_through_the_set() -> None:
    graph = _graph(allow("sts:AssumeRole"))
    found = find_escalations(graph, role_arn("ci"))
    # The other members give nothing the graph can see beyond what ci has.
    assert [(e.gains, e.technique) for e in found] == [(role_arn("team-admin"), "assume-role")]


def test_a_principal_naming_some_roles_gets_edges_to_those_only() -> None:
    graph = _graph(allow("sts:AssumeRole", f"arn:aws:iam::{ACCOUNT}:role/team-00*"))
    targets = {
        t
        for _, t, d in graph.graph.out_edges(role_arn("ci"), data=True)
        if d["relation"] == "assumes"
    }
    assert targets == {role_arn(f"team-{n:03}") for n in range(10)}
    assert role_arn("ci") not in _assumers(graph, "team-011")


def test_a_deny_on_some_roles_splits_the_set() -> None:
    graph = _graph(
        allow("sts:AssumeRole"),
        allow("sts:AssumeRole", role_arn("team-admin"), effect="Deny"),
    )
    assert role_arn("ci") not in _assumers(graph, "team-admin")
    [access] = [
        a
        for a in who_can(graph, "sts:AssumeRole", role_arn("team-000"))
        if a.principal == role_arn("ci")
    ]
    assert access.via.startswith("set:trust:")
    assert role_arn("team-admin") not in graph.decider.sets[access.via].members


def _small(*extra: dict):
    roles = [
        role("deployer", trust(aws=(ROOT,)), allow("sts:AssumeRole")),
        role("reader", trust(aws=(ROOT,)), allow("s3:GetObject")),
        *extra,
    ]
    return build_graph(authorization=inventory_from_authorization_details(account(*roles)))


def _assumes(graph, source: str) -> set[str]:
    return {t for _, t, d in graph.graph.out_edges(source, data=True) if d["relation"] == "assumes"}


def test_an_account_wide_trust_does_not_let_a_role_assume_itself() -> None:
    graph = _small()
    deployer = role_arn("deployer")
    assert _assumes(graph, deployer) == {role_arn("reader")}
    assert deployer not in _assumers(graph, "deployer")
    assert deployer in _assumers(graph, "reader")


def test_a_role_in_the_set_it_may_assume_is_excepted_from_it() -> None:
    graph = _graph(allow("sts:AssumeRole"))
    admin = role_arn("team-admin")
    [(target, data)] = [
        (t, d) for _, t, d in graph.graph.out_edges(admin, data=True) if d["relation"] == "assumes"
    ]
    assert target.startswith("set:trust:") and admin in graph.decider.sets[target].members
    assert data["except"] == [admin]
    assert admin not in _assumers(graph, "team-admin")
    assert admin in _assumers(graph, "team-000")
    # the set is shared: ci's edge goes to the same set, with nothing excepted
    [(ci_target, ci_data)] = [
        (t, d)
        for _, t, d in graph.graph.out_edges(role_arn("ci"), data=True)
        if d["relation"] == "assumes"
    ]
    assert ci_target == target and "except" not in ci_data


def test_a_trust_policy_naming_the_role_itself_lets_it_assume_itself() -> None:
    own = role_arn("self-trusting")
    graph = _small(role("self-trusting", trust(aws=(own,)), allow("sts:AssumeRole")))
    assert own in _assumes(graph, own)
