"""AWS API shapes -> model objects: the one mapping for what is collected and what files define.

The collector passes API responses (BatchGetProjects, GetPipeline, DescribeTaskDefinition,
GetRole, GetConnection, DescribeRepositories); the CloudFormation, Terraform and JSON readers
resolve references, put their keys in the API's names and pass the same shapes. A file may hold
any type where the API guarantees one, so every value is read as the type the model wants.
Secrets (plaintext variables that look like them, token-like values) are redacted here, whatever
the source.
"""

from __future__ import annotations

import json
from typing import Any

from pipedoctor import redact
from pipedoctor.model.build import BuildEnvironment, EnvironmentVariable, Project, ProjectSource
from pipedoctor.model.deploy import (
    ContainerDefinition,
    ContainerSecret,
    LogConfiguration,
    TaskDefinition,
)
from pipedoctor.model.iam import ManagedPolicy, PolicyDocument, Role
from pipedoctor.model.pipeline import (
    ArtifactStore,
    GitTrigger,
    Pipeline,
    PipelineAction,
    PipelineStage,
)
from pipedoctor.model.resources import Connection, EcrRepository


def text(value: Any) -> str:
    """A value as the string the API would give (a flag as `true`, a structure as JSON)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value)
    return "" if value is None else str(value)


def flag(value: Any) -> bool | None:
    """A boolean, or None when the value is not one (an unresolved expression)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return None


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _objects(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _texts(value: Any) -> list[str]:
    return [text(item) for item in value] if isinstance(value, list) else []


def _number(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return int(value) if isinstance(value, str) and value.isdigit() else None


# -- CodeBuild ---------------------------------------------------------------------------------


def variables_from_api(raw: Any) -> list[EnvironmentVariable]:
    """`environmentVariables` of a project or a build."""
    found = []
    for variable in _objects(raw):
        name, kind = text(variable.get("name")), text(variable.get("type")) or "PLAINTEXT"
        if name:
            value = redact.plaintext_value(name, text(variable.get("value")), kind)
            found.append(EnvironmentVariable(name=name, value=value, type=kind))
    return found


def project_from_api(raw: dict[str, Any], region: str) -> Project:
    """A BatchGetProjects project (or `create-project` input)."""
    source = _object(raw.get("source"))
    auth = _object(source.get("auth"))
    environment = _object(raw.get("environment"))
    cloudwatch = _object(_object(raw.get("logsConfig")).get("cloudWatchLogs"))
    return Project(
        name=text(raw.get("name")),
        arn=text(raw.get("arn")),
        service_role=text(raw.get("serviceRole")),
        region=region,
        source=ProjectSource(
            type=text(source.get("type")) or "NO_SOURCE",
            location=text(source.get("location")),
            buildspec=text(source.get("buildspec")),
            git_clone_depth=_number(source.get("gitCloneDepth")),
            auth_type=text(auth.get("type")),
            auth_resource=text(auth.get("resource")),
        ),
        environment=BuildEnvironment(
            type=text(environment.get("type")) or "LINUX_CONTAINER",
            image=text(environment.get("image")),
            compute_type=text(environment.get("computeType")),
            privileged_mode=flag(environment.get("privilegedMode")) is True,
            image_pull_credentials_type=text(environment.get("imagePullCredentialsType"))
            or "CODEBUILD",
            variables=variables_from_api(environment.get("environmentVariables")),
        ),
        log_group=text(cloudwatch.get("groupName")),
        logs_enabled=text(cloudwatch.get("status") or "ENABLED") == "ENABLED",
        encryption_key=text(raw.get("encryptionKey")),
        vpc_id=text(_object(raw.get("vpcConfig")).get("vpcId")),
    )


# -- CodePipeline ------------------------------------------------------------------------------


def _action(raw: dict[str, Any]) -> PipelineAction:
    type_id = _object(raw.get("actionTypeId"))
    configuration = _object(raw.get("configuration"))
    return PipelineAction(
        name=text(raw.get("name")),
        category=text(type_id.get("category")),
        provider=text(type_id.get("provider")),
        owner=text(type_id.get("owner")) or "AWS",
        configuration=redact.action_configuration(
            {str(key): text(value) for key, value in configuration.items()}
        ),
        input_artifacts=[text(a.get("name")) for a in _objects(raw.get("inputArtifacts"))],
        output_artifacts=[text(a.get("name")) for a in _objects(raw.get("outputArtifacts"))],
        role_arn=text(raw.get("roleArn")) or None,
        namespace=text(raw.get("namespace")) or None,
        region=text(raw.get("region")) or None,
        run_order=_number(raw.get("runOrder")) or 1,
    )


def _artifact_stores(raw: dict[str, Any]) -> list[ArtifactStore]:
    stores: list[tuple[str | None, Any]] = []
    if "artifactStore" in raw:
        stores.append((None, raw["artifactStore"]))
    stores += list(_object(raw.get("artifactStores")).items())
    return [
        ArtifactStore(
            type=text(store.get("type")) or "S3",
            location=text(store.get("location")),
            kms_key_id=text(_object(store.get("encryptionKey")).get("id")) or None,
            region=region,
        )
        for region, store in stores
        if isinstance(store, dict)
    ]


def _trigger(raw: dict[str, Any]) -> GitTrigger | None:
    git = raw.get("gitConfiguration")
    if not isinstance(git, dict):
        return None
    pushes = _objects(git.get("push"))
    return GitTrigger(
        source_action=text(git.get("sourceActionName")),
        on_push_tags=[
            t for push in pushes for t in _texts(_object(push.get("tags")).get("includes"))
        ],
        on_push_branches=[
            b for push in pushes for b in _texts(_object(push.get("branches")).get("includes"))
        ],
        on_pull_request=bool(git.get("pullRequest")),
    )


def pipeline_from_api(raw: dict[str, Any], region: str, arn: str = "") -> Pipeline:
    """A GetPipeline `pipeline` (or a create-pipeline structure); `arn` from its metadata."""
    return Pipeline(
        name=text(raw.get("name")),
        arn=arn,
        role_arn=text(raw.get("roleArn")),
        region=region,
        pipeline_type=text(raw.get("pipelineType")) or "V1",
        version=_number(raw.get("version")) or 1,
        stages=[
            PipelineStage(
                name=text(stage.get("name")),
                actions=[_action(action) for action in _objects(stage.get("actions"))],
            )
            for stage in _objects(raw.get("stages"))
        ],
        artifact_stores=_artifact_stores(raw),
        triggers=[t for t in map(_trigger, _objects(raw.get("triggers"))) if t is not None],
        variables={
            text(v["name"]): text(v.get("defaultValue"))
            for v in _objects(raw.get("variables"))
            if v.get("name")
        },
    )


# -- ECS ---------------------------------------------------------------------------------------


def container_from_api(raw: dict[str, Any]) -> ContainerDefinition:
    logging = raw.get("logConfiguration")
    return ContainerDefinition(
        name=text(raw.get("name")),
        image=text(raw.get("image")),
        log_configuration=LogConfiguration(
            driver=text(logging.get("logDriver")),
            options={
                str(k): redact.text(text(v)) for k, v in _object(logging.get("options")).items()
            },
        )
        if isinstance(logging, dict)
        else None,
        secrets=[
            ContainerSecret(name=text(secret.get("name")), value_from=text(secret.get("valueFrom")))
            for secret in _objects(raw.get("secrets"))
        ],
        essential=flag(raw.get("essential")) is not False,
    )


def task_definition_from_api(raw: dict[str, Any], region: str) -> TaskDefinition:
    """A DescribeTaskDefinition `taskDefinition`."""
    return TaskDefinition(
        arn=text(raw.get("taskDefinitionArn")),
        family=text(raw.get("family")),
        region=region,
        task_role=text(raw.get("taskRoleArn")),
        execution_role=text(raw.get("executionRoleArn")),
        network_mode=text(raw.get("networkMode")),
        requires_compatibilities=_texts(raw.get("requiresCompatibilities")),
        cpu_architecture=text(_object(raw.get("runtimePlatform")).get("cpuArchitecture")),
        containers=[container_from_api(c) for c in _objects(raw.get("containerDefinitions"))],
    )


# -- IAM, connections, ECR ---------------------------------------------------------------------


def role_from_api(
    raw: dict[str, Any],
    inline_policies: dict[str, PolicyDocument] | None = None,
    attached: list[ManagedPolicy] | None = None,
    boundary: ManagedPolicy | None = None,
) -> Role:
    """A GetRole `Role` with the policies read beside it (ListRolePolicies + GetRolePolicy,
    ListAttachedRolePolicies + GetPolicyVersion, the boundary's policy)."""
    trust = raw.get("AssumeRolePolicyDocument")
    return Role(
        name=text(raw.get("RoleName")),
        arn=text(raw.get("Arn")),
        trust_policy=trust if isinstance(trust, dict) else {},
        inline_policies=dict(inline_policies or {}),
        attached_policies=list(attached or []),
        permissions_boundary=boundary,
        path=text(raw.get("Path")) or "/",
    )


def connection_from_api(raw: dict[str, Any]) -> Connection:
    """A GetConnection `Connection`."""
    return Connection(
        arn=text(raw.get("ConnectionArn")),
        name=text(raw.get("ConnectionName")),
        provider_type=text(raw.get("ProviderType")),
        status=text(raw.get("ConnectionStatus")),
        owner_account=text(raw.get("OwnerAccountId")),
    )


def repository_from_api(raw: dict[str, Any]) -> EcrRepository:
    """A DescribeRepositories repository."""
    return EcrRepository(
        name=text(raw.get("repositoryName")),
        arn=text(raw.get("repositoryArn")),
        uri=text(raw.get("repositoryUri")),
    )
