"""Facts about an incident, flattened to dotted names that rules test and templates use.

A fact that is unknown is absent, never guessed: rules tell "unknown" from "false".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from pipedoctor.knowledge.arns import arn_account, arn_region, arn_service, secret_arn, split_arn
from pipedoctor.knowledge.connections import other_prefix_arn
from pipedoctor.knowledge.images import (
    ecr_registry,
    is_curated_codebuild_image,
    names_no_registry,
    parse_image,
)
from pipedoctor.model import (
    ActionExecution,
    Build,
    CodeDeployDeployment,
    EcsService,
    Pipeline,
    Project,
    Snapshot,
    StoppedTask,
    TaskDefinition,
)
from pipedoctor.sources.dockerfile import base_images
from pipedoctor.sources.repository import is_dockerfile
from pipedoctor.textparse import ParseError, parse_json

# Source variables only filled by one kind of git event (a tag push, a pull request);
# any other start leaves them empty.
EVENT_ONLY_VARIABLES = frozenset(
    {"TagName", "PullRequestId", "PullRequestTitle", "SourceBranchName", "DestinationBranchName"}
)
_VARIABLE_REF = re.compile(r"#\{(?P<namespace>[\w-]+)\.(?P<name>\w+)\}")
_LOG_IMAGE = re.compile(
    r"(?:\bFROM\s+(?:--platform=\S+\s+)?|docker pull\s+|load metadata for\s+|"
    r"pulling from\s+|failed to resolve source metadata for\s+)(?P<image>[\w./:@-]+)",
    re.IGNORECASE,
)


def snapshot_facts(snapshot: Snapshot) -> dict[str, Any]:
    facts: dict[str, Any] = {"partition": snapshot.partition}
    if snapshot.account_id:
        facts["account"] = snapshot.account_id
    if snapshot.regions:
        facts["region"] = snapshot.regions[0]
    return facts


def _pipeline_facts(pipeline: Pipeline) -> dict[str, Any]:
    tag_filters = [tag for trigger in pipeline.triggers for tag in trigger.on_push_tags]
    facts: dict[str, Any] = {
        "pipeline.name": pipeline.name,
        "pipeline.arn": pipeline.arn,
        "pipeline.role": pipeline.role_arn,
        "pipeline.tag_filters": tag_filters,
        "account": arn_account(pipeline.arn),  # a multi-account snapshot: the pipeline's own
        "pipeline.has_tag_trigger": bool(tag_filters),
        "region": pipeline.region,
    }
    for store in pipeline.artifact_stores[:1]:
        facts["artifact.bucket"] = store.location
        facts["artifact.bucket_arn"] = f"arn:aws:s3:::{store.location}"
        if store.kms_key_id:
            facts["artifact.kms_key"] = store.kms_key_id
    sources = pipeline.source_actions()
    if sources:
        source = sources[0]
        facts["source.action"] = source.name
        facts["source.provider"] = source.provider
        facts["source.output_format"] = source.configuration.get("OutputArtifactFormat", "CODE_ZIP")
        if connection_arn := source.configuration.get("ConnectionArn"):
            facts["source.connection_arn"] = connection_arn
        if source.namespace:
            facts["source.namespace"] = source.namespace
        repository = source.configuration.get("RepositoryName")
        arn_parts = split_arn(pipeline.arn)
        if source.provider == "CodeCommit" and repository and arn_parts:
            _, partition, _, region, account, _ = arn_parts
            facts["source.repository_arn"] = f"arn:{partition}:codecommit:{region}:{account}:{repository}"
    if "artifact.kms_key" in facts:
        facts["artifact.kms_key_ref"] = _key_reference_form(facts["artifact.kms_key"])
    return facts


def _key_reference_form(key: str) -> str:
    """"arn", "alias-arn", "alias" or "id": only a full key ARN resolves in the key owner's account."""
    if key.startswith("arn:"):
        return "alias-arn" if ":alias/" in key else "arn"
    return "alias" if key.startswith("alias/") else "id"


def artifact_store_facts(snapshot: Snapshot, facts: dict[str, Any]) -> dict[str, Any]:
    """How the artifact bucket is encrypted, when the bucket was collected."""
    bucket_name = facts.get("artifact.bucket")
    bucket = next((b for b in snapshot.buckets if b.name == bucket_name), None) if bucket_name else None
    if bucket is None:
        return {}
    found: dict[str, Any] = {"artifact.bucket_encryption": bucket.encryption or "none"}
    kms_encrypted = bucket.encryption == "aws:kms" or "artifact.kms_key" in facts
    found["artifact.kms_encrypted"] = kms_encrypted
    if bucket.kms_key_arn:
        found["artifact.bucket_kms_key"] = bucket.kms_key_arn
    return found


def _connection_facts(snapshot: Snapshot, arn: str) -> dict[str, Any]:
    facts: dict[str, Any] = {"connection.arn": arn, "connection.prefix": arn_service(arn)}
    connection = snapshot.connection(arn)
    if connection is not None:
        facts["connection.status"] = connection.status
        facts["connection.provider"] = connection.provider_type
    facts.update(_other_prefix_facts(arn))
    return facts


