"""What the pipeline's configuration says a role must be able to do, even if no log shows it yet."""

from __future__ import annotations

from collections.abc import Iterator

from pipedoctor.knowledge.arns import arn_account, arn_service, secret_arn
from pipedoctor.knowledge.artifacts import (
    ARTIFACT_OBJECT_ACTIONS,
    BUILD_BUCKET_ACTIONS,
    PIPELINE_BUCKET_ACTIONS,
)
from pipedoctor.knowledge.connections import CONNECTION_SERVICES
from pipedoctor.knowledge.images import ecr_image
from pipedoctor.leastpriv.usage import Need
from pipedoctor.model import Pipeline, Project, Snapshot
from pipedoctor.sources.dockerfile import base_images
from pipedoctor.sources.project_build import project_buildspec, pushed_repository_arns
from pipedoctor.sources.repository import is_dockerfile

# https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-push-iam.html
ECR_PUSH = [
    "ecr:BatchCheckLayerAvailability",
    "ecr:BatchGetImage",
    "ecr:CompleteLayerUpload",
    "ecr:InitiateLayerUpload",
    "ecr:PutImage",
    "ecr:UploadLayerPart",
]
ECR_PULL = ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
# https://docs.aws.amazon.com/codebuild/latest/userguide/auth-and-access-control-iam-identity-based-access-control.html#customer-managed-policies-example-create-vpc-network-interface
VPC_ACTIONS = [
    "ec2:CreateNetworkInterface",
    "ec2:DeleteNetworkInterface",
    "ec2:DescribeDhcpOptions",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DescribeSecurityGroups",
    "ec2:DescribeSubnets",
    "ec2:DescribeVpcs",
]
REPORT_ACTIONS = [
    "codebuild:BatchPutCodeCoverages",
    "codebuild:BatchPutTestCases",
    "codebuild:CreateReport",
    "codebuild:CreateReportGroup",
    "codebuild:UpdateReport",
]


def _needs(role: str, actions: list[str], resource: str, reason: str) -> Iterator[Need]:
    for action in actions:
        yield Need(role, action, resource, "required", reason)


def _project_needs(snapshot: Snapshot, project: Project) -> Iterator[Need]:
    role, region, account = service_role_arn(snapshot, project), project.region, arn_account(project.arn)
    partition = snapshot.partition
    if project.logs_enabled:
        group = f"arn:{partition}:logs:{region}:{account}:log-group:{project.effective_log_group}"
        yield from _needs(role, ["logs:CreateLogGroup"], group, f"build logs of {project.name}")
        yield from _needs(
            role,
            ["logs:CreateLogStream", "logs:PutLogEvents"],
            f"{group}:log-stream:*",
            f"build logs of {project.name}",
        )
    pushed = pushed_repository_arns(snapshot, project)
    if pushed:
        yield from _needs(
            role, ["ecr:GetAuthorizationToken"], "*", "docker login to ECR before push"
        )
    for repository in pushed:
        yield from _needs(role, ECR_PUSH, repository, f"docker push by {project.name}")
    for repository in _private_base_images(snapshot):
        yield from _needs(
            role, ["ecr:GetAuthorizationToken"], "*", "docker login to pull a private base image"
        )
        yield from _needs(role, ECR_PULL, repository, "private ECR base image in a Dockerfile")
    for variable in project.environment.variables:
        if variable.type == "PARAMETER_STORE":
            name = variable.value.lstrip("/")
            arn = f"arn:{partition}:ssm:{region}:{account}:parameter/{name}"
            yield from _needs(
                role, ["ssm:GetParameters"], arn, f"environment variable {variable.name}"
            )
        elif variable.type == "SECRETS_MANAGER":
            yield from _needs(
                role,
                ["secretsmanager:GetSecretValue"],
                _secret_arn(variable.value, partition, region, account),
                f"environment variable {variable.name}",
            )
    if project.vpc_id:
        yield from _needs(role, VPC_ACTIONS, "*", f"{project.name} runs in VPC {project.vpc_id}")
        yield from _needs(
            role,
            ["ec2:CreateNetworkInterfacePermission"],
            f"arn:{partition}:ec2:{region}:{account}:network-interface/*",
            f"{project.name} runs in a VPC",
        )
    if project_buildspec(snapshot, project).get("reports"):
        yield from _needs(
            role,
            REPORT_ACTIONS,
            f"arn:{partition}:codebuild:{region}:{account}:report-group/{project.name}-*",
            "the buildspec declares reports",
        )


def _secret_arn(value: str, partition: str, region: str, account: str) -> str:
    """A Secrets Manager reference (name or ARN, optionally :json-key:stage:version) as a policy ARN."""
    if value.startswith("arn:"):
        return secret_arn(value)
    name = value.split(":", 1)[0]
    return f"arn:{partition}:secretsmanager:{region}:{account}:secret:{name}-*"


def _private_base_images(snapshot: Snapshot) -> list[str]:
    arns = []
    for repo_file in snapshot.repo_files:
        if not is_dockerfile(repo_file.path):
            continue
        for base in base_images(repo_file.text):
            found = ecr_image(base.written)
            if found:
                arn = f"arn:{snapshot.partition}:ecr:{found.region}:{found.account}:repository/{found.repository}"
                if arn not in arns:
                    arns.append(arn)
    return arns


def connection_service(connection: str) -> str:
    """The IAM prefix of a connection's ARN; a value that is no ARN (an unresolved variable) gets
    the older prefix, which connections under either prefix accept."""
    return arn_service(connection) or CONNECTION_SERVICES[0]


