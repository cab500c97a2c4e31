"""CodeBuild builds and projects, fetched in batches of up to 100."""

from __future__ import annotations

from typing import Any

from pipedoctor import redact
from pipedoctor.collect.reader import Reader
from pipedoctor.collect.values import chunks, iso
from pipedoctor.model import Build, BuildPhase, PhaseContext, Project
from pipedoctor.model.from_api import project_from_api, variables_from_api

BATCH_LIMIT = 100


def builds(reader: Reader, client: Any, build_ids: list[str], region: str) -> list[Build]:
    found: list[Build] = []
    for batch in chunks(sorted(set(build_ids)), BATCH_LIMIT):
        response = reader.call(client, "batch_get_builds", resource=",".join(batch), ids=batch)
        found += [_build(raw, region) for raw in (response or {}).get("builds", [])]
    return found


def projects(reader: Reader, client: Any, names: list[str], region: str) -> list[Project]:
    found: list[Project] = []
    for batch in chunks(sorted(set(names)), BATCH_LIMIT):
        response = reader.call(client, "batch_get_projects", resource=",".join(batch), names=batch)
        found += [project_from_api(raw, region) for raw in (response or {}).get("projects", [])]
    return found


def _build(raw: dict[str, Any], region: str) -> Build:
    logs = raw.get("logs", {})
    return Build(
        id=raw["id"],
        arn=raw.get("arn", ""),
        project_name=raw.get("projectName", ""),
        status=raw.get("buildStatus", ""),
        region=region,
        start_time=iso(raw.get("startTime")),
        initiator=raw.get("initiator", ""),
        source_version=raw.get("sourceVersion", ""),
        resolved_source_version=raw.get("resolvedSourceVersion", ""),
        service_role=raw.get("serviceRole", ""),
        phases=[
            BuildPhase(
                phase_type=phase.get("phaseType", ""),
                phase_status=phase.get("phaseStatus", ""),
                contexts=[
                    PhaseContext(
                        status_code=context.get("statusCode", ""),
                        message=redact.text(context.get("message", "")),
                    )
                    for context in phase.get("contexts", [])
                ],
            )
            for phase in raw.get("phases", [])
        ],
        environment_variables=variables_from_api(
            raw.get("environment", {}).get("environmentVariables", [])
        ),
        log_group=logs.get("groupName", ""),
        log_stream=logs.get("streamName", ""),
    )
