"""Pipeline executions and their action executions."""

from __future__ import annotations

from typing import Any

from pipedoctor import redact
from pipedoctor.collect.reader import Reader
from pipedoctor.collect.values import iso
from pipedoctor.model import ActionExecution, Pipeline, PipelineExecution

LIST_PAGE_LIMIT = 100


def recent_executions(
    reader: Reader, client: Any, pipeline: Pipeline, count: int
) -> list[PipelineExecution]:
    """The `count` most recent executions (the list API returns the newest first)."""
    pages = reader.pages(
        client,
        "list_pipeline_executions",
        resource=pipeline.name,
        pipelineName=pipeline.name,
        PaginationConfig={"MaxItems": count, "PageSize": min(count, LIST_PAGE_LIMIT)},
    )
    summaries = [s for page in pages or [] for s in page.get("pipelineExecutionSummaries", [])]
    executions = [_from_summary(pipeline.name, summary) for summary in summaries[:count]]
    # Resolved variables exist only for pipelines that declare variables: only then is the
    # per-execution GetPipelineExecution worth a call.
    if pipeline.variables:
        for execution in executions:
            detail = _get_execution(reader, client, pipeline.name, execution.execution_id)
            if detail is not None:
                execution.variables = _resolved_variables(detail)
    return executions


def one_execution(client: Any, pipeline_name: str, execution_id: str) -> PipelineExecution:
    """Raises ClientError (PipelineExecutionNotFoundException ...) for the caller to judge."""
    detail = client.get_pipeline_execution(
        pipelineName=pipeline_name, pipelineExecutionId=execution_id
    )["pipelineExecution"]
    trigger = detail.get("trigger", {})
    return PipelineExecution(
        pipeline_name=pipeline_name,
        execution_id=detail["pipelineExecutionId"],
        status=detail.get("status", ""),
        trigger_type=trigger.get("triggerType", ""),
        trigger_detail=trigger.get("triggerDetail", ""),
        status_summary=detail.get("statusSummary", ""),
        source_revisions=[
            {
                "actionName": revision.get("name", ""),
                "revisionId": revision.get("revisionId", ""),
                "revisionSummary": revision.get("revisionSummary", ""),
                "revisionUrl": revision.get("revisionUrl", ""),
            }
            for revision in detail.get("artifactRevisions", [])
        ],
        variables=_resolved_variables(detail),
    )


def action_executions(
    reader: Reader, client: Any, pipeline_name: str, execution_id: str
) -> list[ActionExecution]:
    pages = reader.pages(
        client,
        "list_action_executions",
        resource=f"{pipeline_name}/{execution_id}",
        pipelineName=pipeline_name,
        filter={"pipelineExecutionId": execution_id},
    )
    details = [d for page in pages or [] for d in page.get("actionExecutionDetails", [])]
    return [_action_execution(pipeline_name, detail) for detail in details]


def _get_execution(
    reader: Reader, client: Any, pipeline_name: str, execution_id: str
) -> dict[str, Any] | None:
    response = reader.call(
        client,
        "get_pipeline_execution",
        resource=f"{pipeline_name}/{execution_id}",
        pipelineName=pipeline_name,
        pipelineExecutionId=execution_id,
    )
    return response["pipelineExecution"] if response else None


def _resolved_variables(detail: dict[str, Any]) -> dict[str, str]:
    return {v["name"]: redact.text(v.get("resolvedValue", "")) for v in detail.get("variables", [])}


def _from_summary(pipeline_name: str, summary: dict[str, Any]) -> PipelineExecution:
    trigger = summary.get("trigger", {})
    return PipelineExecution(
        pipeline_name=pipeline_name,
        execution_id=summary["pipelineExecutionId"],
        status=summary.get("status", ""),
        trigger_type=trigger.get("triggerType", ""),
        trigger_detail=trigger.get("triggerDetail", ""),
        start_time=iso(summary.get("startTime")),
        status_summary=summary.get("statusSummary", ""),
        source_revisions=[dict(revision) for revision in summary.get("sourceRevisions", [])],
    )


def _action_execution(pipeline_name: str, raw: dict[str, Any]) -> ActionExecution:
    action_input = raw.get("input", {})
    output = raw.get("output", {})
    result = output.get("executionResult", {})
    detail = result.get("errorDetails") or {}
    return ActionExecution(
        pipeline_name=pipeline_name,
        pipeline_execution_id=raw.get("pipelineExecutionId", ""),
        action_execution_id=raw.get("actionExecutionId", ""),
        stage_name=raw.get("stageName", ""),
        action_name=raw.get("actionName", ""),
        status=raw.get("status", ""),
        provider=action_input.get("actionTypeId", {}).get("provider", ""),
        start_time=iso(raw.get("startTime")),
        error_code=detail.get("code", ""),
        summary=result.get("externalExecutionSummary", "") or detail.get("message", ""),
        external_execution_id=result.get("externalExecutionId", ""),
        external_execution_url=result.get("externalExecutionUrl", ""),
        resolved_configuration=redact.action_configuration(
            action_input.get("resolvedConfiguration", {})
        ),
        output_variables={
            key: redact.text(str(value)) for key, value in output.get("outputVariables", {}).items()
        },
    )
