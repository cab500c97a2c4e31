"""A role's neighbourhood, decided with the IAM engine over the snapshot's resources.

Who reaches the role (trust policy principals, the pipelines and projects that run as it), what
it reaches (the snapshot's resources it is allowed to act on) and the escalation paths it holds
(passing or assuming a more powerful role, rewriting its own policies). The permission graph
module will answer this over a whole account; until then this is the role's one-hop view.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pipedoctor.iam import PolicySet, Request, evaluate
from pipedoctor.model import Role, Snapshot

# Actions that run code as a passed role (iam:PassRole + one of these), and the service the
# passed role must trust for it to work.
LAUNCHERS = {
    "codebuild:CreateProject": "codebuild.amazonaws.com",
    "codebuild:UpdateProject": "codebuild.amazonaws.com",
    "codepipeline:CreatePipeline": "codepipeline.amazonaws.com",
    "codepipeline:UpdatePipeline": "codepipeline.amazonaws.com",
    "lambda:CreateFunction": "lambda.amazonaws.com",
    "ecs:RegisterTaskDefinition": "ecs-tasks.amazonaws.com",
    "ec2:RunInstances": "ec2.amazonaws.com",
    "cloudformation:CreateStack": "cloudformation.amazonaws.com",
}
SELF_CHANGES = [
    "iam:PutRolePolicy",
    "iam:AttachRolePolicy",
    "iam:UpdateAssumeRolePolicy",
    "iam:DeleteRolePermissionsBoundary",
]
ANY_POLICY_CHANGES = ["iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion"]


@dataclass
class Reach:
    resource: str
    kind: str
    actions: list[str]


@dataclass
class Neighbourhood:
    reached_by: list[str] = field(default_factory=list)
    reaches: list[Reach] = field(default_factory=list)
    escalations: list[str] = field(default_factory=list)


def _principals(trust: dict[str, Any]) -> list[str]:
    statements = trust.get("Statement", [])
    found = []
    for statement in [statements] if isinstance(statements, dict) else statements:
        if statement.get("Effect") != "Allow":
            continue
        principal = statement.get("Principal", {})
        if isinstance(principal, str):
            found.append(principal)
            continue
        for kind, values in principal.items():
            for value in [values] if isinstance(values, str) else values:
                found.append(f"{kind}: {value}")
    return found


def _reached_by(snapshot: Snapshot, role: Role) -> list[str]:
    found = [f"trusted {principal}" for principal in _principals(role.trust_policy)]
    for pipeline in snapshot.pipelines:
        if pipeline.role_arn == role.arn:
            found.append(f"service role of pipeline {pipeline.name}")
        for stage, action in pipeline.actions():
            if action.role_arn == role.arn:
                found.append(f"role of action {pipeline.name} / {stage.name}.{action.name}")
    found += [
        f"service role of CodeBuild project {project.name}"
        for project in snapshot.projects
        if project.service_role == role.arn
    ]
    return found


def _targets(snapshot: Snapshot, role: Role) -> list[tuple[str, str, list[str], Any]]:
    """(resource, kind, actions to ask about, resource policy) for each resource in the snapshot."""
    targets: list[tuple[str, str, list[str], Any]] = []
    for repository in snapshot.ecr_repositories:
        actions = ["ecr:PutImage", "ecr:BatchGetImage", "ecr:DeleteRepository"]
        targets.append((repository.arn, "ECR repository", actions, repository.policy))
    for bucket in snapshot.buckets:
        objects = f"arn:{snapshot.partition}:s3:::{bucket.name}/*"
        targets.append(
            (objects, "artifact bucket", ["s3:GetObject", "s3:PutObject"], bucket.policy)
        )
    for connection in snapshot.connections:
        action = f"{connection.service_prefix or 'codeconnections'}:UseConnection"
        targets.append((connection.arn, "connection", [action], None))
    for key in snapshot.kms_keys:
        targets.append((key.arn, "KMS key", ["kms:Decrypt", "kms:GenerateDataKey"], key.policy))
    for project in snapshot.projects:
        actions = ["codebuild:StartBuild", "codebuild:UpdateProject"]
        targets.append((project.arn, "CodeBuild project", actions, None))
    for pipeline in snapshot.pipelines:
        actions = ["codepipeline:StartPipelineExecution", "codepipeline:UpdatePipeline"]
        targets.append((pipeline.arn, "pipeline", actions, None))
    for other in snapshot.roles:
        if other.arn != role.arn:
            targets.append((other.arn, "role", ["iam:PassRole"], None))
            targets.append((other.arn, "role", ["sts:AssumeRole"], other.trust_policy or None))
    return targets


def neighbourhood(snapshot: Snapshot, role: Role) -> Neighbourhood:
    boundaries = [role.permissions_boundary.document] if role.permissions_boundary else []
    identity: list[Any] = list(role.identity_documents())
    own = PolicySet(identity=identity, boundaries=boundaries)

    def allowed(action: str, resource: str, resource_policy: Any = None) -> bool:
        policies = own
        if resource_policy:
            policies = PolicySet(
                identity=identity, boundaries=boundaries, resource_policy=resource_policy
            )
        return evaluate(
            Request(action=action, resource=resource, principal_arn=role.arn), policies
        ).allowed

    result = Neighbourhood(reached_by=_reached_by(snapshot, role))
    by_resource: dict[tuple[str, str], Reach] = {}
    for resource, kind, actions, resource_policy in _targets(snapshot, role):
        granted = [a for a in actions if allowed(a, resource, resource_policy)]
        if granted:
            reach = by_resource.setdefault((resource, kind), Reach(resource, kind, []))
            reach.actions += granted
    result.reaches = list(by_resource.values())

    launchers = {action: service for action, service in LAUNCHERS.items() if allowed(action, "*")}
    for reach in result.reaches:
        if reach.kind != "role":
            continue
        if "sts:AssumeRole" in reach.actions:
            result.escalations.append(f"sts:AssumeRole -> {reach.resource}")
        target = snapshot.role(reach.resource)
        trusted = " ".join(_principals(target.trust_policy)) if target else ""
        usable = [action for action, service in launchers.items() if service in trusted]
        if "iam:PassRole" in reach.actions and usable:
            result.escalations.append(
                f"iam:PassRole + {', '.join(usable)} -> runs code as {reach.resource}"
            )
    result.escalations += [
        f"{action} on itself: can grant itself anything"
        for action in SELF_CHANGES
        if allowed(action, role.arn)
    ]
    result.escalations += [
        f"{action} on any customer managed policy"
        for action in ANY_POLICY_CHANGES
        if allowed(action, "*")
    ]
    return result
