"""Regenerate the embedded demo snapshot (src/pipedoctor/demo/demo-snapshot.json).

The demo is the pipeline of a team that followed the usual GitHub -> CodePipeline -> CodeBuild ->
ECR set-up: full-clone source through a GitHub connection, a tag trigger, a build role holding
AmazonEC2ContainerRegistryFullAccess and no connection permission, and three failed runs.
Run: python scripts/make_demo_snapshot.py
"""

from __future__ import annotations

import json
from pathlib import Path

from pipedoctor.model import (
    ActionExecution,
    ArtifactBucket,
    ArtifactStore,
    Build,
    BuildEnvironment,
    BuildPhase,
    Connection,
    EcrRepository,
    EnvironmentVariable,
    GitTrigger,
    ManagedPolicy,
    PhaseContext,
    Pipeline,
    PipelineAction,
    PipelineExecution,
    PipelineStage,
    Project,
    ProjectSource,
    RepoFile,
    Role,
    Snapshot,
    dump,
)

ACCOUNT = "123456789012"
REGION = "eu-west-2"
CONNECTION = f"arn:aws:codeconnections:{REGION}:{ACCOUNT}:connection/7d3e1f2a-5b6c-4d8e-9f01-23456789abcd"
BUCKET = f"codepipeline-{REGION}-583920174615"
BUILD_ROLE = f"arn:aws:iam::{ACCOUNT}:role/service-role/codebuild-build-myapp-service-role"
PIPELINE_ROLE = f"arn:aws:iam::{ACCOUNT}:role/service-role/AWSCodePipelineServiceRole-{REGION}-deploy-myapp"
REGISTRY = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com"
PIPELINE_ENV = json.dumps([{"name": "TagName", "value": "#{SourceVariables.TagName}", "type": "PLAINTEXT"}])

BUILDSPEC = """version: 0.2

phases:
  pre_build:
    commands:
      - echo Logging in to Amazon ECR...
      - aws ecr get-login-password --region $AWS_DEFAULT_REGION | docker login --username AWS --password-stdin $AWS_ACCOUNT_ID.dkr.ecr.$AWS_DEFAULT_REGION.amazonaws.com
      - REPOSITORY_URI=$AWS_ACCOUNT_ID.dkr.ecr.$AWS_DEFAULT_REGION.amazonaws.com/$IMAGE_REPO_NAME
  build:
    commands:
      - echo Build started on `date`
      - docker build -t $REPOSITORY_URI:$TagName -f myapp.dockerfile .
  post_build:
    commands:
      - docker push $REPOSITORY_URI:$TagName
      - printf '[{"name":"myapp","imageUri":"%s"}]' $REPOSITORY_URI:$TagName > imagedefinitions.json
artifacts:
  files:
    - imagedefinitions.json
"""

DOCKERFILE = """FROM node:21-alpine3.19
WORKDIR /usr/src/app
COPY package*.json ./
RUN npm ci --omit=dev
COPY . .
EXPOSE 3000
USER node
CMD ["node", "server.js"]
"""

ECR_FULL_ACCESS = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Action": ["ecr:*", "cloudtrail:LookupEvents"], "Resource": "*"},
        {
            "Effect": "Allow",
            "Action": ["iam:CreateServiceLinkedRole"],
            "Resource": "*",
            "Condition": {"StringEquals": {"iam:AWSServiceName": ["replication.ecr.amazonaws.com"]}},
        },
    ],
}

CODEBUILD_BASE_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Resource": [
                f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/codebuild/build-myapp",
                f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/codebuild/build-myapp:*",
            ],
            "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
        },
        {
            "Effect": "Allow",
            "Resource": [f"arn:aws:s3:::codepipeline-{REGION}-*"],
            "Action": [
                "s3:PutObject",
                "s3:GetObject",
                "s3:GetObjectVersion",
                "s3:GetBucketAcl",
                "s3:GetBucketLocation",
            ],
        },
        {
            "Effect": "Allow",
            "Action": [
                "codebuild:CreateReportGroup",
                "codebuild:CreateReport",
                "codebuild:UpdateReport",
                "codebuild:BatchPutTestCases",
                "codebuild:BatchPutCodeCoverages",
            ],
            "Resource": [f"arn:aws:codebuild:{REGION}:{ACCOUNT}:report-group/build-myapp-*"],
        },
    ],
}

