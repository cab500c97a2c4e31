"""Facts about an ECS deploy action: the service, the stopped tasks and the CodeDeploy deployment."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pipedoctor.diagnose.facts.task import task_definition_facts
from pipedoctor.model import (
    ActionExecution,
    CodeDeployDeployment,
    EcsService,
    Snapshot,
    StoppedTask,
    TaskDefinition,
)

DEPLOY_PROVIDERS = ("ECS", "CodeDeployToECS")


@dataclass
class DeployScope:
    """What was collected about one failed deploy action."""

    service: EcsService | None
    task_definition: TaskDefinition | None
    stopped_tasks: list[StoppedTask]
    deployment: CodeDeployDeployment | None


def deploy_scope(snapshot: Snapshot, action_execution: ActionExecution) -> DeployScope | None:
    """None when the action is no ECS deploy."""
    if action_execution.provider not in DEPLOY_PROVIDERS:
        return None
    deployment = None
    if action_execution.provider == "ECS":
        pipeline = snapshot.pipeline(action_execution.pipeline_name)
        declared = (
            pipeline.find_action(action_execution.stage_name, action_execution.action_name)
            if pipeline
            else None
        )
        configuration = {
            **(declared.configuration if declared else {}),
            **action_execution.resolved_configuration,
        }
        targets = [(configuration.get("ClusterName", ""), configuration.get("ServiceName", ""))]
    else:
        deployment = snapshot.deployment(action_execution.external_execution_id)
        targets = (
            [(ref.cluster, ref.service) for ref in deployment.ecs_services] if deployment else []
        )
    services = [
        found for cluster, name in targets if (found := snapshot.ecs_service(cluster, name))
    ]
    stopped = [
        task
        for cluster, name in targets
        for task in snapshot.stopped_tasks
        if task.cluster == cluster.rsplit("/", 1)[-1] and task.group in ("", f"service:{name}")
    ]
    stopped.sort(key=lambda task: task.stopped_at, reverse=True)
    service = services[0] if services else None
    # The revision that failed: the deployment's, else the newest stopped task's, else the service's.
    candidates = [
        deployment.task_definition if deployment else "",
        *(task.task_definition for task in stopped),
        service.task_definition if service else "",
    ]
    task_definition = next(
        (found for arn in candidates if arn and (found := snapshot.task_definition(arn))), None
    )
    return DeployScope(service, task_definition, stopped, deployment)


def deploy_facts(snapshot: Snapshot, scope: DeployScope) -> dict[str, Any]:
    """The ECS deploy: service, task definition, the newest stopped task and the CodeDeploy deployment."""
    facts: dict[str, Any] = {}
    if scope.service is not None:
        facts.update(service_facts(scope.service))
    if scope.task_definition is not None:
        facts.update(
            task_definition_facts(scope.task_definition, snapshot.partition, snapshot.account_id)
        )
    if scope.stopped_tasks:
        newest = scope.stopped_tasks[0]
        facts["task.stop_code"] = newest.stop_code
        facts["task.stopped_reason"] = newest.stopped_reason
    if scope.deployment is not None:
        facts.update(deployment_facts(scope.deployment))
    return facts


def service_facts(service: EcsService) -> dict[str, Any]:
    """The ECS service the deploy action updates."""
    return {
        "service.name": service.name,
        "service.cluster": service.cluster,
        "service.arn": service.arn,
        "service.deployment_controller": service.deployment_controller,
        "service.task_definition": service.task_definition,
        "service.target_groups": list(service.target_groups),
    }


def deployment_facts(deployment: CodeDeployDeployment) -> dict[str, Any]:
    """The CodeDeploy blue/green deployment and its first failed lifecycle event."""
    facts: dict[str, Any] = {
        "deployment.id": deployment.id,
        "deployment.application": deployment.application,
        "deployment.group": deployment.group,
        "deployment.status": deployment.status,
        "deployment.error_code": deployment.error_code,
        "deployment.error_message": deployment.error_message,
        "deployment.target_groups": list(deployment.target_groups),
        "deployment.distinct_target_groups": len(set(deployment.target_groups)),
    }
    failed = [event.name for event in deployment.lifecycle_events if event.status == "Failed"]
    if failed:
        facts["deployment.failed_event"] = failed[0]
    return facts
