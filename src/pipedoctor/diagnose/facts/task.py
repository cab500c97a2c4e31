"""Facts about the ECS task definition a deploy ran: roles, images, logs and secrets."""

from __future__ import annotations

from typing import Any

from pipedoctor.diagnose.facts.image import image_facts
from pipedoctor.knowledge.arns import arn_account, arn_region, arn_service, secret_arn
from pipedoctor.knowledge.images import names_no_registry
from pipedoctor.model import TaskDefinition

SECRET_READ_ACTIONS = {
    "secretsmanager": "secretsmanager:GetSecretValue",
    "ssm": "ssm:GetParameters",
}


def task_definition_facts(
    task: TaskDefinition, partition: str, default_account: str
) -> dict[str, Any]:
    """The task definition a deploy ran: roles, network mode, images, logs and secrets."""
    account = arn_account(task.arn) or default_account
    region = task.region or arn_region(task.arn)
    images = [container.image for container in task.containers]
    facts: dict[str, Any] = {
        "task.definition": task.arn,
        "task.family": task.family,
        "task.account": account,
        "task.has_execution_role": bool(task.execution_role),
        "task.network_mode": task.network_mode,
        "task.compatibilities": list(task.requires_compatibilities),
        "task.cpu_architecture": task.cpu_architecture or "X86_64",  # the default when unset
        "task.images": images,
        "task.bare_images": [image for image in images if names_no_registry(image)],
    }
    if task.execution_role:
        facts["task.execution_role"] = task.execution_role
    if task.task_role:
        facts["task.role"] = task.task_role
    if images:
        facts["task.image"] = images[0]
    if facts["task.bare_images"]:
        facts["task.bare_image"] = facts["task.bare_images"][0]
    facts.update(image_facts(images, partition, account))
    facts.update(_log_facts(task, partition, account, region))
    secrets = [
        _secret_arn(s.value_from, partition, region, account)
        for c in task.containers
        for s in c.secrets
    ]
    facts["task.secrets"] = secrets
    if secrets:
        facts["task.secret"] = secrets[0]
        facts["task.secret_action"] = SECRET_READ_ACTIONS.get(arn_service(secrets[0]), "")
    return facts


def _log_facts(task: TaskDefinition, partition: str, account: str, region: str) -> dict[str, Any]:
    """The awslogs group of the first container that logs with awslogs."""
    options = next(
        (
            c.log_configuration.options
            for c in task.containers
            if c.log_configuration is not None and c.log_configuration.driver == "awslogs"
        ),
        None,
    )
    if options is None:
        return {}
    group = options.get("awslogs-group", "")
    facts: dict[str, Any] = {
        "task.log_group": group,
        "task.log_create_group": options.get("awslogs-create-group", "false").lower() == "true",
    }
    log_region = options.get("awslogs-region") or region
    if group and log_region and account:
        facts["task.log_group_arn"] = (
            f"arn:{partition}:logs:{log_region}:{account}:log-group:{group}"
        )
    return facts


def _secret_arn(value_from: str, partition: str, region: str, account: str) -> str:
    """A secret's ARN: SSM parameters may be named without an ARN; a Secrets Manager reference may
    end in `:json-key:version-stage:version-id`, which is not part of the secret's ARN."""
    if not value_from.startswith("arn:"):
        return f"arn:{partition}:ssm:{region}:{account}:parameter/{value_from.lstrip('/')}"
    return secret_arn(value_from)
