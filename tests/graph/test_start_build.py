"""codebuild-start-build on a hand-written account: a principal allowed codebuild:StartBuild on a
project that runs as a more privileged role can run anything as that role (a buildspec
override); not when a Deny, another project's ARN or a weaker project role stands in the way."""

from __future__ import annotations

from pipedoctor.graph.authz_details import inventory_from_authorization_details
from pipedoctor.graph.build import build_graph
from pipedoctor.graph.escalation import Escalation, find_escalations
from pipedoctor.model import Project, Snapshot
from tests.graph.accounts import ACCOUNT, CODEBUILD, account, allow, role, role_arn, trust

REGION = "eu-west-1"
DEVELOPER = role_arn("developer")


def project_arn(name: str) -> str:
    return f"arn:aws:codebuild:{REGION}:{ACCOUNT}:project/{name}"


def _escalations(*developer: dict, project_role: str = "deployer") -> list[Escalation]:
    snapshot = Snapshot(
        account_id=ACCOUNT,
        regions=[REGION],
        projects=[
            Project("release", project_arn("release"), role_arn(project_role), REGION),
            Project("lint", project_arn("lint"), role_arn("linter"), REGION),
        ],
    )
    roles = account(
        role("developer", trust(aws=(DEVELOPER,)), allow("codebuild:BatchGetBuilds"), *developer),
        role(
            "deployer",
            trust(services=CODEBUILD),
            allow(["ecr:*", "ecs:UpdateService", "s3:PutObject"]),
        ),
        role("linter", trust(services=CODEBUILD), allow("logs:PutLogEvents")),
    )
    graph = build_graph(snapshot, inventory_from_authorization_details(roles))
    return [e for e in find_escalations(graph, DEVELOPER) if e.technique == "codebuild-start-build"]


def test_start_build_on_a_project_running_as_a_stronger_role_is_found() -> None:
    [escalation] = _escalations(allow("codebuild:StartBuild", project_arn("release")))
    assert escalation.principal == DEVELOPER
    assert escalation.gains == role_arn("deployer")
    assert escalation.gained > 0
    [step] = escalation.steps
    assert (step.action, step.resource) == ("codebuild:StartBuild", project_arn("release"))
    assert any(s["effect"] == "Allow" for s in step.statements)


def test_start_build_everywhere_finds_the_stronger_project_role_only() -> None:
    found = _escalations(allow("codebuild:StartBuild"))
    # the lint project's role has nothing the developer lacks but one log action: both are
    # reachable, the deployer gains the most
    assert found[0].gains == role_arn("deployer")


def test_a_deny_on_the_project_blocks_it() -> None:
    found = _escalations(
        allow("codebuild:StartBuild"),
        allow("codebuild:StartBuild", project_arn("release"), effect="Deny"),
    )
    assert role_arn("deployer") not in {e.gains for e in found}


def test_start_build_on_another_project_only_is_not_an_escalation_to_the_release_role() -> None:
    found = _escalations(allow("codebuild:StartBuild", project_arn("lint")))
    assert role_arn("deployer") not in {e.gains for e in found}


def test_a_project_role_weaker_than_the_principal_gives_nothing() -> None:
    found = _escalations(
        allow("codebuild:StartBuild", project_arn("release")),
        allow("logs:PutLogEvents"),
        project_role="linter",
    )
    assert found == []
