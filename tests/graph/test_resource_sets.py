"""Large accounts: equivalent resources share one edge to a resource set, and what a principal's
policies single out (a Deny on one repository) is decided on its own."""

from __future__ import annotations

import pytest

from pipedoctor.graph.access import EXPAND_LIMIT
from pipedoctor.graph.build import build_graph
from pipedoctor.graph.queries import paths, who_can
from pipedoctor.model import EcrRepository, ManagedPolicy, Role, Snapshot

ACCOUNT = "111122223333"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/pusher"
TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "codebuild.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}


def _repository(number: int, policy: dict | None = None) -> EcrRepository:
    arn = f"arn:aws:ecr:eu-west-1:{ACCOUNT}:repository/repo-{number:03}"
    return EcrRepository(
        f"repo-{number:03}",
        arn,
        f"{ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com/repo-{number:03}",
        policy,
    )


@pytest.fixture
def account() -> Snapshot:
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "ecr:*", "Resource": "*"},
            {"Effect": "Deny", "Action": "ecr:PutImage", "Resource": _repository(7).arn},
        ],
    }
    outsider = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::999988887777:root"},
                "Action": "ecr:BatchGetImage",
                "Resource": "*",
            }
        ],
    }
    repositories = [_repository(n) for n in range(EXPAND_LIMIT + 20)]
    repositories[3] = _repository(3, outsider)
    role = Role(
        "pusher",
        ROLE,
        TRUST,
        attached_policies=[ManagedPolicy(f"arn:aws:iam::{ACCOUNT}:policy/push", "push", policy)],
    )
    return Snapshot(account_id=ACCOUNT, roles=[role], ecr_repositories=repositories)


def test_one_edge_to_the_set_with_the_denied_repository_excepted(account: Snapshot) -> None:
    graph = build_graph(account)
    can = [
        (target, data)
        for _, target, key, data in graph.graph.out_edges(ROLE, keys=True, data=True)
        if key == "can"
    ]
    sets = [(target, data) for target, data in can if target.startswith("set:")]
    assert len(sets) == 1
    set_id, data = sets[0]
    assert data["except"] == [_repository(7).arn]
    assert graph.graph.nodes[set_id]["kind"] == "resource-set"
    assert len(can) < 10  # not one edge per repository

    assert [a.principal for a in who_can(graph, "ecr:PutImage", _repository(12).arn)] == [ROLE]
    assert who_can(graph, "ecr:PutImage", _repository(7).arn) == []
    pullers = {a.principal for a in who_can(graph, "ecr:BatchGetImage", _repository(7).arn)}
    assert pullers == {ROLE}  # the Deny names PutImage only


def test_resource_policy_grants_reach_other_accounts(account: Snapshot) -> None:
    graph = build_graph(account)
    found = who_can(graph, "ecr:BatchGetImage", _repository(3).arn)
    outsider = [a for a in found if a.principal == "arn:aws:iam::999988887777:root"]
    assert outsider and "another account" in outsider[0].note
    assert outsider[0].statements[0]["layer"] == "resourcePolicy"
    assert who_can(graph, "ecr:BatchGetImage", _repository(4).arn) == [
        a for a in who_can(graph, "ecr:BatchGetImage", _repository(4).arn) if a.principal == ROLE
    ]


def test_paths_do_not_pass_through_an_excepted_member(account: Snapshot) -> None:
    graph = build_graph(account)
    assert paths(graph, ROLE, _repository(12).arn)
    # Only the PutImage Deny names repo-007: other actions still reach it, through its own edge.
    to_seven = paths(graph, ROLE, _repository(7).arn)
    assert [node for node, _ in to_seven[0]] == [ROLE, _repository(7).arn]


def test_resource_not_in_the_inputs_is_evaluated_directly(account: Snapshot) -> None:
    graph = build_graph(account)
    elsewhere = f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/not-collected"
    found = who_can(graph, "ecr:PutImage", elsewhere)
    assert [a.principal for a in found] == [ROLE] and found[0].via == ""


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("arn:aws:s3:::logs-1/*", {"logs-1"}),
        ("arn:aws:s3:::logs-1/reports/*", {"logs-1"}),
        ("arn:aws:s3:::logs-?", set()),  # names buckets, not objects
        ("arn:aws:s3:::logs-?/*", {"logs-1", "logs-2"}),
        ("arn:aws:s3:::*/CodeDeploy/*", {"logs-1", "logs-2", "data"}),  # `*` may span the `/`
        ("arn:aws:s3:::d*", {"data"}),
        ("arn:aws:s3:::${aws:username}/*", set()),
    ],
)
def test_object_patterns_name_buckets_exactly(pattern: str, expected: set[str]) -> None:
    from pipedoctor.graph.inventory import ResourceEntry
    from pipedoctor.graph.resource_index import group_resources, members_of
    from pipedoctor.iam.matching import globs_intersect

    names = ["data", "logs-1", "logs-2"]
    resources = {
        f"arn:aws:s3:::{n}": ResourceEntry(f"arn:aws:s3:::{n}", "s3-bucket", n) for n in names
    }
    (group,) = group_resources(resources, {})
    mask = group.matching("object", "/*", pattern)
    found = set(names) if mask is None else {group.resources[i].name for i in members_of(mask)}
    assert found == expected
    if "${" not in pattern:  # the slow exact test agrees
        assert found == {n for n in names if globs_intersect(pattern, f"arn:aws:s3:::{n}/*")}
