"""A Snapshot as graph input: its roles with their policies, and every resource it names."""

from __future__ import annotations

from typing import Any

from pipedoctor.graph.inventory import (
    AWS_MANAGED,
    INLINE,
    MANAGED,
    Inventory,
    PolicyEntry,
    PrincipalEntry,
    ResourceEntry,
)
from pipedoctor.model import Snapshot


def default_key_policy(account: str, partition: str) -> dict[str, Any]:
    """The key policy KMS writes when none is given: the account's IAM policies decide."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "Enable IAM User Permissions",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:{partition}:iam::{account}:root"},
                "Action": "kms:*",
                "Resource": "*",
            }
        ],
    }


def _account(arn: str) -> str:
    parts = arn.split(":")
    return parts[4] if len(parts) > 4 else ""


def _roles(snapshot: Snapshot, inventory: Inventory) -> None:
    for role in snapshot.roles:
        ids = []
        for name, document in role.inline_policies.items():
            ids.append(
                inventory.add_policy(
                    PolicyEntry(f"{role.arn}#inline/{name}", name, document, INLINE)
                )
            )
        for managed in role.attached_policies:
            kind = AWS_MANAGED if managed.aws_managed else MANAGED
            ids.append(
                inventory.add_policy(PolicyEntry(managed.arn, managed.name, managed.document, kind))
            )
        boundary = None
        if role.permissions_boundary is not None:
            bound = role.permissions_boundary
            kind = AWS_MANAGED if bound.aws_managed else MANAGED
            boundary = inventory.add_policy(
                PolicyEntry(bound.arn, bound.name, bound.document, kind)
            )
        inventory.principals[role.arn] = PrincipalEntry(
            arn=role.arn,
            name=role.name,
            kind="role",
            policies=ids,
            boundary=boundary,
            trust_policy=role.trust_policy or None,
        )
        inventory.add_resource(ResourceEntry(role.arn, "iam-role", role.name))


def _secret_or_parameter(
    value: str, kind: str, partition: str, region: str, account: str
) -> ResourceEntry:
    if value.startswith("arn:"):
        parts = value.split(":")
        service = parts[2] if len(parts) > 2 else ""
        if service == "secretsmanager":
            return ResourceEntry(":".join(parts[:7]), "secret", parts[6] if len(parts) > 6 else "")
        name = value.split(":parameter/", 1)[-1]
        return ResourceEntry(value, "ssm-parameter", name)
    if kind == "secret":
        name = value.split(":", 1)[0]
        return ResourceEntry(
            f"arn:{partition}:secretsmanager:{region}:{account}:secret:{name}", "secret", name
        )
    name = value.lstrip("/")
    return ResourceEntry(
        f"arn:{partition}:ssm:{region}:{account}:parameter/{name}", "ssm-parameter", name
    )


def _log_group(partition: str, region: str, account: str, name: str) -> ResourceEntry:
    return ResourceEntry(
        f"arn:{partition}:logs:{region}:{account}:log-group:{name}", "log-group", name
    )


def _workloads(snapshot: Snapshot, inventory: Inventory) -> None:
    partition = snapshot.partition
    for pipeline in snapshot.pipelines:
        inventory.add_resource(ResourceEntry(pipeline.arn, "codepipeline-pipeline", pipeline.name))
    for project in snapshot.projects:
        account = _account(project.arn)
        inventory.add_resource(ResourceEntry(project.arn, "codebuild-project", project.name))
        if project.logs_enabled:
            inventory.add_resource(
                _log_group(partition, project.region, account, project.effective_log_group)
            )
        for variable in project.environment.variables:
            kind = {"PARAMETER_STORE": "ssm-parameter", "SECRETS_MANAGER": "secret"}.get(
                variable.type
            )
            if kind:
                inventory.add_resource(
                    _secret_or_parameter(variable.value, kind, partition, project.region, account)
                )
    for service in getattr(snapshot, "ecs_services", []):
        inventory.add_resource(ResourceEntry(service.arn, "ecs-service", service.name))
    for task in getattr(snapshot, "task_definitions", []):
        account = _account(task.arn)
        inventory.add_resource(ResourceEntry(task.arn, "ecs-task-definition", task.family))
        for container in task.containers:
            config = container.log_configuration
            group = config.options.get("awslogs-group") if config else None
            if group:
                region = config.options.get("awslogs-region", task.region) if config else ""
                inventory.add_resource(_log_group(partition, region, account, group))
            for secret in container.secrets:
                kind = "secret" if ":secretsmanager:" in secret.value_from else "ssm-parameter"
                inventory.add_resource(
                    _secret_or_parameter(secret.value_from, kind, partition, task.region, account)
                )


def _stored_resources(snapshot: Snapshot, inventory: Inventory) -> None:
    partition = snapshot.partition
    for repository in snapshot.ecr_repositories:
        inventory.add_resource(
            ResourceEntry(repository.arn, "ecr-repository", repository.name, repository.policy)
        )
    for bucket in snapshot.buckets:
        inventory.add_resource(
            ResourceEntry(
                f"arn:{partition}:s3:::{bucket.name}", "s3-bucket", bucket.name, bucket.policy
            )
        )
    for key in snapshot.kms_keys:
        if key.policy is not None:
            inventory.add_resource(
                ResourceEntry(key.arn, "kms-key", key.arn.rsplit("/", 1)[-1], key.policy)
            )
            continue
        inventory.add_resource(
            ResourceEntry(
                key.arn,
                "kms-key",
                key.arn.rsplit("/", 1)[-1],
                default_key_policy(_account(key.arn), partition),
                note="key policy not collected: the default key policy is assumed",
            )
        )
    for connection in snapshot.connections:
        inventory.add_resource(ResourceEntry(connection.arn, "connection", connection.name))


def inventory_from_snapshot(snapshot: Snapshot) -> Inventory:
    inventory = Inventory()
    _roles(snapshot, inventory)
    _stored_resources(snapshot, inventory)
    _workloads(snapshot, inventory)
    return inventory
