"""Failed ECS deploys against moto: collect -> snapshot -> diagnose, proven on the real roles."""

from __future__ import annotations

from typing import Any

import pytest

from pipedoctor.collect import CollectOptions, collect
from pipedoctor.diagnose import load_rules
from pipedoctor.diagnose.engine import Diagnoser
from pipedoctor.diagnose.incidents import incidents_from_snapshot
from pipedoctor.model import Finding, Snapshot, dumps, loads
from tests.collect.stubs import Fault, StubbedFactory
from tests.collect.world import ACCOUNT
from tests.deploy.world import (
    API,
    DEPLOYMENT_ID,
    ECR_AUTH_DENIED,
    FORBIDDEN_PULL,
    LISTENER_ERROR,
    OTHER_ACCOUNT,
    REGION,
    SECRET_ARN,
    TASK_ROLE_ARN,
    WEB,
    WORKER,
    DeployWorld,
    Scenario,
    codedeploy_replies,
    failed_deploy_replies,
    stopped_task_arn,
    stopped_task_replies,
)

NOT_STABLE = "The Amazon ECS service did not reach a steady state."


@pytest.fixture(scope="module")
def rules() -> list[Any]:
    return load_rules()


def ecs_replies(
    scenario: Scenario, world: DeployWorld, describe: bool = True
) -> dict[tuple[str, str], list[dict[str, Any]]]:
    return {
        **failed_deploy_replies(scenario, NOT_STABLE),
        **stopped_task_replies(scenario, world.task_definitions[scenario.family], describe),
    }


def run(
    endpoint: str, scenario: Scenario, replies: dict[Any, Any], faults: list[Fault] | None = None
) -> tuple[Snapshot, StubbedFactory]:
    factory = StubbedFactory(endpoint, replies, faults, max_attempts=1)
    options = CollectOptions(regions=[REGION], pipelines=[scenario.pipeline])
    return collect(factory, options), factory


def diagnose(snapshot: Snapshot, rules: list[Any]) -> list[Finding]:
    (incident,) = incidents_from_snapshot(snapshot)
    return Diagnoser(rules).diagnose(incident, snapshot)


def role_arn(name: str) -> str:
    return f"arn:aws:iam::{ACCOUNT}:role/{name}"


def test_ecs_deploy_reads_service_task_definition_stopped_tasks_and_roles(
    moto_endpoint: str, deploy_world: DeployWorld
) -> None:
    snapshot, factory = run(moto_endpoint, WEB, ecs_replies(WEB, deploy_world))
    assert snapshot.errors == []
    (service,) = snapshot.ecs_services
    assert (service.cluster, service.name, service.deployment_controller) == (
        WEB.cluster,
        WEB.service,
        "ECS",
    )
    assert service.task_definition == deploy_world.task_definitions["web"]
    (definition,) = snapshot.task_definitions
    assert definition.execution_role == role_arn(WEB.execution_role)
    assert definition.task_role == TASK_ROLE_ARN
    assert (definition.network_mode, definition.cpu_architecture) == ("awsvpc", "X86_64")
    (container,) = definition.containers
    assert container.image == WEB.image
    assert container.log_configuration is not None
    assert container.log_configuration.options["awslogs-create-group"] == "true"
    assert [s.value_from for s in container.secrets] == [f"{SECRET_ARN}:password::"]
    (task,) = snapshot.stopped_tasks
    assert (task.arn, task.stop_code, task.stopped_reason) == (
        stopped_task_arn(WEB),
        "TaskFailedToStart",
        ECR_AUTH_DENIED,
    )
    assert task.stopped_at.startswith("2026-05-09T09:03:05")
    assert [(c.name, c.image) for c in task.containers] == [(WEB.service, WEB.image)]
    assert {role.arn for role in snapshot.roles} >= {role_arn(WEB.execution_role), TASK_ROLE_ARN}

    calls = factory.counter.counts()
    assert calls["ecs:DescribeServices"] == calls["ecs:DescribeTaskDefinition"] == 1
    assert calls["ecs:ListTasks"] == calls["ecs:DescribeTasks"] == 1
    assert loads(dumps(snapshot)) == snapshot


