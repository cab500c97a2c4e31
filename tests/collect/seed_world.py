"""The seed's misconfigured delivery chain, built in the moto server in a region of its own.

A GitHub connection source handing CodeBuild a full clone (CODEBUILD_CLONE_REF), a build role
with AmazonEC2ContainerRegistryFullAccess (`ecr:*`) but no UseConnection, `#{SourceVariables.
TagName}` in the build action's variables with no tag trigger, and a second project whose inline
buildspec runs `docker build` with privileged mode off. No repository file defines any of it.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import boto3

from tests.collect.world import (
    ACCOUNT,
    ECR_FULL_ACCESS,
    get_connection_reply,
    pipeline_definition,
    policy,
    trust,
)

REGION = "eu-central-1"  # the demo world holds a pipeline of the same name in its own region
PIPELINE = "deploy-myapp"
BUILD_PROJECT = "build-myapp"
IMAGE_PROJECT = "image-myapp"
BUILD_ROLE = "seed-codebuild-role"
PIPELINE_ROLE = "seed-codepipeline-role"
BUCKET = f"seed-artifacts-{ACCOUNT}"
CONNECTION_ARN = f"arn:aws:codeconnections:{REGION}:{ACCOUNT}:connection/0b1c2d3e-seed"
INLINE_BUILDSPEC = """version: 0.2
phases:
  build:
    commands:
      - docker build -t myapp .
"""
# The cause ids every source of this set-up must give.
EXPECTED_CAUSES = {
    "codebuild-role-missing-use-connection",
    "source-variable-empty-on-manual-run",
    "codebuild-privileged-mode-off",
    "ci-role-full-access-policy",
}


def _role_arn(name: str) -> str:
    return f"arn:aws:iam::{ACCOUNT}:role/{name}"


def pipeline_structure() -> dict[str, Any]:
    """The pipeline in the get-pipeline shape (also what the parity fixtures write)."""
    variables = [{"name": "TAG", "value": "#{SourceVariables.TagName}", "type": "PLAINTEXT"}]

    def build_action(name: str, project: str, extra: dict[str, str]) -> dict[str, Any]:
        return {
            "name": name,
            "actionTypeId": {
                "category": "Build",
                "owner": "AWS",
                "provider": "CodeBuild",
                "version": "1",
            },
            "configuration": {"ProjectName": project, **extra},
            "inputArtifacts": [{"name": "SourceArtifact"}],
            "outputArtifacts": [{"name": f"{name}Artifact"}],
        }

    # The demo world's source stage (a full clone from GitHub) on this world's connection.
    source_stage = copy.deepcopy(pipeline_definition("")["stages"][0])
    source_stage["actions"][0]["configuration"]["ConnectionArn"] = CONNECTION_ARN
    return {
        "name": PIPELINE,
        "roleArn": _role_arn(PIPELINE_ROLE),
        "pipelineType": "V2",
        "artifactStore": {"type": "S3", "location": BUCKET},
        "stages": [
            source_stage,
            {
                "name": "Build",
                "actions": [
                    build_action(
                        "Build", BUILD_PROJECT, {"EnvironmentVariables": json.dumps(variables)}
                    ),
                    build_action("Image", IMAGE_PROJECT, {}),
                ],
            },
        ],
    }


def build_seed_world(endpoint_url: str) -> None:
    def client(service: str) -> Any:
        return boto3.client(service, region_name=REGION, endpoint_url=endpoint_url)

    iam = client("iam")
    iam.create_role(RoleName=BUILD_ROLE, AssumeRolePolicyDocument=trust("codebuild.amazonaws.com"))
    iam.attach_role_policy(RoleName=BUILD_ROLE, PolicyArn=ECR_FULL_ACCESS)
    iam.put_role_policy(
        RoleName=BUILD_ROLE,
        PolicyName="logs",
        PolicyDocument=policy(
            {"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"], "Resource": "*"}
        ),
    )
    iam.create_role(
        RoleName=PIPELINE_ROLE, AssumeRolePolicyDocument=trust("codepipeline.amazonaws.com")
    )
    iam.put_role_policy(
        RoleName=PIPELINE_ROLE,
        PolicyName="pipeline",
        PolicyDocument=policy(
            {"Effect": "Allow", "Action": "codeconnections:UseConnection", "Resource": CONNECTION_ARN},
            {"Effect": "Allow", "Action": ["codebuild:StartBuild", "codebuild:BatchGetBuilds"], "Resource": "*"},
        ),
    )
    client("s3").create_bucket(
        Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION}
    )
    codebuild = client("codebuild")
    environment = {
        "type": "LINUX_CONTAINER",
        "image": "aws/codebuild/amazonlinux2-x86_64-standard:5.0",
        "computeType": "BUILD_GENERAL1_SMALL",
        "privilegedMode": False,
    }
    # moto wants source and artifacts locations even for CODEPIPELINE (AWS ignores them)
    artifacts = {"type": "CODEPIPELINE", "location": BUCKET}
    codebuild.create_project(
        name=BUILD_PROJECT,
        source={"type": "CODEPIPELINE", "location": PIPELINE, "buildspec": "buildspec.yml"},
        artifacts=artifacts,
        environment=environment,
        serviceRole=_role_arn(BUILD_ROLE),
    )
    codebuild.create_project(
        name=IMAGE_PROJECT,
        source={"type": "CODEPIPELINE", "location": PIPELINE, "buildspec": INLINE_BUILDSPEC},
        artifacts=artifacts,
        environment=environment,
        serviceRole=_role_arn(BUILD_ROLE),
    )
    client("codepipeline").create_pipeline(pipeline=pipeline_structure())


def connection_reply() -> dict[tuple[str, str], list[dict[str, Any]]]:
    """GetConnection as CodeConnections answers it (moto has no CodeConnections)."""
    return {("codeconnections", "get_connection"): [get_connection_reply(CONNECTION_ARN)]}
