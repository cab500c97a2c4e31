"""What explains a failed deploy action: for `ECS` and `CodeDeployToECS` actions that failed, the
ECS service and its events, the task definitions, the recently stopped tasks, the CodeDeploy
deployment, and the task and execution roles (so the IAM checks can run on them)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from pipedoctor.collect import codedeploy, ecs
from pipedoctor.collect.reader import Reader
from pipedoctor.collect.tasks import Tasks
from pipedoctor.model import ActionExecution, Pipeline, Snapshot

DEPLOY_PROVIDERS = {"ECS", "CodeDeployToECS"}


class DeployReads:
    """Each service, task definition and deployment is read once per run, whatever asks for it."""

    def __init__(
        self,
        reader: Reader,
        client: Callable[[str, str], Any],
        tasks: Tasks,
        snapshot: Snapshot,
        role: Callable[[str | None], None],
    ) -> None:
        self.reader = reader
        self.client = client
        self.tasks = tasks
        self.snapshot = snapshot
        self.role = role
        self._lock = threading.Lock()

    def failed_actions(self, actions: list[ActionExecution], pipelines: list[Pipeline]) -> None:
        by_name = {pipeline.name: pipeline for pipeline in pipelines}
        for action in actions:
            pipeline = by_name.get(action.pipeline_name)
            if action.status != "Failed" or action.provider not in DEPLOY_PROVIDERS or not pipeline:
                continue
            declared = pipeline.find_action(action.stage_name, action.action_name)
            region = (declared.region if declared else None) or pipeline.region
            configuration = {
                **(declared.configuration if declared else {}),
                **action.resolved_configuration,
            }
            if action.provider == "ECS":
                self.service(
                    region,
                    configuration.get("ClusterName", ""),
                    configuration.get("ServiceName", ""),
                )
            elif action.external_execution_id:
                key = ("deployment", region, action.external_execution_id)
                self.tasks.submit_once(
                    key, self.fetch_deployment, region, action.external_execution_id
                )

    def add(self, items: list[Any], *found: Any) -> None:
        with self._lock:
            items.extend(item for item in found if item is not None)

    def service(self, region: str, cluster: str, name: str) -> None:
        if cluster and name and "#{" not in cluster + name:
            key = (region, cluster, name)
            self.tasks.submit_once(("ecs-service", *key), self.fetch_service, *key)
            self.tasks.submit_once(("ecs-stopped-tasks", *key), self.fetch_stopped_tasks, *key)

    def fetch_service(self, region: str, cluster: str, name: str) -> None:
        found = ecs.service(self.reader, self.client("ecs", region), cluster, name, region)
        if found is None:
            return
        self.add(self.snapshot.ecs_services, found)
        for arn in [found.task_definition, *found.deployment_task_definitions]:
            self.task_definition(region, arn)

    def fetch_stopped_tasks(self, region: str, cluster: str, name: str) -> None:
        found = ecs.stopped_tasks(self.reader, self.client("ecs", region), cluster, name)
        self.add(self.snapshot.stopped_tasks, *found)
        for task in found:
            self.task_definition(region, task.task_definition)

    def task_definition(self, region: str, arn: str) -> None:
        if arn:
            self.tasks.submit_once(
                ("task-definition", arn), self.fetch_task_definition, region, arn
            )

    def fetch_task_definition(self, region: str, arn: str) -> None:
        found = ecs.task_definition(self.reader, self.client("ecs", region), arn, region)
        if found is not None:
            self.add(self.snapshot.task_definitions, found)
            self.role(found.task_role)
            self.role(found.execution_role)

    def fetch_deployment(self, region: str, deployment_id: str) -> None:
        client = self.client("codedeploy", region)
        found = codedeploy.deployment(self.reader, client, deployment_id, region)
        if found is None:
            return
        codedeploy.add_group(self.reader, client, found)
        codedeploy.add_lifecycle_events(self.reader, client, found)
        self.add(self.snapshot.deployments, found)
        for ref in found.ecs_services:
            self.service(region, ref.cluster, ref.service)
        self.task_definition(region, found.task_definition)