def service_role_arn(snapshot: Snapshot, project: Project) -> str:
    """The project's role by ARN: a template may name it (`ServiceRole: !Ref Role` is its name)."""
    role = snapshot.role(project.service_role) if project.service_role else None
    return role.arn if role is not None else project.service_role


def _pipeline_needs_for_build_role(
    snapshot: Snapshot, pipeline: Pipeline, project: Project
) -> Iterator[Need]:
    """What a build run by this pipeline needs beyond the project: artifacts and the connection."""
    role = service_role_arn(snapshot, project)
    yield from _artifact_needs(
        snapshot, pipeline, role, list(BUILD_BUCKET_ACTIONS)
    )
    for source in pipeline.source_actions():
        connection = source.configuration.get("ConnectionArn", "")
        if connection and source.configuration.get("OutputArtifactFormat") == "CODEBUILD_CLONE_REF":
            prefix = connection_service(connection)
            yield from _needs(
                role,
                [f"{prefix}:UseConnection"],
                connection,
                f"full clone of the {source.name} source",
            )


def _kms_key_arn(snapshot: Snapshot, key_id: str | None) -> str:
    """A customer managed key's ARN; "" for none or the AWS managed aws/s3 key (no grant needed)."""
    if not key_id or "alias/aws/" in key_id:
        return ""
    if key_id.startswith("arn:"):
        return key_id
    key = next((k for k in snapshot.kms_keys if k.arn.endswith(f"/{key_id}")), None)
    return key.arn if key else ""


def _artifact_needs(
    snapshot: Snapshot, pipeline: Pipeline, role: str, bucket_actions: list[str]
) -> Iterator[Need]:
    """Objects in the artifact bucket, `bucket_actions` on the bucket, and its key if customer managed."""
    reason = f"artifacts of {pipeline.name}"
    for store in pipeline.artifact_stores:
        bucket = f"arn:{snapshot.partition}:s3:::{store.location}"
        yield from _needs(role, list(ARTIFACT_OBJECT_ACTIONS), f"{bucket}/*", reason)
        yield from _needs(role, bucket_actions, bucket, reason)
        key = _kms_key_arn(snapshot, store.kms_key_id)
        if key:
            yield from _needs(
                role,
                ["kms:Decrypt", "kms:GenerateDataKey"],
                key,
                f"artifact key of {pipeline.name}",
            )


def _service_roles(snapshot: Snapshot, cluster: str, service: str) -> list[str]:
    """The task and execution roles of the service's task definition, when collected."""
    found = snapshot.ecs_service(cluster, service)
    definition = snapshot.task_definition(found.task_definition) if found else None
    return (
        [arn for arn in (definition.task_role, definition.execution_role) if arn]
        if definition
        else []
    )


def _pipeline_role_needs(snapshot: Snapshot, pipeline: Pipeline, role_arn: str) -> Iterator[Need]:
    """What the pipeline (or an action role) does itself: sources, builds, deploys, artifacts."""
    region, account, partition = pipeline.region, arn_account(pipeline.arn), snapshot.partition
    acting = [(a, a.role_arn or pipeline.role_arn) for _, a in pipeline.actions()]
    if not any(role == role_arn for _, role in acting):
        return
    yield from _artifact_needs(snapshot, pipeline, role_arn, list(PIPELINE_BUCKET_ACTIONS))
    for action, role in acting:
        if role != role_arn:
            continue
        config = action.configuration
        reason = f"{pipeline.name} action {action.name}"
        if connection := config.get("ConnectionArn"):
            yield from _needs(
                role, [f"{connection_service(connection)}:UseConnection"], connection, reason
            )
        if action.provider == "CodeBuild" and (name := config.get("ProjectName")):
            project = f"arn:{partition}:codebuild:{region}:{account}:project/{name}"
            yield from _needs(
                role, ["codebuild:BatchGetBuilds", "codebuild:StartBuild"], project, reason
            )
        if action.provider == "ECS" and config.get("ClusterName") and config.get("ServiceName"):
            cluster, service = config["ClusterName"], config["ServiceName"]
            service_arn = f"arn:{partition}:ecs:{region}:{account}:service/{cluster}/{service}"
            yield from _needs(
                role, ["ecs:DescribeServices", "ecs:UpdateService"], service_arn, reason
            )
            yield from _needs(
                role, ["ecs:DescribeTaskDefinition", "ecs:RegisterTaskDefinition"], "*", reason
            )
            for passed in _service_roles(snapshot, cluster, service):
                yield from _needs(
                    role, ["iam:PassRole"], passed, f"{reason} registers a task definition"
                )


def required_needs(snapshot: Snapshot, role_arn: str) -> list[Need]:
    """Every need the configuration implies for `role_arn`: as a project's service role, and as
    a pipeline or action role."""
    needs: list[Need] = []
    for pipeline in snapshot.pipelines:
        needs += _pipeline_role_needs(snapshot, pipeline, role_arn)
    for project in snapshot.projects:
        if service_role_arn(snapshot, project) != role_arn:
            continue
        needs += _project_needs(snapshot, project)
        for pipeline in snapshot.pipelines:
            runs_project = any(
                action.configuration.get("ProjectName") == project.name
                for _, action in pipeline.actions()
            )
            if runs_project:
                needs += _pipeline_needs_for_build_role(snapshot, pipeline, project)
    return list(dict.fromkeys(needs))
