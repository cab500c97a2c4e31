"""CodeDeploy reads for a failed ECS blue/green deploy: the deployment, its group and targets."""

from __future__ import annotations

import re
from typing import Any

from pipedoctor import redact
from pipedoctor.collect.reader import Reader
from pipedoctor.model import CodeDeployDeployment, EcsServiceRef, LifecycleEvent

TARGET_LIMIT = 25  # BatchGetDeploymentTargets takes up to 25 ids; an ECS deployment has one
_TASK_DEFINITION_ARN = re.compile(r"arn:aws[\w-]*:ecs:[\w-]+:\d{12}:task-definition/[\w-]+:\d+")


def deployment(
    reader: Reader, client: Any, deployment_id: str, region: str
) -> CodeDeployDeployment | None:
    response = reader.call(
        client, "get_deployment", resource=deployment_id, deploymentId=deployment_id
    )
    if response is None:
        return None
    return parse_deployment(response["deploymentInfo"], region)


def parse_deployment(raw: dict[str, Any], region: str) -> CodeDeployDeployment:
    error = raw.get("errorInformation") or {}
    revision = raw.get("revision") or {}
    appspec = (revision.get("appSpecContent") or revision.get("string") or {}).get("content", "")
    named = _TASK_DEFINITION_ARN.search(appspec)
    return CodeDeployDeployment(
        id=raw.get("deploymentId", ""),
        application=raw.get("applicationName", ""),
        group=raw.get("deploymentGroupName", ""),
        region=region,
        status=raw.get("status", ""),
        error_code=error.get("code", ""),
        error_message=redact.text(error.get("message", "")),
        task_definition=named.group(0) if named else "",
    )


def add_group(reader: Reader, client: Any, found: CodeDeployDeployment) -> None:
    """Sets the ECS services and target groups the deployment group deploys to."""
    response = reader.call(
        client,
        "get_deployment_group",
        resource=f"{found.application}/{found.group}",
        applicationName=found.application,
        deploymentGroupName=found.group,
    )
    if response is None:
        return
    group = response["deploymentGroupInfo"]
    found.ecs_services = [
        EcsServiceRef(cluster=s.get("clusterName", ""), service=s.get("serviceName", ""))
        for s in group.get("ecsServices", [])
    ]
    pairs = group.get("loadBalancerInfo", {}).get("targetGroupPairInfoList", [])
    found.target_groups = [
        target["name"]
        for pair in pairs
        for target in pair.get("targetGroups", [])
        if "name" in target
    ]


def add_lifecycle_events(reader: Reader, client: Any, found: CodeDeployDeployment) -> None:
    """Sets the lifecycle events of the deployment's targets (ECS: one target per service)."""
    listed = reader.call(
        client, "list_deployment_targets", resource=found.id, deploymentId=found.id
    )
    target_ids = (listed or {}).get("targetIds", [])[:TARGET_LIMIT]
    if not target_ids:
        return
    response = reader.call(
        client,
        "batch_get_deployment_targets",
        resource=found.id,
        deploymentId=found.id,
        targetIds=target_ids,
    )
    for target in (response or {}).get("deploymentTargets", []):
        detail = target.get("ecsTarget") or target.get("instanceTarget") or {}
        found.lifecycle_events += [_event(event) for event in detail.get("lifecycleEvents", [])]


def _event(raw: dict[str, Any]) -> LifecycleEvent:
    diagnostics = raw.get("diagnostics") or {}
    parts = [diagnostics.get("errorCode", ""), diagnostics.get("message", "")]
    return LifecycleEvent(
        name=raw.get("lifecycleEventName", ""),
        status=raw.get("status", ""),
        diagnostics=redact.text(": ".join(part for part in parts if part)),
    )
