from __future__ import annotations

import pytest

from pipedoctor.knowledge.shell import push_targets, resolve_variables, with_assignments


def test_resolves_chained_variables_and_keeps_unknown_ones() -> None:
    env = {"REGISTRY": "123456789012.dkr.ecr.eu-west-1.amazonaws.com", "URI": "${REGISTRY}/app"}
    assert resolve_variables("$URI:$TAG", env) == "123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:$TAG"


def test_assignments_resolve_against_what_came_before() -> None:
    # The least-privilege reader resolved assignments as it went, the configuration check did not:
    # a later redefinition of REGISTRY must not change a URI assigned before it.
    commands = [
        "REGISTRY=123456789012.dkr.ecr.eu-west-1.amazonaws.com",
        'export REPOSITORY_URI="$REGISTRY/app"',
        "REGISTRY=other",
        "docker build -t $REPOSITORY_URI .",
    ]
    env = with_assignments(commands, {"TAG": "1"})
    assert env["REPOSITORY_URI"] == "123456789012.dkr.ecr.eu-west-1.amazonaws.com/app"
    assert env["TAG"] == "1"


@pytest.mark.parametrize(
    ("command", "targets"),
    [
        ('docker push "$REPOSITORY_URI:$TAG"', ["$REPOSITORY_URI:$TAG"]),
        ("docker image push --all-tags repo", ["repo"]),
        ("docker push -q repo && echo done", ["repo"]),
        ("(docker push a); docker push b", ["a", "b"]),
        ("echo docker-push repo", []),
    ],
)
def test_push_targets(command: str, targets: list[str]) -> None:
    assert push_targets(command) == targets
