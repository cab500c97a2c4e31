"""CodeBuild projects in the API's shape (BatchGetProjects answers, `create-project
--cli-input-json` files) -> Project: one mapping for what is collected and what is written."""

from __future__ import annotations

from typing import Any

from pipedoctor import redact
from pipedoctor.model import BuildEnvironment, EnvironmentVariable, Project, ProjectSource


def variables_from_api(raw: list[dict[str, Any]]) -> list[EnvironmentVariable]:
    return [
        EnvironmentVariable(
            name=v["name"],
            value=redact.plaintext_value(v["name"], v.get("value", ""), v.get("type", "PLAINTEXT")),
            type=v.get("type", "PLAINTEXT"),
        )
        for v in raw
    ]


def project_from_api(raw: dict[str, Any], region: str) -> Project:
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
            variables=variables_from_api(environment.get("environmentVariables", [])),
        ),
        log_group=cloudwatch.get("groupName", ""),
        logs_enabled=cloudwatch.get("status", "ENABLED") == "ENABLED",
        encryption_key=raw.get("encryptionKey", ""),
        vpc_id=raw.get("vpcConfig", {}).get("vpcId", ""),
    )