PIPELINE_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Action": ["codeconnections:UseConnection", "codestar-connections:UseConnection"], "Resource": "*"},
        {"Effect": "Allow", "Action": ["codebuild:BatchGetBuilds", "codebuild:StartBuild"], "Resource": "*"},
        {"Effect": "Allow", "Action": ["s3:*"], "Resource": "*"},
        {"Effect": "Allow", "Action": ["ecs:*"], "Resource": "*"},
        {
            "Effect": "Allow",
            "Action": ["iam:PassRole"],
            "Resource": "*",
            "Condition": {"StringEqualsIfExists": {"iam:PassedToService": ["ecs-tasks.amazonaws.com"]}},
        },
    ],
}


def trust(service: str) -> dict:
    return {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}],
    }


def log(lines: list[str], start: str = "2026/11/27 09:41:02") -> list[str]:
    return [line if line.startswith((" ", "Step", "Sending", "#")) else f"[Container] {start}.{i:06d} {line}" for i, line in enumerate(lines)]


def build(build_id: str, status: str, phases: list[BuildPhase], tag: str, log_lines: list[str], start: str) -> Build:
    return Build(
        id=f"build-myapp:{build_id}",
        arn=f"arn:aws:codebuild:{REGION}:{ACCOUNT}:build/build-myapp:{build_id}",
        project_name="build-myapp",
        status=status,
        region=REGION,
        start_time=start,
        initiator="codepipeline/deploy-myapp",
        service_role=BUILD_ROLE,
        phases=phases,
        environment_variables=[
            EnvironmentVariable("IMAGE_REPO_NAME", "myapp"),
            EnvironmentVariable("AWS_ACCOUNT_ID", ACCOUNT),
            EnvironmentVariable("AWS_DEFAULT_REGION", REGION),
            EnvironmentVariable("TagName", tag),
        ],
        log_group="/aws/codebuild/build-myapp",
        log_stream=build_id,
        log_excerpt=log_lines,
    )


def ok(*names: str) -> list[BuildPhase]:
    return [BuildPhase(name, "SUCCEEDED") for name in names]


