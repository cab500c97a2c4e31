"""Facts about the failed action: its role, its configured variables and what started the execution."""

from __future__ import annotations

from typing import Any

from pipedoctor.diagnose.facts.build import project_facts
from pipedoctor.diagnose.facts.pipeline import (
    artifact_store_facts,
    connection_facts,
    pipeline_facts,
)
from pipedoctor.knowledge.pipeline_variables import (
    EVENT_ONLY_VARIABLES,
    action_environment_variables,
    variable_references,
)
from pipedoctor.model import ActionExecution, Snapshot


def _action_environment(configuration: dict[str, str]) -> dict[str, str]:
    variables = action_environment_variables(configuration) or []
    return {str(v.get("name")): str(v.get("value", "")) for v in variables if v.get("name")}


def _event_only_refs(configured: dict[str, str]) -> list[str]:
    """Variables whose configured value is a source variable only some git events fill."""
    refs = []
    for name, value in configured.items():
        for _, variable in variable_references(value):
            if variable in EVENT_ONLY_VARIABLES:
                refs.append(name)
    return refs


# Triggers that never carry a git event, so never a tag.
NON_GIT_TRIGGERS = {"StartPipelineExecution", "CreatePipeline", "CloudWatchEvent", "PutActionRevision"}


def _started_by_tag(snapshot: Snapshot, pipeline_name: str, execution_id: str) -> bool | None:
    """True/False when the execution's trigger or source output says; None when nothing does."""
    execution = snapshot.execution(pipeline_name, execution_id)
    if execution is None:
        return None
    if any(str(r.get("revisionType", "")).upper() == "TAG" for r in execution.source_revisions):
        return True
    for action_execution in snapshot.action_executions:
        if (
            action_execution.pipeline_name == pipeline_name
            and action_execution.pipeline_execution_id == execution_id
            and "TagName" in action_execution.output_variables
        ):
            return bool(action_execution.output_variables["TagName"])
    if execution.trigger_type in NON_GIT_TRIGGERS:
        return False
    return None


def action_facts(snapshot: Snapshot, action_execution: ActionExecution) -> dict[str, Any]:
    """The failed action, its stage and role, the variables configured for it and what started the execution."""
    facts: dict[str, Any] = {
        "execution.id": action_execution.pipeline_execution_id,
        "action.name": action_execution.action_name,
        "stage.name": action_execution.stage_name,
    }
    pipeline = snapshot.pipeline(action_execution.pipeline_name)
    configured_env: dict[str, str] = {}
    if pipeline is not None:
        facts.update(pipeline_facts(pipeline))
        facts.update(artifact_store_facts(snapshot, facts))
        action = pipeline.find_action(action_execution.stage_name, action_execution.action_name)
        if action is not None:
            facts["action.provider"] = action.provider
            facts["action.category"] = action.category
            facts["action.role"] = action.role_arn or pipeline.role_arn
            configured_env = _action_environment(action.configuration)
            project_name = action.configuration.get("ProjectName", "")
            if (project := snapshot.project(project_name)) is not None:
                facts.update(project_facts(project))
                configured_env = {
                    **{v.name: v.value for v in project.environment.variables},
                    **configured_env,
                }
    if connection_arn := facts.get("source.connection_arn"):
        facts.update(connection_facts(snapshot, connection_arn))
    execution = snapshot.execution(action_execution.pipeline_name, action_execution.pipeline_execution_id)
    if execution is not None:
        facts["execution.trigger"] = execution.trigger_type
        facts["execution.trigger_detail"] = execution.trigger_detail
    started_by_tag = _started_by_tag(
        snapshot, action_execution.pipeline_name, action_execution.pipeline_execution_id
    )
    if started_by_tag is not None:
        facts["execution.started_by_tag"] = started_by_tag
    facts["env.configured"] = configured_env
    refs = _event_only_refs(configured_env)
    facts["env.event_only_refs"] = refs  # known, possibly empty: the configuration was read
    if refs:
        facts["env.event_only_ref"] = f"{refs[0]}={configured_env[refs[0]]}"
    return facts


def derived_facts(facts: dict[str, Any]) -> dict[str, Any]:
    """Facts that combine what the action and the build said."""
    derived: dict[str, Any] = {}
    resolved = facts.get("env.resolved", {})
    empty = [name for name in facts.get("env.event_only_refs", []) if resolved.get(name) == ""]
    if empty:
        derived["env.empty_refs"] = empty
    return derived
