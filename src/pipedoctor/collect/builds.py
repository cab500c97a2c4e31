"""CodeBuild builds and projects, fetched in batches of up to 100."""

from __future__ import annotations

from typing import Any

from pipedoctor import redact
from pipedoctor.collect.reader import Reader
from pipedoctor.collect.values import chunks, iso
from pipedoctor.model import (
    Build,
    BuildEnvironment,
    BuildPhase,
    EnvironmentVariable,
    PhaseContext,
    Project,
    ProjectSource,
)

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
        found += [_project(raw, region) for raw in (response or {}).get("projects", [])]
    return found


def _variables(raw: list[dict[str, Any]]) -> list[EnvironmentVariable]:
    return [
        EnvironmentVariable(
            name=v["name"],
            value=redact.plaintext_value(v["name"], v.get("value", ""), v.get("type", "PLAINTEXT")),
            type=v.get("type", "PLAINTEXT"),
        )
        for v in raw
    ]


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
        environment_variables=_variables(
            raw.get("environment", {}).get("environmentVariables", [])
        ),
        log_group=logs.get("groupName", ""),
        log_stream=logs.get("streamName", ""),
    )


def _project(raw: dict[str, Any], region: str) -> Project:
    source = raw.get("source", {})
    environment = raw.get("environment", {})
    cloudwatch = raw.get("logsConfig", {}).get("cloudWatchLogs", {})
    return Project(
        name=raw["name"],
        arn=raw.get("arn", ""),
        service_role=raw.get("serviceRole", ""),
        region=region,
        source=ProjectSource(
            type=source.get("type", "NO_SOURCE"),
            location=source.get("location", ""),
            buildspec=source.get("buildspec", ""),
            git_clone_depth=source.get("gitCloneDepth"),
            auth_type=source.get("auth", {}).get("type", ""),
            auth_resource=source.get("auth", {}).get("resource", ""),
        ),
        environment=BuildEnvironment(
            type=environment.get("type", "LINUX_CONTAINER"),
            image=environment.get("image", ""),
            compute_type=environment.get("computeType", ""),
            privileged_mode=bool(environment.get("privilegedMode", False)),
            image_pull_credentials_type=environment.get("imagePullCredentialsType", "CODEBUILD"),
            variables=_variables(environment.get("environmentVariables", [])),
        ),
        log_group=cloudwatch.get("groupName", ""),
        logs_enabled=cloudwatch.get("status", "ENABLED") == "ENABLED",
        encryption_key=raw.get("encryptionKey", ""),
        vpc_id=raw.get("vpcConfig", {}).get("vpcId", ""),
    )
