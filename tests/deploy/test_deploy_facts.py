"""Task definition facts: images, registries and accounts, secrets, awslogs."""

from __future__ import annotations

from pipedoctor.diagnose.facts import deploy_scope, task_definition_facts
from pipedoctor.model import (
    ActionExecution,
    ContainerDefinition,
    ContainerSecret,
    LogConfiguration,
    Snapshot,
    TaskDefinition,
)

ARN = "arn:aws:ecs:us-east-1:111122223333:task-definition/app:3"


def facts(*containers: ContainerDefinition) -> dict:
    task = TaskDefinition(arn=ARN, family="app", region="us-east-1", containers=list(containers))
    return task_definition_facts(task, "aws", "999999999999")


def test_bare_and_registry_images() -> None:
    found = facts(
        ContainerDefinition("app", "111122223333.dkr.ecr.us-east-1.amazonaws.com/team/app:1"),
        ContainerDefinition("proxy", "nginx:1.27"),
        ContainerDefinition("agent", "public.ecr.aws/datadog/agent:7"),
    )
    assert found["task.account"] == "111122223333"  # the task definition's, not the default
    assert found["task.bare_images"] == ["nginx:1.27"] and found["task.bare_image"] == "nginx:1.27"
    assert found["task.image_registry"] == "111122223333.dkr.ecr.us-east-1.amazonaws.com"
    assert found["task.image_repository_arn"] == (
        "arn:aws:ecr:us-east-1:111122223333:repository/team/app"
    )
    assert found["task.image_cross_account"] is False
    assert found["task.cpu_architecture"] == "X86_64"
    assert "task.execution_role" not in found and found["task.has_execution_role"] is False


def test_no_ecr_image_leaves_the_account_comparison_unknown() -> None:
    found = facts(ContainerDefinition("app", "ghcr.io/acme/app:1"))
    assert found["task.bare_images"] == [] and "task.bare_image" not in found
    assert found["task.image_accounts"] == [] and "task.image_cross_account" not in found


def test_secrets_become_arns() -> None:
    secrets = [
        ContainerSecret("DB", "arn:aws:secretsmanager:us-east-1:111122223333:secret:db-AbC:pw::"),
        ContainerSecret("KEY", "/app/api-key"),
    ]
    found = facts(ContainerDefinition("app", "app:1", secrets=secrets))
    assert found["task.secrets"] == [
        "arn:aws:secretsmanager:us-east-1:111122223333:secret:db-AbC",
        "arn:aws:ssm:us-east-1:111122223333:parameter/app/api-key",
    ]
    assert found["task.secret_action"] == "secretsmanager:GetSecretValue"


def test_awslogs_group() -> None:
    logging = LogConfiguration(
        "awslogs", {"awslogs-group": "/ecs/app", "awslogs-region": "eu-west-1"}
    )
    found = facts(ContainerDefinition("app", "app:1", log_configuration=logging))
    assert found["task.log_create_group"] is False
    assert found["task.log_group_arn"] == "arn:aws:logs:eu-west-1:111122223333:log-group:/ecs/app"
    assert "task.log_group" not in facts(ContainerDefinition("app", "app:1"))


def test_deploy_scope_with_nothing_collected() -> None:
    action = ActionExecution(
        "p", "e", "a", "Deploy", "Deploy", "Failed", provider="CodeDeployToECS"
    )
    scope = deploy_scope(Snapshot(), action)
    assert scope is not None
    assert (scope.service, scope.task_definition, scope.deployment, scope.stopped_tasks) == (
        None,
        None,
        None,
        [],
    )
    build = ActionExecution("p", "e", "a", "Build", "Build", "Failed", provider="CodeBuild")
    assert deploy_scope(Snapshot(), build) is None