def test_execution_role_without_ecr_permission_is_proven(
    moto_endpoint: str, deploy_world: DeployWorld, rules: list[Any]
) -> None:
    snapshot, _ = run(moto_endpoint, WEB, ecs_replies(WEB, deploy_world))
    (incident,) = incidents_from_snapshot(snapshot)
    assert incident.texts["ecs-task"][0] == ECR_AUTH_DENIED
    facts = incident.facts
    assert facts["task.execution_role"] == role_arn(WEB.execution_role)
    assert facts["task.image_account"] == ACCOUNT and facts["task.image_cross_account"] is False
    assert facts["task.secret"] == SECRET_ARN  # the JSON key suffix is not part of the ARN
    assert facts["task.log_group_arn"] == f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/ecs/web"

    findings = diagnose(snapshot, rules)
    top = findings[0]
    assert top.rule == "ecs-execution-role-missing-ecr-permission"
    assert f"IAM: {WEB.execution_role} is denied ecr:GetAuthorizationToken on *" in "\n".join(
        top.evidence
    )
    assert top.unverified == []
    assert "ecr-cross-account-repo-access-denied" not in {f.rule for f in findings}


def test_execution_role_with_ecr_permission_yields_to_the_cross_account_cause(
    moto_endpoint: str, deploy_world: DeployWorld, rules: list[Any]
) -> None:
    snapshot, _ = run(moto_endpoint, WORKER, ecs_replies(WORKER, deploy_world))
    assert snapshot.errors == []
    (incident,) = incidents_from_snapshot(snapshot)
    assert incident.texts["ecs-task"][0] == FORBIDDEN_PULL
    assert incident.facts["task.image_account"] == OTHER_ACCOUNT
    assert incident.facts["task.image_cross_account"] is True

    findings = diagnose(snapshot, rules)
    assert findings[0].rule == "ecr-cross-account-repo-access-denied"
    assert any(OTHER_ACCOUNT in line for line in findings[0].evidence)
    # the text alone fits the execution role too; its policy allows the pull, so it is rejected
    assert "ecs-execution-role-missing-ecr-permission" not in {f.rule for f in findings}


def test_access_denied_on_describe_tasks_is_listed_and_the_rest_diagnosed(
    moto_endpoint: str, deploy_world: DeployWorld, rules: list[Any]
) -> None:
    fault = Fault("ecs", "DescribeTasks", "AccessDeniedException", "not authorized")
    snapshot, _ = run(moto_endpoint, WEB, ecs_replies(WEB, deploy_world, describe=False), [fault])
    assert [(e.service, e.operation, e.code) for e in snapshot.errors] == [
        ("ecs", "DescribeTasks", "AccessDeniedException")
    ]
    assert snapshot.stopped_tasks == []
    assert len(snapshot.task_definitions) == len(snapshot.ecs_services) == 1
    (incident,) = incidents_from_snapshot(snapshot)
    assert incident.facts["task.execution_role"] == role_arn(WEB.execution_role)
    assert ECR_AUTH_DENIED not in incident.texts["ecs-task"]


def test_bluegreen_deploy_reads_the_deployment_and_its_ecs_service(
    moto_endpoint: str, deploy_world: DeployWorld, rules: list[Any]
) -> None:
    definition = deploy_world.task_definitions["api"]
    replies = {
        **failed_deploy_replies(API, "Deployment d-4F7QX2K9B failed", DEPLOYMENT_ID),
        **codedeploy_replies(definition),
    }
    snapshot, factory = run(moto_endpoint, API, replies)
    assert snapshot.errors == []
    deployment = snapshot.deployment(DEPLOYMENT_ID)
    assert deployment is not None
    assert (deployment.status, deployment.error_code) == ("Failed", "ECS_UPDATE_ERROR")
    assert deployment.task_definition == definition
    assert deployment.target_groups == ["api-blue", "api-green"]
    assert [(e.name, e.status) for e in deployment.lifecycle_events][1] == ("Install", "Failed")
    (service,) = snapshot.ecs_services
    assert service.deployment_controller == "CODE_DEPLOY"
    assert [t.arn for t in snapshot.task_definitions] == [definition]

    (incident,) = incidents_from_snapshot(snapshot)
    assert incident.texts["codedeploy"][0] == f"ECS_UPDATE_ERROR: {LISTENER_ERROR}"
    assert incident.facts["deployment.failed_event"] == "Install"
    assert incident.facts["service.deployment_controller"] == "CODE_DEPLOY"
    findings = diagnose(snapshot, rules)
    assert findings[0].rule == "codedeploy-target-group-listener-mismatch"
    for stubber in factory.stubbers:
        stubber.assert_no_pending_responses()
