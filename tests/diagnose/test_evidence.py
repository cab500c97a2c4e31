"""IAM evidence checks on another account's resource: the resource policy decides when collected."""

from __future__ import annotations

from pipedoctor.diagnose.evidence import run_check
from pipedoctor.model import EcrRepository, ManagedPolicy, Role, Snapshot

ROLE = "arn:aws:iam::111122223333:role/exec"
OTHER_REPO = "arn:aws:ecr:eu-west-1:444455556666:repository/base"
PULL = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ecr:BatchGetImage", "Resource": "*"}]}
CHECK = {"principal": "{role}", "action": "ecr:BatchGetImage", "resource": "{repo}", "expect": "denied"}


def snapshot(repository_policy: dict | None) -> Snapshot:
    role = Role("exec", ROLE, attached_policies=[ManagedPolicy("arn:aws:iam::aws:policy/p", "p", PULL)])
    repos = [EcrRepository("base", OTHER_REPO, "uri", repository_policy)] if repository_policy is not None else []
    return Snapshot(roles=[role], ecr_repositories=repos)


def test_unknown_resource_policy_judges_the_roles_own_side() -> None:
    result = run_check(CHECK, {"role": ROLE, "repo": OTHER_REPO}, snapshot(None))
    assert result.status == "rejected"  # the role's policies allow it: not a missing grant
    assert "resource policy was not collected" in result.text


def test_a_collected_resource_policy_that_does_not_grant_denies() -> None:
    other_principal = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::999999999999:root"}, "Action": "ecr:BatchGetImage"}],
    }
    result = run_check(CHECK, {"role": ROLE, "repo": OTHER_REPO}, snapshot(other_principal))
    assert result.status == "confirmed"
    assert "not collected" not in result.text