def main() -> None:
    pipeline = Pipeline(
        name="deploy-myapp",
        arn=f"arn:aws:codepipeline:{REGION}:{ACCOUNT}:deploy-myapp",
        role_arn=PIPELINE_ROLE,
        region=REGION,
        pipeline_type="V2",
        version=4,
        artifact_stores=[ArtifactStore(location=BUCKET)],
        triggers=[GitTrigger(source_action="Source", on_push_tags=["release*"])],
        stages=[
            PipelineStage("Source", [PipelineAction(
                name="Source", category="Source", provider="CodeStarSourceConnection",
                configuration={
                    "ConnectionArn": CONNECTION,
                    "FullRepositoryId": "acme-shop/myapp",
                    "BranchName": "main",
                    "OutputArtifactFormat": "CODEBUILD_CLONE_REF",
                    "DetectChanges": "false",
                },
                output_artifacts=["SourceArtifact"], namespace="SourceVariables", region=REGION,
            )]),
            PipelineStage("Build", [PipelineAction(
                name="Build", category="Build", provider="CodeBuild",
                configuration={"ProjectName": "build-myapp", "EnvironmentVariables": PIPELINE_ENV},
                input_artifacts=["SourceArtifact"], output_artifacts=["BuildArtifact"],
                namespace="BuildVariables", region=REGION,
            )]),
            PipelineStage("Deploy", [PipelineAction(
                name="Deploy", category="Deploy", provider="ECS",
                configuration={"ClusterName": "myapp-cluster", "ServiceName": "myapp", "FileName": "imagedefinitions.json"},
                input_artifacts=["BuildArtifact"], region=REGION,
            )]),
        ],
    )
    project = Project(
        name="build-myapp",
        arn=f"arn:aws:codebuild:{REGION}:{ACCOUNT}:project/build-myapp",
        service_role=BUILD_ROLE,
        region=REGION,
        source=ProjectSource(type="CODEPIPELINE", buildspec="buildspec.yml"),
        environment=BuildEnvironment(
            image="aws/codebuild/amazonlinux2-x86_64-standard:5.0",
            compute_type="BUILD_GENERAL1_SMALL",
            privileged_mode=True,
            variables=[
                EnvironmentVariable("IMAGE_REPO_NAME", "myapp"),
                EnvironmentVariable("AWS_ACCOUNT_ID", ACCOUNT),
                EnvironmentVariable("AWS_DEFAULT_REGION", REGION),
            ],
        ),
    )
    executions = [
        PipelineExecution("deploy-myapp", "b7e2c0d4-6a1f-4c3e-9d2b-0f5a8e7c1d93", "Failed", "WebhookV2",
                          "arn:aws:codeconnections push of tag release-1.5.0", "2026-11-27T14:02:11Z",
                          "Build stage failed",
                          [{"actionName": "Source", "revisionId": "9c41e7a", "revisionType": "TAG", "revisionSummary": "release-1.5.0"}],
                          {}),
        PipelineExecution("deploy-myapp", "4f9a1b2c-3d4e-4f50-8a6b-7c8d9e0f1a2b", "Failed", "StartPipelineExecution",
                          f"arn:aws:sts::{ACCOUNT}:assumed-role/DevOpsEngineer/jordan (console: Release change)",
                          "2026-11-26T16:37:45Z", "Build stage failed",
                          [{"actionName": "Source", "revisionId": "5e0d2f8", "revisionType": "COMMIT_ID", "revisionSummary": "Bump express to 4.21.2"}],
                          {}),
        PipelineExecution("deploy-myapp", "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", "Failed", "WebhookV2",
                          "arn:aws:codeconnections push of tag release-1.4.0", "2026-11-25T09:40:58Z",
                          "Build stage failed",
                          [{"actionName": "Source", "revisionId": "1f2e3d4", "revisionType": "TAG", "revisionSummary": "release-1.4.0"}],
                          {}),
    ]
    build_ids = ["e81f3c52-0b7d-4f1a-9c6e-2d4b8a7f5e31", "6c2d9e14-73a8-4b5f-a0e1-c9d8f7b6a542", "31a4b7c0-5d2e-4f89-8b1c-7e6d5f4a3b20"]
    builds = [
        build(build_ids[0], "FAILED",
              [*ok("SUBMITTED", "QUEUED", "PROVISIONING"),
               BuildPhase("DOWNLOAD_SOURCE", "CLIENT_ERROR", [PhaseContext("CLIENT_ERROR", "authorization failed for primary source and source version 9c41e7a")]),
               BuildPhase("FINALIZING", "SUCCEEDED"), BuildPhase("COMPLETED")],
              "release-1.5.0",
              log(["Waiting for agent ping", "Waiting for DOWNLOAD_SOURCE",
                   "Phase complete: DOWNLOAD_SOURCE State: CLIENT_ERROR",
                   "Phase context status code: CLIENT_ERROR Message: authorization failed for primary source and source version 9c41e7a"],
                  "2026/11/27 14:02:40"),
              "2026-11-27T14:02:31Z"),
        build(build_ids[1], "FAILED",
              [*ok("SUBMITTED", "QUEUED", "PROVISIONING", "DOWNLOAD_SOURCE", "INSTALL", "PRE_BUILD"),
               BuildPhase("BUILD", "FAILED", [PhaseContext("COMMAND_EXECUTION_ERROR", "Error while executing command: docker build -t $REPOSITORY_URI:$TagName -f myapp.dockerfile .. Reason: exit status 125")]),
               BuildPhase("POST_BUILD", "SUCCEEDED"), BuildPhase("UPLOAD_ARTIFACTS", "SUCCEEDED"), BuildPhase("FINALIZING", "SUCCEEDED"), BuildPhase("COMPLETED")],
              "",
              log(["Running command echo Logging in to Amazon ECR...", "Logging in to Amazon ECR...",
                   "Running command aws ecr get-login-password --region $AWS_DEFAULT_REGION | docker login --username AWS --password-stdin $AWS_ACCOUNT_ID.dkr.ecr.$AWS_DEFAULT_REGION.amazonaws.com",
                   "Login Succeeded",
                   "Running command REPOSITORY_URI=$AWS_ACCOUNT_ID.dkr.ecr.$AWS_DEFAULT_REGION.amazonaws.com/$IMAGE_REPO_NAME",
                   "Phase complete: PRE_BUILD State: SUCCEEDED",
                   "Entering phase BUILD",
                   "Running command docker build -t $REPOSITORY_URI:$TagName -f myapp.dockerfile .",
                   f'invalid argument "{REGISTRY}/myapp:" for "-t, --tag" flag: invalid reference format',
                   "See 'docker build --help'.",
                   "Command did not exit successfully docker build -t $REPOSITORY_URI:$TagName -f myapp.dockerfile . exit status 125",
                   "Phase complete: BUILD State: FAILED",
                   "Phase context status code: COMMAND_EXECUTION_ERROR Message: Error while executing command: docker build -t $REPOSITORY_URI:$TagName -f myapp.dockerfile .. Reason: exit status 125"],
                  "2026/11/26 16:38:20"),
              "2026-11-26T16:38:02Z"),
        build(build_ids[2], "FAILED",
              [*ok("SUBMITTED", "QUEUED", "PROVISIONING", "DOWNLOAD_SOURCE", "INSTALL", "PRE_BUILD"),
               BuildPhase("BUILD", "FAILED", [PhaseContext("COMMAND_EXECUTION_ERROR", "Error while executing command: docker build -t $REPOSITORY_URI:$TagName -f myapp.dockerfile .. Reason: exit status 1")]),
               BuildPhase("POST_BUILD", "SUCCEEDED"), BuildPhase("UPLOAD_ARTIFACTS", "SUCCEEDED"), BuildPhase("FINALIZING", "SUCCEEDED"), BuildPhase("COMPLETED")],
              "release-1.4.0",
              log(["Running command aws ecr get-login-password --region $AWS_DEFAULT_REGION | docker login --username AWS --password-stdin $AWS_ACCOUNT_ID.dkr.ecr.$AWS_DEFAULT_REGION.amazonaws.com",
                   "Login Succeeded",
                   "Entering phase BUILD",
                   "Running command docker build -t $REPOSITORY_URI:$TagName -f myapp.dockerfile .",
                   "Sending build context to Docker daemon  1.851MB",
                   "Step 1/8 : FROM node:21-alpine3.19",
                   "toomanyrequests: You have reached your pull rate limit. You may increase the limit by authenticating and upgrading: https://www.docker.com/increase-rate-limit",
                   "Command did not exit successfully docker build -t $REPOSITORY_URI:$TagName -f myapp.dockerfile . exit status 1",
                   "Phase complete: BUILD State: FAILED",
                   "Phase context status code: COMMAND_EXECUTION_ERROR Message: Error while executing command: docker build -t $REPOSITORY_URI:$TagName -f myapp.dockerfile .. Reason: exit status 1"],
                  "2026/11/25 09:41:30"),
              "2026-11-25T09:41:22Z"),
    ]
    action_executions = []
    summaries = [
        "Build terminated with state: FAILED. Phase: DOWNLOAD_SOURCE, Code: CLIENT_ERROR, Message: authorization failed for primary source and source version 9c41e7a",
        "Build terminated with state: FAILED. Phase: BUILD, Code: COMMAND_EXECUTION_ERROR, Message: Error while executing command: docker build -t $REPOSITORY_URI:$TagName -f myapp.dockerfile .. Reason: exit status 125",
        "Build terminated with state: FAILED. Phase: BUILD, Code: COMMAND_EXECUTION_ERROR, Message: Error while executing command: docker build -t $REPOSITORY_URI:$TagName -f myapp.dockerfile .. Reason: exit status 1",
    ]
    formats = ["CODEBUILD_CLONE_REF", "CODE_ZIP", "CODE_ZIP"]
    for index, (execution, build_record) in enumerate(zip(executions, builds)):
        action_executions.append(ActionExecution(
            "deploy-myapp", execution.execution_id, f"{index}1a2b3c4-source", "Source", "Source", "Succeeded",
            provider="CodeStarSourceConnection", start_time=execution.start_time,
            resolved_configuration={"ConnectionArn": CONNECTION, "FullRepositoryId": "acme-shop/myapp", "BranchName": "main", "OutputArtifactFormat": formats[index]},
            output_variables={"CommitId": execution.source_revisions[0]["revisionId"], "BranchName": "main", "TagName": build_record.environment_variables[-1].value},
        ))
        action_executions.append(ActionExecution(
            "deploy-myapp", execution.execution_id, f"{index}9f8e7d6-build", "Build", "Build", "Failed",
            provider="CodeBuild", start_time=build_record.start_time, error_code="JobFailed",
            summary=summaries[index], external_execution_id=build_record.id,
            external_execution_url=f"https://console.aws.amazon.com/codebuild/home?region={REGION}#/builds/{build_record.id}/view/new",
            resolved_configuration={"ProjectName": "build-myapp", "EnvironmentVariables": PIPELINE_ENV.replace("#{SourceVariables.TagName}", build_record.environment_variables[-1].value)},
        ))
    roles = [
        Role("codebuild-build-myapp-service-role", BUILD_ROLE, trust("codebuild.amazonaws.com"),
             attached_policies=[
                 ManagedPolicy("arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryFullAccess", "AmazonEC2ContainerRegistryFullAccess", ECR_FULL_ACCESS, "v2"),
                 ManagedPolicy(f"arn:aws:iam::{ACCOUNT}:policy/service-role/CodeBuildBasePolicy-build-myapp-{REGION}", f"CodeBuildBasePolicy-build-myapp-{REGION}", CODEBUILD_BASE_POLICY, "v1"),
             ], path="/service-role/"),
        Role(f"AWSCodePipelineServiceRole-{REGION}-deploy-myapp", PIPELINE_ROLE, trust("codepipeline.amazonaws.com"),
             inline_policies={"codepipeline-base": PIPELINE_POLICY}, path="/service-role/"),
    ]
    snapshot = Snapshot(
        account_id=ACCOUNT, regions=[REGION], collected_at="2026-11-27T14:10:00Z", origin="demo",
        pipelines=[pipeline], executions=executions, action_executions=action_executions,
        projects=[project], builds=builds, roles=roles,
        connections=[Connection(CONNECTION, "github-acme-shop", "GitHub", "AVAILABLE", ACCOUNT)],
        ecr_repositories=[
            EcrRepository(name, f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/{name}", f"{REGISTRY}/{name}")
            for name in ["myapp", "billing-api", "legacy-worker", "data-exporter"]
        ],
        repo_files=[RepoFile("buildspec.yml", BUILDSPEC), RepoFile("myapp.dockerfile", DOCKERFILE)],
    )
    snapshot.buckets = [ArtifactBucket(BUCKET, REGION, "aws:kms", f"arn:aws:kms:{REGION}:{ACCOUNT}:alias/aws/s3")]
    target = Path(__file__).resolve().parents[1] / "src/pipedoctor/demo/demo-snapshot.json"
    dump(snapshot, target)
    print(f"wrote {target.name}")


if __name__ == "__main__":
    main()