def _other_prefix_facts(arn: str) -> dict[str, Any]:
    """The connection ARN and action namespace of the *other* connections service.

    codestar-connections and codeconnections are two names for one service; a policy written for one
    prefix while the connection ARN uses the other is a classic cause of "Unable to use Connection".
    """
    other = other_prefix_arn(arn)
    if other is None:
        return {}
    return {"connection.other_prefix": arn_service(other), "connection.other_arn": other}


def _action_environment(configuration: dict[str, str]) -> dict[str, str]:
    raw = configuration.get("EnvironmentVariables")
    if not raw:
        return {}
    try:
        variables = parse_json(raw)
    except ParseError:
        return {}
    if not isinstance(variables, list):
        return {}
    return {
        str(v.get("name")): str(v.get("value", ""))
        for v in variables
        if isinstance(v, dict) and v.get("name")
    }


def _event_only_refs(configured: dict[str, str]) -> list[str]:
    """Variables whose configured value is a source variable only some git events fill."""
    refs = []
    for name, value in configured.items():
        for ref in _VARIABLE_REF.finditer(value):
            if ref.group("name") in EVENT_ONLY_VARIABLES:
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
    facts: dict[str, Any] = {
        "execution.id": action_execution.pipeline_execution_id,
        "action.name": action_execution.action_name,
        "stage.name": action_execution.stage_name,
    }
    pipeline = snapshot.pipeline(action_execution.pipeline_name)
    configured_env: dict[str, str] = {}
    if pipeline is not None:
        facts.update(_pipeline_facts(pipeline))
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
        facts.update(_connection_facts(snapshot, connection_arn))
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


def project_facts(project: Project) -> dict[str, Any]:
    facts: dict[str, Any] = {
        "project.name": project.name,
        "project.arn": project.arn,
        "project.role": project.service_role,
        "project.privileged_mode": project.environment.privileged_mode,
        "project.image": project.environment.image,
        "project.image_pull_credentials_type": project.environment.image_pull_credentials_type,
        "project.source_type": project.source.type,
        "project.log_group": project.effective_log_group,
        "build.role": project.service_role,
        "project.image_curated": is_curated_codebuild_image(project.environment.image),
        "project.logs_enabled": project.logs_enabled,
    }
    if project.source.auth_type == "CODECONNECTIONS" and project.source.auth_resource:
        facts["source.connection_arn"] = project.source.auth_resource
    return facts


def _docker_hub_facts(snapshot: Snapshot, log_lines: list[str]) -> dict[str, Any]:
    """The Docker Hub image the build pulled: named in the log, else the first one in a Dockerfile.

    `dockerhub.where` says where to change it: a repository Dockerfile and line when one has it.
    """
    in_files = [
        (repo_file.path, base)
        for repo_file in snapshot.repo_files
        if is_dockerfile(repo_file.path)
        for base in base_images(repo_file.text)
        if base.image is not None and base.image.is_docker_hub
    ]
    in_log = [
        (found.group("image"), image)
        for line in log_lines
        for found in _LOG_IMAGE.finditer(line)
        if (image := parse_image(found.group("image"))) is not None and image.is_docker_hub
    ]
    if in_log:
        written, image = in_log[0]
        place = next((f"{path} line {b.line}" for path, b in in_files if b.image == image), "")
    elif in_files:
        path, base = in_files[0]
        written, image, place = base.written, base.image, f"{path} line {base.line}"
    else:
        return {}
    facts: dict[str, Any] = {"dockerhub.image": written, "dockerhub.where": place or "the Dockerfile"}
    if mirror := image.ecr_public_mirror():
        facts["dockerhub.replacement"] = mirror
    return facts


def build_facts(snapshot: Snapshot, build: Build) -> dict[str, Any]:
    facts: dict[str, Any] = {"build.id": build.id, "build.arn": build.arn}
    if (project := snapshot.project(build.project_name)) is not None:
        facts.update(project_facts(project))
    if build.service_role:
        facts["build.role"] = build.service_role
    if build.initiator:
        # CodePipeline starts builds as "codepipeline/<pipeline name>"; anything else is a user or rule.
        facts["build.initiator"] = build.initiator
        facts["build.started_by_pipeline"] = build.initiator.startswith("codepipeline/")
    failed = build.failed_phases()
    if failed:
        facts["build.failed_phase"] = failed[0].phase_type
    resolved = {v.name: v.value for v in build.environment_variables}
    if resolved:
        facts["env.resolved"] = resolved
    facts.update(_docker_hub_facts(snapshot, build.log_excerpt))
    return facts


def derived_facts(facts: dict[str, Any]) -> dict[str, Any]:
    """Facts that combine what the action and the build said."""
    derived: dict[str, Any] = {}
    resolved = facts.get("env.resolved", {})
    empty = [name for name in facts.get("env.event_only_refs", []) if resolved.get(name) == ""]
    if empty:
        derived["env.empty_refs"] = empty
    return derived


