"""A demo-like delivery chain built in a moto server, plus what moto cannot hold.

`build_demo_world(endpoint_url)` creates in moto: the CodeBuild service role (with
AmazonEC2ContainerRegistryFullAccess, a customer-managed base policy and an inline policy), the
pipeline role, the KMS-encrypted artifact bucket, three ECR repositories, the `build-myapp`
project, the V2 `deploy-myapp` pipeline and the failed build's CloudWatch log.

moto 5.2 cannot hold a failed execution (its executions succeed at once, with trigger
StartPipelineExecution and no source revisions), ListActionExecutions, CodeConnections or a
failed build; `stubbed_replies()` gives those as Stubber replies shaped like the real responses.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3

ACCOUNT = "123456789012"
REGION = "eu-west-2"
PIPELINE = "deploy-myapp"
PROJECT = "build-myapp"
BUCKET = f"codepipeline-{REGION}-{ACCOUNT}"
CODEBUILD_ROLE = "codebuild-build-myapp-service-role"
CODEBUILD_ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/service-role/{CODEBUILD_ROLE}"
PIPELINE_ROLE = f"AWSCodePipelineServiceRole-{REGION}-{PIPELINE}"
PIPELINE_ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/service-role/{PIPELINE_ROLE}"
BASE_POLICY = f"CodeBuildBasePolicy-{PROJECT}-{REGION}"
ECR_FULL_ACCESS = "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryFullAccess"
CONNECTION_ARN = (
    f"arn:aws:codeconnections:{REGION}:{ACCOUNT}:connection/7d2b4c1e-5f3a-4b8e-9c6d-1a2b3c4d5e6f"
)
REPOSITORIES = ["myapp", "billing-api", "legacy-worker"]
EXECUTION_ID = "4a7e2c9d-1b3f-4e5a-8c6d-0f1e2d3c4b5a"
BUILD_ID = f"{PROJECT}:0c4f5e6d-7a8b-4c9d-8e1f-2a3b4c5d6e7f"
LOG_GROUP = f"/aws/codebuild/{PROJECT}"
LOG_STREAM = "0c4f5e6d-7a8b-4c9d-8e1f-2a3b4c5d6e7f"
LOG_LINE_COUNT = 300
COMMIT = "9f1c2b3a4d5e6f708192a3b4c5d6e7f8091a2b3c"
SOURCE_ERROR = f"authorization failed for primary source and source version {COMMIT}"
STARTED = datetime(2026, 5, 9, 7, 30, tzinfo=UTC)


@dataclass
class DemoWorld:
    kms_key_arn: str
    log_lines: list[str]


def trust(service: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
            ],
        }
    )


def policy(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def build_demo_world(endpoint_url: str) -> DemoWorld:
    def client(service: str) -> Any:
        return boto3.client(service, region_name=REGION, endpoint_url=endpoint_url)

    iam = client("iam")
    iam.create_role(
        RoleName=CODEBUILD_ROLE,
        Path="/service-role/",
        AssumeRolePolicyDocument=trust("codebuild.amazonaws.com"),
    )
    iam.attach_role_policy(RoleName=CODEBUILD_ROLE, PolicyArn=ECR_FULL_ACCESS)
    base = iam.create_policy(
        PolicyName=BASE_POLICY,
        Path="/service-role/",
        PolicyDocument=policy(
            {
                "Effect": "Allow",
                "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": [
                    f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{LOG_GROUP}",
                    f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{LOG_GROUP}:*",
                ],
            },
            {
                "Effect": "Allow",
                "Action": ["s3:PutObject", "s3:GetObject", "s3:GetObjectVersion"],
                "Resource": [f"arn:aws:s3:::codepipeline-{REGION}-*"],
            },
        ),
    )
    iam.attach_role_policy(RoleName=CODEBUILD_ROLE, PolicyArn=base["Policy"]["Arn"])
    iam.put_role_policy(
        RoleName=CODEBUILD_ROLE,
        PolicyName="ecr-login",
        PolicyDocument=policy(
            {"Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"}
        ),
    )
    iam.create_role(
        RoleName=PIPELINE_ROLE,
        Path="/service-role/",
        AssumeRolePolicyDocument=trust("codepipeline.amazonaws.com"),
    )
    iam.put_role_policy(
        RoleName=PIPELINE_ROLE,
        PolicyName="pipeline",
        PolicyDocument=policy(
            {"Effect": "Allow", "Action": "codestar-connections:UseConnection", "Resource": "*"},
            {
                "Effect": "Allow",
                "Action": ["codebuild:BatchGetBuilds", "codebuild:StartBuild"],
                "Resource": "*",
            },
            {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
        ),
    )

    key_arn = client("kms").create_key(Description="pipeline artifacts")["KeyMetadata"]["Arn"]
    s3 = client("s3")
    s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.put_bucket_encryption(
        Bucket=BUCKET,
        ServerSideEncryptionConfiguration={
            "Rules": [
                {
                    "ApplyServerSideEncryptionByDefault": {
                        "SSEAlgorithm": "aws:kms",
                        "KMSMasterKeyID": key_arn,
                    }
                }
            ]
        },
    )

    ecr = client("ecr")
    for name in REPOSITORIES:
        ecr.create_repository(repositoryName=name)
    ecr.set_repository_policy(
        repositoryName="billing-api",
        policyText=policy(
            {
                "Sid": "pull",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
            }
        ),
    )

    client("codebuild").create_project(
        name=PROJECT,
        # moto wants source and artifacts locations even for CODEPIPELINE (AWS ignores them)
        source={"type": "CODEPIPELINE", "location": PIPELINE, "buildspec": "buildspec.yml"},
        artifacts={"type": "CODEPIPELINE", "location": BUCKET},
        environment={
            "type": "LINUX_CONTAINER",
            "image": "aws/codebuild/amazonlinux2-x86_64-standard:5.0",
            "computeType": "BUILD_GENERAL1_SMALL",
            "privilegedMode": True,
            "imagePullCredentialsType": "CODEBUILD",
            "environmentVariables": [
                {"name": "IMAGE_REPO_NAME", "value": "myapp", "type": "PLAINTEXT"},
                {"name": "AWS_ACCOUNT_ID", "value": ACCOUNT, "type": "PLAINTEXT"},
                {"name": "AWS_DEFAULT_REGION", "value": REGION, "type": "PLAINTEXT"},
                {"name": "DOCKERHUB_PASSWORD", "value": "hunter2", "type": "PLAINTEXT"},
            ],
        },
        serviceRole=CODEBUILD_ROLE_ARN,
        logsConfig={"cloudWatchLogs": {"status": "ENABLED", "groupName": LOG_GROUP}},
    )

    client("codepipeline").create_pipeline(pipeline=pipeline_definition(key_arn))

    logs = client("logs")
    logs.create_log_group(logGroupName=LOG_GROUP)
    logs.create_log_stream(logGroupName=LOG_GROUP, logStreamName=LOG_STREAM)
    lines = [
        f"[Container] 2026/05/09 07:31:{n % 60:02d} line {n}" for n in range(1, LOG_LINE_COUNT)
    ]
    lines.append(f"[Container] 2026/05/09 07:32:00 CLIENT_ERROR: {SOURCE_ERROR}")
    # CloudWatch (and moto) drop events older than 14 days: stamp them an hour ago.
    start = int((datetime.now(UTC) - timedelta(hours=1)).timestamp() * 1000)
    logs.put_log_events(
        logGroupName=LOG_GROUP,
        logStreamName=LOG_STREAM,
        logEvents=[{"timestamp": start + n, "message": line} for n, line in enumerate(lines)],
    )
    return DemoWorld(kms_key_arn=key_arn, log_lines=lines)


def pipeline_definition(key_arn: str) -> dict[str, Any]:
    variables = [
        {"name": "IMAGE_REPO_NAME", "value": "myapp", "type": "PLAINTEXT"},
        {"name": "TagName", "value": "#{SourceVariables.TagName}", "type": "PLAINTEXT"},
    ]
    return {
        "name": PIPELINE,
        "roleArn": PIPELINE_ROLE_ARN,
        "pipelineType": "V2",
        "executionMode": "QUEUED",
        "artifactStore": {
            "type": "S3",
            "location": BUCKET,
            "encryptionKey": {"id": key_arn, "type": "KMS"},
        },
        "stages": [
            {
                "name": "Source",
                "actions": [
                    {
                        "name": "Source",
                        "actionTypeId": {
                            "category": "Source",
                            "owner": "AWS",
                            "provider": "CodeStarSourceConnection",
                            "version": "1",
                        },
                        "configuration": {
                            "ConnectionArn": CONNECTION_ARN,
                            "FullRepositoryId": "acme/myapp",
                            "BranchName": "main",
                            "OutputArtifactFormat": "CODEBUILD_CLONE_REF",
                            "DetectChanges": "false",
                        },
                        "outputArtifacts": [{"name": "SourceArtifact"}],
                        "namespace": "SourceVariables",
                    }
                ],
            },
            {
                "name": "Build",
                "actions": [
                    {
                        "name": "Build",
                        "actionTypeId": {
                            "category": "Build",
                            "owner": "AWS",
                            "provider": "CodeBuild",
                            "version": "1",
                        },
                        "configuration": {
                            "ProjectName": PROJECT,
                            "EnvironmentVariables": json.dumps(variables),
                        },
                        "inputArtifacts": [{"name": "SourceArtifact"}],
                        "outputArtifacts": [{"name": "BuildArtifact"}],
                        "namespace": "BuildVariables",
                    }
                ],
            },
        ],
        "variables": [{"name": "DeployEnv", "defaultValue": "production"}],
        "triggers": [
            {
                "providerType": "CodeStarSourceConnection",
                "gitConfiguration": {
                    "sourceActionName": "Source",
                    "push": [{"tags": {"includes": ["release*"]}}],
                },
            }
        ],
    }


def stubbed_replies() -> dict[tuple[str, str], list[dict[str, Any]]]:
    """(service, operation) -> Stubber replies, in the shapes of the real responses."""
    revision = {
        "actionName": "Source",
        "revisionId": COMMIT,
        "revisionSummary": '{"ProviderType":"GitHub","CommitMessage":"Release 1.4.0"}',
        "revisionUrl": f"https://github.com/acme/myapp/commit/{COMMIT}",
    }
    trigger = {"triggerType": "WebhookV2", "triggerDetail": CONNECTION_ARN}
    return {
        ("codepipeline", "list_pipeline_executions"): [
            {
                "expected": {"pipelineName": PIPELINE, "maxResults": 1},
                "response": {
                    "pipelineExecutionSummaries": [
                        {
                            "pipelineExecutionId": EXECUTION_ID,
                            "status": "Failed",
                            "statusSummary": "Build failed",
                            "startTime": STARTED,
                            "lastUpdateTime": STARTED + timedelta(minutes=3),
                            "sourceRevisions": [revision],
                            "trigger": trigger,
                            "executionMode": "QUEUED",
                        }
                    ]
                },
            }
        ],
        ("codepipeline", "get_pipeline_execution"): [
            {
                "expected": {"pipelineName": PIPELINE, "pipelineExecutionId": EXECUTION_ID},
                "response": {
                    "pipelineExecution": {
                        "pipelineName": PIPELINE,
                        "pipelineVersion": 1,
                        "pipelineExecutionId": EXECUTION_ID,
                        "status": "Failed",
                        "artifactRevisions": [],
                        "variables": [{"name": "DeployEnv", "resolvedValue": "production"}],
                        "trigger": trigger,
                    }
                },
            }
        ],
        ("codepipeline", "list_action_executions"): [
            {
                "expected": {
                    "pipelineName": PIPELINE,
                    "filter": {"pipelineExecutionId": EXECUTION_ID},
                },
                "response": {"actionExecutionDetails": _action_execution_details()},
            }
        ],
        ("codebuild", "batch_get_builds"): [
            {"expected": {"ids": [BUILD_ID]}, "response": {"builds": [_failed_build()]}}
        ],
        ("codeconnections", "get_connection"): [get_connection_reply(CONNECTION_ARN)],
    }


def get_connection_reply(connection_arn: str) -> dict[str, Any]:
    """GetConnection for an available GitHub connection, as CodeConnections answers it."""
    return {
        "expected": {"ConnectionArn": connection_arn},
        "response": {
            "Connection": {
                "ConnectionName": "acme-github",
                "ConnectionArn": connection_arn,
                "ProviderType": "GitHub",
                "OwnerAccountId": ACCOUNT,
                "ConnectionStatus": "AVAILABLE",
            }
        },
    }


def _action_execution_details() -> list[dict[str, Any]]:
    source_type = {
        "category": "Source",
        "owner": "AWS",
        "provider": "CodeStarSourceConnection",
        "version": "1",
    }
    build_type = {"category": "Build", "owner": "AWS", "provider": "CodeBuild", "version": "1"}
    build_configuration = pipeline_definition("")["stages"][1]["actions"][0]["configuration"]
    resolved = dict(build_configuration)
    resolved["EnvironmentVariables"] = resolved["EnvironmentVariables"].replace(
        "#{SourceVariables.TagName}", "release-1.4.0"
    )
    return [
        {
            "pipelineExecutionId": EXECUTION_ID,
            "actionExecutionId": "a1b2c3d4-0000-4000-8000-000000000001",
            "pipelineVersion": 1,
            "stageName": "Source",
            "actionName": "Source",
            "startTime": STARTED,
            "lastUpdateTime": STARTED + timedelta(seconds=20),
            "status": "Succeeded",
            "input": {
                "actionTypeId": source_type,
                "configuration": {"ConnectionArn": CONNECTION_ARN},
                "resolvedConfiguration": {"ConnectionArn": CONNECTION_ARN},
                "region": REGION,
                "inputArtifacts": [],
                "namespace": "SourceVariables",
            },
            "output": {
                "outputArtifacts": [],
                "executionResult": {
                    "externalExecutionId": COMMIT,
                    "externalExecutionSummary": "Release 1.4.0",
                },
                "outputVariables": {
                    "CommitId": COMMIT,
                    "TagName": "release-1.4.0",
                    "FullRepositoryName": "acme/myapp",
                    "ConnectionArn": CONNECTION_ARN,
                },
            },
        },
        {
            "pipelineExecutionId": EXECUTION_ID,
            "actionExecutionId": "a1b2c3d4-0000-4000-8000-000000000002",
            "pipelineVersion": 1,
            "stageName": "Build",
            "actionName": "Build",
            "startTime": STARTED + timedelta(seconds=21),
            "lastUpdateTime": STARTED + timedelta(minutes=3),
            "status": "Failed",
            "input": {
                "actionTypeId": build_type,
                "configuration": build_configuration,
                "resolvedConfiguration": resolved,
                "region": REGION,
                "inputArtifacts": [{"name": "SourceArtifact"}],
                "namespace": "BuildVariables",
            },
            "output": {
                "outputArtifacts": [],
                "executionResult": {
                    "externalExecutionId": BUILD_ID,
                    "externalExecutionSummary": "Build terminated with state: FAILED",
                    "externalExecutionUrl": (
                        f"https://console.aws.amazon.com/codebuild/home?region={REGION}"
                        f"#/builds/{BUILD_ID}/view/new"
                    ),
                    "errorDetails": {
                        "code": "JobFailed",
                        "message": "Build terminated with state: FAILED",
                    },
                },
                "outputVariables": {},
            },
        },
    ]


def _failed_build() -> dict[str, Any]:
    def phase(kind: str, status: str, *contexts: tuple[str, str]) -> dict[str, Any]:
        return {
            "phaseType": kind,
            "phaseStatus": status,
            "contexts": [{"statusCode": code, "message": message} for code, message in contexts],
        }

    return {
        "id": BUILD_ID,
        "arn": f"arn:aws:codebuild:{REGION}:{ACCOUNT}:build/{BUILD_ID}",
        "buildNumber": 42,
        "startTime": STARTED + timedelta(seconds=22),
        "endTime": STARTED + timedelta(minutes=3),
        "currentPhase": "COMPLETED",
        "buildStatus": "FAILED",
        "sourceVersion": COMMIT,
        "resolvedSourceVersion": COMMIT,
        "projectName": PROJECT,
        "phases": [
            phase("SUBMITTED", "SUCCEEDED"),
            phase("QUEUED", "SUCCEEDED"),
            phase("PROVISIONING", "SUCCEEDED", ("", "")),
            phase("DOWNLOAD_SOURCE", "CLIENT_ERROR", ("CLIENT_ERROR", SOURCE_ERROR)),
            phase("FINALIZING", "SUCCEEDED", ("", "")),
            {"phaseType": "COMPLETED"},
        ],
        "source": {"type": "CODEPIPELINE", "buildspec": "buildspec.yml"},
        "environment": {
            "type": "LINUX_CONTAINER",
            "image": "aws/codebuild/amazonlinux2-x86_64-standard:5.0",
            "computeType": "BUILD_GENERAL1_SMALL",
            "privilegedMode": True,
            "environmentVariables": [
                {"name": "IMAGE_REPO_NAME", "value": "myapp", "type": "PLAINTEXT"},
                {"name": "AWS_ACCOUNT_ID", "value": ACCOUNT, "type": "PLAINTEXT"},
                {"name": "AWS_DEFAULT_REGION", "value": REGION, "type": "PLAINTEXT"},
                {"name": "DOCKERHUB_PASSWORD", "value": "hunter2", "type": "PLAINTEXT"},
                {"name": "TagName", "value": "release-1.4.0", "type": "PLAINTEXT"},
            ],
        },
        "serviceRole": CODEBUILD_ROLE_ARN,
        "logs": {
            "groupName": LOG_GROUP,
            "streamName": LOG_STREAM,
            "cloudWatchLogs": {"status": "ENABLED", "groupName": LOG_GROUP},
        },
        "buildComplete": True,
        "initiator": f"codepipeline/{PIPELINE}",
    }


# The other two seed failures, as the same pipeline's earlier runs: a Docker Hub rate limit
# on a tag push, and a manual "Release change" whose empty TagName breaks `docker build -t`.
RATE_LIMIT_EXECUTION = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
MANUAL_EXECUTION = "5c6d7e8f-9a0b-4c1d-8e2f-3a4b5c6d7e8f"
RATE_LIMIT_BUILD = f"{PROJECT}:31a4b7c0-5d2e-4f89-8b1c-7e6d5f4a3b20"
MANUAL_BUILD = f"{PROJECT}:6c2d9e14-73a8-4b5f-a0e1-c9d8f7b6a542"
SEED_LOGS = {
    RATE_LIMIT_BUILD: [
        "[Container] 2026/05/08 09:41:30 Running command docker build -t $REPOSITORY_URI:$TagName .",
        "Step 1/8 : FROM node:21-alpine3.19",
        (
            "toomanyrequests: You have reached your pull rate limit. You may increase the limit by "
            "authenticating and upgrading: https://www.docker.com/increase-rate-limit"
        ),
        "[Container] 2026/05/08 09:41:33 Phase complete: BUILD State: FAILED",
    ],
    MANUAL_BUILD: [
        "[Container] 2026/05/07 16:38:20 Running command docker build -t $REPOSITORY_URI:$TagName .",
        (
            f'invalid argument "{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/myapp:" for "-t, --tag" '
            "flag: invalid reference format"
        ),
        "[Container] 2026/05/07 16:38:21 Phase complete: BUILD State: FAILED",
    ],
}


def add_seed_logs(endpoint_url: str) -> None:
    """The CloudWatch log streams of the two extra failed builds (idempotent)."""
    logs = boto3.client("logs", endpoint_url=endpoint_url, region_name=REGION)
    start = int((datetime.now(UTC) - timedelta(hours=1)).timestamp() * 1000)
    for build_id, lines in SEED_LOGS.items():
        stream = build_id.split(":", 1)[1]
        existing = logs.describe_log_streams(logGroupName=LOG_GROUP, logStreamNamePrefix=stream)
        if existing["logStreams"]:
            continue
        logs.create_log_stream(logGroupName=LOG_GROUP, logStreamName=stream)
        logs.put_log_events(
            logGroupName=LOG_GROUP,
            logStreamName=stream,
            logEvents=[{"timestamp": start + n, "message": line} for n, line in enumerate(lines)],
        )


def _seed_build(build_id: str, tag: str, phase_message: str) -> dict[str, Any]:
    build = _failed_build()
    stream = build_id.split(":", 1)[1]
    build.update(
        id=build_id,
        arn=f"arn:aws:codebuild:{REGION}:{ACCOUNT}:build/{build_id}",
        logs={"groupName": LOG_GROUP, "streamName": stream},
    )
    build["phases"] = [
        {"phaseType": kind, "phaseStatus": "SUCCEEDED"}
        for kind in (
            "SUBMITTED",
            "QUEUED",
            "PROVISIONING",
            "DOWNLOAD_SOURCE",
            "INSTALL",
            "PRE_BUILD",
        )
    ] + [
        {
            "phaseType": "BUILD",
            "phaseStatus": "FAILED",
            "contexts": [{"statusCode": "COMMAND_EXECUTION_ERROR", "message": phase_message}],
        },
        {"phaseType": "COMPLETED"},
    ]
    for variable in build["environment"]["environmentVariables"]:
        if variable["name"] == "TagName":
            variable["value"] = tag
    return build


def _seed_action_executions(execution_id: str, build_id: str, tag: str) -> list[dict[str, Any]]:
    details = _action_execution_details()
    for detail in details:
        detail["pipelineExecutionId"] = execution_id
        detail["actionExecutionId"] = f"{detail['actionExecutionId'][:-4]}{execution_id[:4]}"
    details[0]["output"]["outputVariables"]["TagName"] = tag
    details[1]["input"]["resolvedConfiguration"]["EnvironmentVariables"] = details[1]["input"][
        "resolvedConfiguration"
    ]["EnvironmentVariables"].replace("release-1.4.0", tag)
    details[1]["output"]["executionResult"]["externalExecutionId"] = build_id
    return details


def seed_failure_replies() -> dict[tuple[str, str], list[dict[str, Any]]]:
    """`stubbed_replies()` plus the two earlier failed runs: three executions in all."""
    replies = stubbed_replies()
    newest = replies[("codepipeline", "list_pipeline_executions")][0]["response"][
        "pipelineExecutionSummaries"
    ][0]
    manual = {
        **newest,
        "pipelineExecutionId": MANUAL_EXECUTION,
        "startTime": STARTED - timedelta(days=1),
        "lastUpdateTime": STARTED - timedelta(days=1) + timedelta(minutes=2),
        "trigger": {
            "triggerType": "StartPipelineExecution",
            "triggerDetail": f"arn:aws:sts::{ACCOUNT}:assumed-role/DevOpsEngineer/jordan",
        },
    }
    rate_limited = {
        **newest,
        "pipelineExecutionId": RATE_LIMIT_EXECUTION,
        "startTime": STARTED - timedelta(days=2),
        "lastUpdateTime": STARTED - timedelta(days=2) + timedelta(minutes=2),
    }
    summaries = [newest, manual, rate_limited]
    replies[("codepipeline", "list_pipeline_executions")] = [
        {"expected": None, "response": {"pipelineExecutionSummaries": summaries}}
    ]
    execution_reply = replies[("codepipeline", "get_pipeline_execution")][0]["response"]
    replies[("codepipeline", "get_pipeline_execution")] = [
        {
            "expected": None,
            "response": {
                "pipelineExecution": {
                    **execution_reply["pipelineExecution"],
                    "pipelineExecutionId": summary["pipelineExecutionId"],
                    "trigger": summary["trigger"],
                }
            },
        }
        for summary in summaries
    ]
    # Threads may ask for the executions in any order: every reply carries its own ids.
    replies[("codepipeline", "list_action_executions")] = [
        {"expected": None, "response": {"actionExecutionDetails": details}}
        for details in (
            _action_execution_details(),
            _seed_action_executions(MANUAL_EXECUTION, MANUAL_BUILD, ""),
            _seed_action_executions(RATE_LIMIT_EXECUTION, RATE_LIMIT_BUILD, "release-1.3.0"),
        )
    ]
    replies[("codebuild", "batch_get_builds")] = [
        {
            "expected": None,
            "response": {
                "builds": [
                    _failed_build(),
                    _seed_build(
                        MANUAL_BUILD,
                        "",
                        "Error while executing command: docker build. Reason: exit status 125",
                    ),
                    _seed_build(
                        RATE_LIMIT_BUILD,
                        "release-1.3.0",
                        "Error while executing command: docker build. Reason: exit status 1",
                    ),
                ]
            },
        }
    ]
    return replies
