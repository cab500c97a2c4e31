"""Resource kinds the graph knows: which catalog resource types each one answers for, and the
ARN a request names for each type (an object action on a bucket names `bucket/*`)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from pipedoctor.iam import load_catalog


@dataclass(frozen=True)
class ResourceKind:
    name: str
    label: str
    types: tuple[tuple[str, str], ...]  # (catalog resource type key, suffix added to the ARN)
    # Actions shown as their own edges instead of `can` (iam:PassRole becomes `passes_role`).
    excluded: frozenset[str] = frozenset()


KINDS: dict[str, ResourceKind] = {
    kind.name: kind
    for kind in (
        ResourceKind("ecr-repository", "ECR repository", (("repository", ""),)),
        ResourceKind("s3-bucket", "S3 bucket", (("bucket", ""), ("object", "/*"))),
        ResourceKind("kms-key", "KMS key", (("key", ""),)),
        ResourceKind(
            "log-group", "log group", (("log-group", ""), ("log-stream", ":log-stream:*"))
        ),
        ResourceKind("secret", "secret", (("secret", ""),)),
        ResourceKind("ssm-parameter", "SSM parameter", (("parameter", ""),)),
        ResourceKind("connection", "connection", (("connection", ""),)),
        ResourceKind("iam-role", "IAM role", (("role", ""),), excluded=frozenset({"iam:passrole"})),
        ResourceKind("codebuild-project", "CodeBuild project", (("project", ""),)),
        ResourceKind("codepipeline-pipeline", "pipeline", (("pipeline", ""),)),
        ResourceKind("ecs-service", "ECS service", (("service", ""),)),
        ResourceKind("ecs-task-definition", "task definition", (("task-definition", ""),)),
    )
}

# Services whose resource-less actions (`ecr:GetAuthorizationToken`, `codebuild:ListProjects`)
# get a `can` edge to a `service:<prefix>` node.
SERVICE_NODE_PREFIXES = (
    "cloudformation",
    "codebuild",
    "codeconnections",
    "codepipeline",
    "codestar-connections",
    "ecr",
    "ecs",
    "iam",
    "kms",
    "lambda",
    "logs",
    "s3",
    "secretsmanager",
    "ssm",
    "sts",
)


def arn_service(arn: str) -> str:
    parts = arn.split(":")
    return parts[2] if len(parts) > 2 else ""


@lru_cache(maxsize=256)
def kind_actions(service: str, type_key: str) -> tuple[str, ...]:
    """Canonical names of the service's actions that take this resource type."""
    catalog = load_catalog()
    names = []
    for name in catalog.actions_for_service(service):
        info = catalog.action(name)
        if info is not None and type_key in info.resource_types:
            names.append(info.name)
    return tuple(sorted(names))


@lru_cache(maxsize=64)
def resourceless_actions(service: str) -> tuple[str, ...]:
    """Canonical names of the service's actions that only take `"Resource": "*"`."""
    catalog = load_catalog()
    names = []
    for name in catalog.actions_for_service(service):
        info = catalog.action(name)
        if info is not None and not info.resource_types:
            names.append(info.name)
    return tuple(sorted(names))


@lru_cache(maxsize=256)
def action_positions(service: str, type_key: str) -> dict[str, tuple[int, ...]]:
    """Lower-case action name -> its positions in `kind_actions` (or `resourceless_actions`,
    for type "")."""
    actions = kind_actions(service, type_key) if type_key else resourceless_actions(service)
    positions: dict[str, tuple[int, ...]] = {}
    for number, action in enumerate(actions):
        lowered = action.lower()
        positions[lowered] = (*positions.get(lowered, ()), number)
    return positions
