"""ECS reads for a failed deploy: the service with its events, task definitions, stopped tasks."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from pipedoctor import redact
from pipedoctor.collect.reader import Reader
from pipedoctor.collect.values import iso
from pipedoctor.model import (
    EcsService,
    ServiceEvent,
    StoppedContainer,
    StoppedTask,
    TaskDefinition,
)
from pipedoctor.model.from_api import task_definition_from_api

SERVICE_EVENTS = 20  # DescribeServices returns up to 100, newest first
STOPPED_TASKS = 10  # ECS keeps stopped tasks for about an hour; the newest explain the failure


def service(reader: Reader, client: Any, cluster: str, name: str, region: str) -> EcsService | None:
    response = reader.call(
        client,
        "describe_services",
        resource=f"{cluster}/{name}",
        cluster=cluster,
        services=[name],
    )
    if response is None:
        return None
    found = response.get("services", [])
    if not found:
        # A service that does not exist comes back as a failure entry, not as an error.
        for failure in response.get("failures", [])[:1]:
            error = ClientError(
                {
                    "Error": {
                        "Code": failure.get("reason", "MISSING"),
                        "Message": "service not found",
                    }
                },
                "DescribeServices",
            )
            reader.record(client, "describe_services", error, f"{cluster}/{name}")
        return None
    return parse_service(found[0], region)


def parse_service(raw: dict[str, Any], region: str) -> EcsService:
    deployments = raw.get("deployments", [])
    primary = next((d for d in deployments if d.get("status") == "PRIMARY"), None)
    return EcsService(
        cluster=raw.get("clusterArn", "").rsplit("/", 1)[-1],
        name=raw.get("serviceName", ""),
        arn=raw.get("serviceArn", ""),
        region=region,
        deployment_controller=raw.get("deploymentController", {}).get("type", "ECS"),
        task_definition=(primary or raw).get("taskDefinition", ""),
        deployment_task_definitions=[
            d["taskDefinition"] for d in deployments if d.get("taskDefinition")
        ],
        events=[
            ServiceEvent(message=event.get("message", ""), created_at=iso(event.get("createdAt")))
            for event in raw.get("events", [])[:SERVICE_EVENTS]
        ],
        target_groups=[
            balancer["targetGroupArn"]
            for balancer in raw.get("loadBalancers", [])
            if balancer.get("targetGroupArn")
        ],
    )


def task_definition(reader: Reader, client: Any, arn: str, region: str) -> TaskDefinition | None:
    response = reader.call(client, "describe_task_definition", resource=arn, taskDefinition=arn)
    if response is None:
        return None
    return task_definition_from_api(response["taskDefinition"], region)


def stopped_tasks(
    reader: Reader, client: Any, cluster: str, service_name: str
) -> list[StoppedTask]:
    """The service's most recently stopped tasks with their reasons."""
    listed = reader.call(
        client,
        "list_tasks",
        resource=f"{cluster}/{service_name}",
        cluster=cluster,
        serviceName=service_name,
        desiredStatus="STOPPED",
        maxResults=STOPPED_TASKS,
    )
    arns = (listed or {}).get("taskArns", [])[:STOPPED_TASKS]
    if not arns:
        return []
    described = reader.call(
        client, "describe_tasks", resource=f"{cluster}/{service_name}", cluster=cluster, tasks=arns
    )
    found = [parse_task(raw) for raw in (described or {}).get("tasks", [])]
    return sorted(found, key=lambda task: task.stopped_at, reverse=True)


def parse_task(raw: dict[str, Any]) -> StoppedTask:
    return StoppedTask(
        arn=raw.get("taskArn", ""),
        task_definition=raw.get("taskDefinitionArn", ""),
        cluster=raw.get("clusterArn", "").rsplit("/", 1)[-1],
        group=raw.get("group", ""),
        stop_code=raw.get("stopCode", ""),
        stopped_reason=redact.text(raw.get("stoppedReason", "")),
        stopped_at=iso(raw.get("stoppedAt") or raw.get("executionStoppedAt")),
        containers=[
            StoppedContainer(
                name=container.get("name", ""),
                image=container.get("image", ""),
                reason=redact.text(container.get("reason", "")),
                exit_code=container.get("exitCode"),
            )
            for container in raw.get("containers", [])
        ],
    )
