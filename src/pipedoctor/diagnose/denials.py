"""From a parsed denial to a cause: which role was denied (its kind) and what that role was doing.

The kind comes from the snapshot's facts when they name the role (build.role, pipeline.role, ...);
from the text alone it comes from the role's name and session name (CodeBuild sessions are
`AWSCodeBuild-<build id>`, CodePipeline's are numeric) and from the words around the denial
(an ECS pull error is the execution role's, a `[Container]` line is the build's).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from pipedoctor.diagnose.authz import (
    BARE_OPERATION_CODE,
    GUARDRAIL_LAYERS,
    PROVIDED_EXECUTION_ROLE,
    UNNAMED_ROLES,
    VPC_OPERATIONS,
    AuthorizationError,
    denied_action,
    describe,
)
from pipedoctor.knowledge.artifacts import (
    ARTIFACT_OBJECT_ACTIONS,
    BUILD_BUCKET_ACTIONS,
    PIPELINE_BUCKET_ACTIONS,
)
from pipedoctor.knowledge.connections import CONNECTION_SERVICES

BUILD = "build role"
PIPELINE = "pipeline role"
ACTION = "action role"
TASK = "task role"
EXECUTION = "execution role"
CLOUDFORMATION = "CloudFormation role"
USER = "IAM user"  # a person's or a CI system's keys: no role of the pipeline
UNKNOWN = ""

# Facts that name a role, by the kind of role they name.
_ROLE_FACTS = [
    ("build.role", BUILD),
    ("project.role", BUILD),
    ("task.execution_role", EXECUTION),
    ("task.role", TASK),
    ("action.role", ACTION),
    ("pipeline.role", PIPELINE),
]
_NAME_HINTS = [
    (re.compile(r"task.?execution|ecs.?exec|execution.?role|ExecRole", re.IGNORECASE), EXECUTION),
    (re.compile(r"cfn.?exec|cloudformation|cfn.?role|cfnrole", re.IGNORECASE), CLOUDFORMATION),
    (re.compile(r"codebuild|build.?role|projectrole", re.IGNORECASE), BUILD),
    (re.compile(r"action.?role|deploy.?role|cross.?account", re.IGNORECASE), ACTION),
    (re.compile(r"codepipeline|pipeline.?role|pipelinerole", re.IGNORECASE), PIPELINE),
    (re.compile(r"task.?role|ecs.?task", re.IGNORECASE), TASK),
]
_CONTEXT_HINTS = [
    (
        re.compile(
            r"CannotPull\w*Container|ResourceInitializationError|unable to pull secrets|registry auth"
            r"|asm fetching|fetching secret data from SSM",  # the ECS agent reading the task's secrets
            re.IGNORECASE,
        ),
        EXECUTION,
    ),
    (
        re.compile(
            r"\[Container\]|Phase context status code|DOWNLOAD_SOURCE|CODEBUILD_", re.IGNORECASE
        ),
        BUILD,
    ),
    (
        re.compile(
            r"Resource handler returned message|CREATE_FAILED|UPDATE_FAILED|ROLLBACK", re.IGNORECASE
        ),
        CLOUDFORMATION,
    ),
]
_ECS_TASK_SESSION = re.compile(r"[0-9a-f]{32}")
_CODEBUILD_SERVICE = re.compile(r"\(Service:\s*AWSCodeBuild\b", re.IGNORECASE)
# Where the text came from, when nothing else names the role: a denial in an ECS task's own output
# that is not about starting it (pull, secrets, logs: the execution role) is the application's.
_SURFACE_KINDS = {
    "codebuild-log": BUILD,
    "codebuild-phase": BUILD,
    "codepipeline-action": PIPELINE,
    "ecs-task": TASK,
}


def _same_role(arn_or_name: Any, error: AuthorizationError) -> bool:
    if not isinstance(arn_or_name, str) or not arn_or_name or not error.role_name:
        return False
    return arn_or_name.rstrip("/").rsplit("/", 1)[-1] == error.role_name


def principal_kind(
    error: AuthorizationError, facts: dict[str, Any], context: str, surface: str
) -> str:
    """The kind of role that was denied (USER for an IAM user), or UNKNOWN."""
    for fact, kind in _ROLE_FACTS:
        if _same_role(facts.get(fact), error):
            return kind
    if error.provided_role == PROVIDED_EXECUTION_ROLE:
        return UNKNOWN  # a function's role (Lambda), which the text does not name
    if error.provided_role:
        return PIPELINE if "action" not in error.provided_role.lower() else ACTION
    if error.code == BARE_OPERATION_CODE and _CODEBUILD_SERVICE.search(context):
        return BUILD  # CodeBuild checked its own service role's access (VPC support)
    session = error.session_name
    if session.startswith("AWSCodeBuild-"):
        return BUILD
    if session.startswith("AWSCloudFormation"):
        return CLOUDFORMATION
    for pattern, kind in _NAME_HINTS:
        if pattern.search(error.role_name):
            return kind
    if (
        session.isdigit() and len(session) >= 12
    ):  # CodePipeline names its sessions by epoch milliseconds
        return PIPELINE
    for pattern, kind in _CONTEXT_HINTS:
        if pattern.search(context):
            return kind
    if _ECS_TASK_SESSION.fullmatch(session):
        return TASK  # ECS names the task role's sessions by the task id; start-up denials matched above
    if error.by_iam_user:
        return USER  # wherever it was printed
    return _SURFACE_KINDS.get(surface, UNKNOWN)


# Every cause id cause_for() can name (the authorization rule diagnoses these).
RESOLVED_CAUSES = frozenset(
    {
        "guardrail-explicit-deny",
        "encoded-authorization-failure",
        "ecr-cross-account-repo-access-denied",
        "ecs-execution-role-missing-ecr-permission",
        "ecr-auth-token-permission-missing",
        "ecr-push-permission-missing",
        "codebuild-role-missing-ecr-pull",
        "ecs-execution-role-missing-logs-permission",
        "codebuild-role-missing-logs-permissions",
        "ecs-execution-role-missing-secrets-permission",
        "artifact-kms-key-inaccessible",
        "codebuild-role-missing-get-connection-token",
        "codepipeline-role-missing-use-connection",
        "codebuild-role-missing-use-connection",
        "codebuild-role-missing-codecommit-gitpull",
        "deployer-missing-iam-passrole",
        "codepipeline-role-missing-s3-artifact-access",
        "codebuild-role-missing-s3-artifact-access",
        "ecs-task-role-missing-app-permission",
        "codebuild-role-missing-app-permission",
        "role-missing-permission",
        "codepipeline-role-missing-codebuild-permission",
        "codepipeline-role-missing-cloudformation-permission",
        "codepipeline-role-missing-codecommit-access",
        "codepipeline-role-cannot-assume-action-role",
    }
)
# What the pipeline role (or an action role) is denied, by service, when it runs an action.
_PIPELINE_SERVICE_CAUSES = {
    "codebuild": "codepipeline-role-missing-codebuild-permission",
    "cloudformation": "codepipeline-role-missing-cloudformation-permission",
    "codecommit": "codepipeline-role-missing-codecommit-access",
}
_ECR_PUSH = {"initiatelayerupload", "uploadlayerpart", "completelayerupload", "putimage"}
_ECR_PULL = {"batchgetimage", "getdownloadurlforlayer", "batchchecklayeravailability"}
_SECRETS = {"secretsmanager", "ssm"}
# What a build does with its source, artifact and log buckets (or a HEAD or a listing of their
# objects); other S3 calls are its commands' own
_S3_ARTIFACT_ACCESS = {
    action.split(":", 1)[1].lower()
    for action in (*ARTIFACT_OBJECT_ACTIONS, *BUILD_BUCKET_ACTIONS, *PIPELINE_BUCKET_ACTIONS)
} | {"headobject", "listbucket"}
_VPC_ACTIONS = {operation.lower() for operation in VPC_OPERATIONS}
# CodeBuild writing a buildspec's test and coverage reports with the service role: no command's need
_REPORT_ACTIONS = {
    "createreportgroup",
    "createreport",
    "updatereport",
    "batchputtestcases",
    "batchputcodecoverages",
}


def _action_name(error: AuthorizationError) -> str:
    if error.action:
        return error.action.split(":", 1)[1].lower()
    return error.operation.lower()


def cause_for(error: AuthorizationError, kind: str) -> str:
    """The cause id for a denial of this service and action to this kind of role."""
    service, action = error.service, _action_name(error)
    if error.blocked_by_guardrail:
        return "guardrail-explicit-deny"
    if error.encoded:
        return "encoded-authorization-failure"
    if service == "ecr":
        if error.layer == "resource-based policy":
            return "ecr-cross-account-repo-access-denied"
        if kind == EXECUTION:
            return "ecs-execution-role-missing-ecr-permission"
        if action == "getauthorizationtoken":
            return "ecr-auth-token-permission-missing"
        if action in _ECR_PUSH:
            return "ecr-push-permission-missing"
        if action in _ECR_PULL:  # a user's docker build pulling its base image too
            return "codebuild-role-missing-ecr-pull"
    if kind == USER:  # the causes below name a role of the pipeline; a user deploying is a deployer
        return "deployer-missing-iam-passrole" if (service, action) == ("iam", "passrole") else "role-missing-permission"
    if kind == EXECUTION and service == "logs":
        return "ecs-execution-role-missing-logs-permission"
    if kind == EXECUTION and (service in _SECRETS or service == "kms"):
        return "ecs-execution-role-missing-secrets-permission"
    if kind == TASK:
        return "ecs-task-role-missing-app-permission"  # the application's own calls, logs and keys too
    if service == "logs":
        return "codebuild-role-missing-logs-permissions"
    if service == "kms":
        return "artifact-kms-key-inaccessible"
    if service in CONNECTION_SERVICES:
        if action == "getconnectiontoken":
            return "codebuild-role-missing-get-connection-token"
        return (
            "codepipeline-role-missing-use-connection"
            if kind in (PIPELINE, ACTION)
            else "codebuild-role-missing-use-connection"
        )
    if service == "codecommit" and kind == BUILD:
        return "codebuild-role-missing-codecommit-gitpull"
    if kind in (PIPELINE, ACTION) and service in _PIPELINE_SERVICE_CAUSES:
        return _PIPELINE_SERVICE_CAUSES[service]
    if kind == PIPELINE and service == "sts" and action == "assumerole":
        return "codepipeline-role-cannot-assume-action-role"
    if service == "iam" and action == "passrole":
        return "deployer-missing-iam-passrole"
    if service == "s3":
        if kind in (PIPELINE, ACTION, CLOUDFORMATION):
            return "codepipeline-role-missing-s3-artifact-access"
        if kind == BUILD and (not action or action in _S3_ARTIFACT_ACCESS):
            return "codebuild-role-missing-s3-artifact-access"
    # CodeBuild's VPC support calls EC2 with the service role itself: no build command's need
    vpc_support = service == "ec2" and action in _VPC_ACTIONS
    reports = service == "codebuild" and action in _REPORT_ACTIONS
    if kind == BUILD and error.code != BARE_OPERATION_CODE and not (vpc_support or reports):
        return "codebuild-role-missing-app-permission"
    return "role-missing-permission"


def _remedy(error: AuthorizationError, kind: str) -> str:
    if kind == USER:
        who = f"the IAM user {error.principal.rsplit('/', 1)[-1]}"
    else:
        who = error.role_name or (f"the {kind}" if kind else "the role that made the call")
    what = denied_action(error) or "the denied action"
    where = error.resource or "the resource"
    if error.encoded:
        return (
            "Decode the message (`aws sts decode-authorization-message --encoded-message <the message>`, "
            "with sts:DecodeAuthorizationMessage) to see the action, the resource and the policy that "
            "denied it, then allow that action for the role that made the call."
        )
    if error.explicit_deny and error.layer in GUARDRAIL_LAYERS:
        return (
            f"An Allow in {who}'s policies cannot override an explicit deny in a {error.layer}: change "
            f"the {error.layer} (or its conditions) so that it no longer denies {what} on {where}."
        )
    if error.explicit_deny and not error.layer:
        return (
            f"An Allow cannot override an explicit deny: find the Deny that covers {what} on {where} "
            f"(most often a service control policy of the organization or {who}'s permissions boundary, "
            "else a Deny statement in its own or the resource's policies) and narrow it."
        )
    if error.explicit_deny:
        return f"Find the Deny statement that covers {what} on {where} in {who}'s policies or the resource's policy and narrow it."
    if error.layer == "resource-based policy":
        return f"Allow {who} {what} in the resource policy of {where} (the resource's owner must grant it)."
    if error.layer in ("permissions boundary", "session policy", "VPC endpoint policy"):
        return f"Allow {what} on {where} in the {error.layer} as well as in {who}'s policies."
    return f"Allow {what} on {where} in the policies of {who} (the statement below)."


@dataclass
class DenialFacts:
    cause: str
    facts: dict[str, Any]


def denial_facts(
    error: AuthorizationError, facts: dict[str, Any], context: str, surface: str
) -> DenialFacts:
    """The cause and the `auth.*` facts rule templates and checks use; absent facts stay absent."""
    kind = principal_kind(error, facts, context, surface)
    found: dict[str, Any] = {
        "auth.summary": describe(error, kind),
        "auth.fix": _remedy(error, kind),
    }
    values = {
        "auth.principal": error.principal,
        "auth.role": error.role_name
        or (error.provided_role if error.provided_role not in UNNAMED_ROLES else ""),
        "auth.role_arn": error.role_arn,
        "auth.kind": kind,
        "auth.action": denied_action(error),
        "auth.resource": error.resource,
        "auth.layer": error.layer,
        "auth.code": error.code,
        "auth.operation": error.operation,
        "auth.service": error.service,
        "auth.encoded": error.encoded,
    }
    found.update({name: value for name, value in values.items() if value})
    if error.explicit_deny:
        found["auth.explicit_deny"] = True
    return DenialFacts(cause=cause_for(error, kind), facts=found)
