"""Incidents: one failure to explain, with its texts by surface and the facts around it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pipedoctor.diagnose.facts import (
    DeployScope,
    action_facts,
    build_facts,
    deploy_facts,
    deploy_scope,
    derived_facts,
    snapshot_facts,
)
from pipedoctor.diagnose.matcher import ANY_SURFACE
from pipedoctor.model import ActionExecution, Build, Snapshot
from pipedoctor.model.findings import Location

SURFACES = [
    "codebuild-phase",
    "codebuild-log",
    "codepipeline-action",
    "ecs-task",
    "codedeploy",
    "cloudformation",
    "cli",
    "other",
]


@dataclass
class Incident:
    where: Location
    texts: dict[str, list[str]] = field(default_factory=dict)  # surface -> text blocks
    facts: dict[str, Any] = field(default_factory=dict)
    resource: str = ""

    @property
    def location(self) -> str:
        return self.where.text


def _build_texts(build: Build) -> dict[str, list[str]]:
    phase_texts = [
        f"{phase.phase_type}: {context.status_code or phase.phase_status}: {context.message}"
        for phase in build.failed_phases()
        for context in phase.contexts
    ]
    texts = {"codebuild-phase": phase_texts}
    if build.log_excerpt:
        texts["codebuild-log"] = ["\n".join(build.log_excerpt)]
    return texts


def _deploy_texts(scope: DeployScope) -> dict[str, list[str]]:
    """Stopped and container reasons and service events on `ecs-task`; the deployment's error and
    lifecycle diagnostics on `codedeploy`. Ten tasks stopped for one reason give one text."""
    ecs_texts = [task.stopped_reason for task in scope.stopped_tasks]
    ecs_texts += [
        f"{container.name}: {container.reason}"
        for task in scope.stopped_tasks
        for container in task.containers
        if container.reason
    ]
    if scope.service is not None:
        ecs_texts += [event.message for event in scope.service.events]
    texts = {"ecs-task": list(dict.fromkeys(text for text in ecs_texts if text))}
    deployment = scope.deployment
    if deployment is not None:
        codedeploy_texts = [f"{deployment.error_code}: {deployment.error_message}"] if deployment.error_message else []
        codedeploy_texts += [
            f"{event.name}: {event.status}: {event.diagnostics}"
            for event in deployment.lifecycle_events
            if event.diagnostics
        ]
        texts["codedeploy"] = codedeploy_texts
    return texts


def _incident_for_action(snapshot: Snapshot, action_execution: ActionExecution) -> Incident:
    facts = snapshot_facts(snapshot)
    facts.update(action_facts(snapshot, action_execution))
    texts: dict[str, list[str]] = {"codepipeline-action": [action_execution.summary]}
    build = snapshot.build(action_execution.external_execution_id)
    if build is not None:
        facts.update(build_facts(snapshot, build))
        texts.update(_build_texts(build))
    scope = deploy_scope(snapshot, action_execution)
    if scope is not None:
        facts.update(deploy_facts(snapshot, scope))
        texts.update(_deploy_texts(scope))
    facts.update(derived_facts(facts))
    where = Location.of_run(
        action_execution.pipeline_name,
        action_execution.pipeline_execution_id,
        action_execution.stage_name,
        action_execution.action_name,
    )
    return Incident(where=where, texts=texts, facts=facts, resource=facts.get("pipeline.arn", ""))


def incidents_from_snapshot(
    snapshot: Snapshot, pipeline: str | None = None, execution: str | None = None
) -> list[Incident]:
    """One incident per failed action execution, and per failed build no action explains."""
    incidents = []
    explained_builds = set()
    for action_execution in snapshot.action_executions:
        if action_execution.status != "Failed":
            continue
        if pipeline and action_execution.pipeline_name != pipeline:
            continue
        if execution and action_execution.pipeline_execution_id != execution:
            continue
        explained_builds.add(action_execution.external_execution_id)
        incidents.append(_incident_for_action(snapshot, action_execution))
    if pipeline or execution:
        return incidents
    for build in snapshot.builds:
        if build.status in ("SUCCEEDED", "IN_PROGRESS") or build.id in explained_builds:
            continue
        facts = snapshot_facts(snapshot)
        facts.update(build_facts(snapshot, build))
        incidents.append(
            Incident(
                where=Location.of_build(build.id), texts=_build_texts(build), facts=facts, resource=build.arn
            )
        )
    return incidents


def incident_from_text(text: str, surface: str | None = None) -> Incident:
    """A pasted error text with no AWS facts; from any surface unless one is named."""
    return Incident(where=Location(label="text"), texts={surface or ANY_SURFACE: [text]})
