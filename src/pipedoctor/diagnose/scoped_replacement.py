"""The scoped statements that replace a service-wide grant: what the pipeline's configuration
says the role uses of that service, as the least-privilege generator writes it.

The configuration model derives what builds (docker push, logs, reports, VPC, variables) and
CodeBuild and ECS actions need. A role that also runs something the model does not derive (a
CloudFormation or CodeDeploy action, a script, an infrastructure tool, `aws <service>` in a
buildspec, a buildspec nobody can read) may use the service in ways no file shows: the finding
then says so instead of claiming the grant can go."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from pipedoctor.leastpriv.config_needs import required_needs, service_role_arn
from pipedoctor.leastpriv.synthesize import synthesize
from pipedoctor.model import Role, Snapshot

ANY_SERVICE = "*"
# Services a pipeline action's role uses that the configuration model does not derive, by action
# provider (CodePipeline User Guide, "CodePipeline service role policy" and each action's reference
# page, "Service role permissions"). CodeBuild and ECS deploys, and UseConnection for connection
# sources, are derived; a provider not listed may use any service.
PROVIDER_SERVICES: dict[str, set[str]] = {
    "CodeBuild": set(),
    "ECS": set(),
    "CodeStarSourceConnection": set(),
    "Manual": set(),
    "GitHub": set(),
    "CodeCommit": {"codecommit"},
    "S3": {"s3"},
    "ECR": {"ecr"},
    "CodeDeploy": {"codedeploy"},
    "CodeDeployToECS": {"codedeploy", "ecs", "iam"},
    "CloudFormation": {"cloudformation", "iam"},
    "CloudFormationStackSet": {"cloudformation", "iam"},
    "Lambda": {"lambda"},
    "StepFunctions": {"states"},
    "ServiceCatalog": {"servicecatalog"},
    "ElasticBeanstalk": {
        "elasticbeanstalk", "ec2", "elasticloadbalancing", "autoscaling", "cloudwatch", "s3",
        "sns", "cloudformation", "rds", "sqs", "ecs",
    },
}
# AWS CLI commands whose IAM prefix is not the command's own name.
_CLI_PREFIX = {
    "s3api": "s3",
    "s3control": "s3",
    "deploy": "codedeploy",
    "elbv2": "elasticloadbalancing",
    "elb": "elasticloadbalancing",
    "stepfunctions": "states",
    "configservice": "config",
}
_AWS_CLI = re.compile(r"(?:^|[\s;&|(`$])aws\s+(?:--\S+\s+(?:\S+\s+)?)*([a-z0-9-]+)\s+([a-z0-9-]+)")
# Calls the model derives (the ECR login before a push) or that need no permission.
_DERIVED_CALLS = {("ecr", "get-login-password"), ("ecr", "get-login"), ("sts", "get-caller-identity")}
# Commands whose AWS calls no file shows: scripts, interpreters and infrastructure or deployment
# tools, where a command starts (an argument such as `./...` or `*.sh` runs nothing).
_RUNS_UNSEEN = re.compile(
    r"(?:^|[;&|(]|\$\()\s*(?:sudo\s+)?(?:\S*\.(?:sh|py)\b|\./\S|(?:ba)?sh\s+[^-\s]|python3?\s+[^-\s]|source\s|\.\s|eval\s"
    r"|make\b|(?:npx\s+)?(?:terraform|terragrunt|cdk|sam|serverless|sls|pulumi|copilot|ecs-cli|eb)\b)"
)


@dataclass
class Replacement:
    summary: str
    statements: list[dict[str, Any]] = field(default_factory=list)
    resources: list[str] = field(default_factory=list)  # what the configuration says the role uses


def _pipeline_actions(snapshot: Snapshot, role: Role) -> Iterator[tuple[str, set[str]]]:
    for pipeline in snapshot.pipelines:
        for stage, action in pipeline.actions():
            if (action.role_arn or pipeline.role_arn) == role.arn:
                services = PROVIDER_SERVICES.get(action.provider, {ANY_SERVICE})
                yield f"the {action.provider} action {pipeline.name}/{stage.name}/{action.name}", services


def _build_commands(snapshot: Snapshot, role: Role) -> Iterator[tuple[str, list[str] | None]]:
    """(project, its buildspec's commands or None when unknown) for each project the role builds."""
    from pipedoctor.sources.buildspec import read_buildspec
    from pipedoctor.sources.project_build import buildspec_text
    from pipedoctor.sources.repository_model import repository_model

    linked = {p.project.arn: p for p in repository_model(snapshot).projects}
    for project in snapshot.projects:
        if service_role_arn(snapshot, project) != role.arn:
            continue
        facts = linked[project.arn].buildspec if project.arn in linked else None
        if facts is None and (text := buildspec_text(snapshot, project)):
            facts = read_buildspec("buildspec", text)
        if facts is None or facts.error is not None:
            yield project.name, None
        else:
            yield project.name, [command.text for command in facts.commands]


def _command_services(command: str) -> set[str]:
    if _RUNS_UNSEEN.search(command):
        return {ANY_SERVICE}
    return {
        _CLI_PREFIX.get(name, name) for name, call in _AWS_CLI.findall(command) if (name, call) not in _DERIVED_CALLS
    }


def unseen_uses(snapshot: Snapshot, role: Role, service: str) -> list[str]:
    """What the role runs that may use `service` without the configuration model knowing."""
    found = [
        what for what, services in _pipeline_actions(snapshot, role) if service in services or ANY_SERVICE in services
    ]
    for project, commands in _build_commands(snapshot, role):
        if commands is None:
            found.append(f"CodeBuild project {project} (its buildspec is not known)")
            continue
        for command in commands:
            services = _command_services(command)
            if service in services or ANY_SERVICE in services:
                found.append(f"`{command.strip()[:80]}` in the buildspec of {project}")
                break
    return found


def replacement_for(snapshot: Snapshot, role: Role, service: str) -> Replacement:
    from pipedoctor.iam import load_catalog

    needs = [n for n in required_needs(snapshot, role.arn) if n.action.split(":", 1)[0].lower() == service]
    unseen = unseen_uses(snapshot, role, service)
    caution = (
        f"{role.name} also runs {'; '.join(unseen[:3])}{' ...' if len(unseen) > 3 else ''}, which may call {service} "
        f"in ways no file shows: scope it to what CloudTrail shows (`pipedoctor policy generate --role {role.name} --cloudtrail DIR`)"
    )
    if not needs:
        if unseen:
            return Replacement(f"the pipeline's configuration derives no use of {service} by {role.name}, but {caution}")
        return Replacement(
            f"the pipeline's configuration shows no use of {service} by {role.name}: the grant can go, "
            f"or be scoped to what CloudTrail shows (`pipedoctor policy generate --role {role.name} --cloudtrail DIR`)"
        )
    actions = sorted({need.action for need in needs})
    resources = sorted({need.resource for need in needs})
    total = len(load_catalog().actions_for_service(service))
    summary = (
        f"the pipeline's configuration uses {len(actions)} of the {total} {service} actions "
        f"({', '.join(actions)}) on {', '.join(resources)}"
    )
    return Replacement(
        f"{summary}; {caution}" if unseen else summary,
        synthesize(needs)["Statement"],
        resources,
    )


def replacement_counterexample(role: Role, replaced: str, statements: list[dict[str, Any]]) -> str | None:
    """None when the role with the managed policy `replaced` swapped for `statements` is allowed
    nothing it is not allowed today (decided exactly, Deny statements and boundary included);
    else a request it would newly be allowed."""
    from pipedoctor.leastpriv.compare import AccessSide, compare

    boundaries = [role.permissions_boundary.document] if role.permissions_boundary else []
    documents = role.identity_documents()
    old = AccessSide(identity=[document for _, document in documents], boundaries=boundaries)
    kept = [document for label, document in documents if label != replaced]
    new = AccessSide(identity=[*kept, {"Version": "2012-10-17", "Statement": statements}], boundaries=boundaries)
    comparison = compare(old, new)
    return comparison.new_access[0].describe() if comparison.new_access else None