DEPLOY_PROVIDERS = ("ECS", "CodeDeployToECS")
SECRET_READ_ACTIONS = {
    "secretsmanager": "secretsmanager:GetSecretValue",
    "ssm": "ssm:GetParameters",
}


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
    facts: dict[str, Any] = {}
    if scope.service is not None:
        facts.update(_service_facts(scope.service))
    if scope.task_definition is not None:
        facts.update(
            task_definition_facts(scope.task_definition, snapshot.partition, snapshot.account_id)
        )
    if scope.stopped_tasks:
        newest = scope.stopped_tasks[0]
        facts["task.stop_code"] = newest.stop_code
        facts["task.stopped_reason"] = newest.stopped_reason
    if scope.deployment is not None:
        facts.update(_deployment_facts(scope.deployment))
    return facts


def _service_facts(service: EcsService) -> dict[str, Any]:
    return {
        "service.name": service.name,
        "service.cluster": service.cluster,
        "service.arn": service.arn,
        "service.deployment_controller": service.deployment_controller,
        "service.task_definition": service.task_definition,
        "service.target_groups": list(service.target_groups),
    }


def task_definition_facts(
    task: TaskDefinition, partition: str, default_account: str
) -> dict[str, Any]:
    account = arn_account(task.arn) or default_account
    region = task.region or arn_region(task.arn)
    images = [container.image for container in task.containers]
    facts: dict[str, Any] = {
        "task.definition": task.arn,
        "task.family": task.family,
        "task.account": account,
        "task.has_execution_role": bool(task.execution_role),
        "task.network_mode": task.network_mode,
        "task.compatibilities": list(task.requires_compatibilities),
        "task.cpu_architecture": task.cpu_architecture or "X86_64",  # the default when unset
        "task.images": images,
        "task.bare_images": [image for image in images if names_no_registry(image)],
    }
    if task.execution_role:
        facts["task.execution_role"] = task.execution_role
    if task.task_role:
        facts["task.role"] = task.task_role
    if images:
        facts["task.image"] = images[0]
    if facts["task.bare_images"]:
        facts["task.bare_image"] = facts["task.bare_images"][0]
    facts.update(_image_facts(images, partition, account))
    facts.update(_log_facts(task, partition, account, region))
    secrets = [
        _secret_arn(s.value_from, partition, region, account)
        for c in task.containers
        for s in c.secrets
    ]
    facts["task.secrets"] = secrets
    if secrets:
        facts["task.secret"] = secrets[0]
        facts["task.secret_action"] = SECRET_READ_ACTIONS.get(arn_service(secrets[0]), "")
    return facts


def _image_facts(images: list[str], partition: str, account: str) -> dict[str, Any]:
    """Registry, account and repository ARN of the first ECR image; accounts of every ECR image."""
    facts: dict[str, Any] = {}
    accounts = []
    for image in images:
        parsed = parse_image(image)
        if parsed is None:
            continue
        facts.setdefault("task.image_registry", parsed.registry)
        registry = ecr_registry(parsed.registry)
        if registry is None:
            continue
        accounts.append(registry.account)
        facts.setdefault("task.image_account", registry.account)
        facts.setdefault(
            "task.image_repository_arn",
            f"arn:{partition}:ecr:{registry.region}:{registry.account}:repository/{parsed.repository}",
        )
    facts["task.image_accounts"] = accounts
    if accounts and account:
        facts["task.image_cross_account"] = any(found != account for found in accounts)
    return facts


def _log_facts(task: TaskDefinition, partition: str, account: str, region: str) -> dict[str, Any]:
    """The awslogs group of the first container that logs with awslogs."""
    options = next(
        (
            c.log_configuration.options
            for c in task.containers
            if c.log_configuration is not None and c.log_configuration.driver == "awslogs"
        ),
        None,
    )
    if options is None:
        return {}
    group = options.get("awslogs-group", "")
    facts: dict[str, Any] = {
        "task.log_group": group,
        "task.log_create_group": options.get("awslogs-create-group", "false").lower() == "true",
    }
    log_region = options.get("awslogs-region") or region
    if group and log_region and account:
        facts["task.log_group_arn"] = (
            f"arn:{partition}:logs:{log_region}:{account}:log-group:{group}"
        )
    return facts


def _secret_arn(value_from: str, partition: str, region: str, account: str) -> str:
    """A secret's ARN: SSM parameters may be named without an ARN; a Secrets Manager reference may
    end in `:json-key:version-stage:version-id`, which is not part of the secret's ARN."""
    if not value_from.startswith("arn:"):
        return f"arn:{partition}:ssm:{region}:{account}:parameter/{value_from.lstrip('/')}"
    return secret_arn(value_from)


def _deployment_facts(deployment: CodeDeployDeployment) -> dict[str, Any]:
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
