"""ci-role-writes-beyond-use on hand-written templates: the role a template names by `!Ref` is the
role the replacement is computed for, and what the configuration itself needs on `*` is never
asked to be scoped."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  BuildRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - {Effect: Allow, Principal: {Service: codebuild.amazonaws.com}, Action: sts:AssumeRole}
      Policies:
        - PolicyName: build
          PolicyDocument:
            Statement:
              - {Effect: Allow, Action: [logs:CreateLogGroup, logs:CreateLogStream, logs:PutLogEvents], Resource: "*"}
  PipelineRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - {Effect: Allow, Principal: {Service: codepipeline.amazonaws.com}, Action: sts:AssumeRole}
      Policies:
        - PolicyName: deploy
          PolicyDocument:
            Statement:
              - {Effect: Allow, Action: [ecs:RegisterTaskDefinition, ecs:UpdateService, ecs:DescribeServices], Resource: "*"}
              - {Effect: Allow, Action: [codebuild:StartBuild, codebuild:BatchGetBuilds], Resource: !GetAtt Build.Arn}
  Build:
    Type: AWS::CodeBuild::Project
    Properties:
      Name: !Ref AWS::StackName
      ServiceRole: !Ref BuildRole
      Artifacts: {Type: CODEPIPELINE}
      Source:
        Type: CODEPIPELINE
        BuildSpec: "version: 0.2\\nphases:\\n  build:\\n    commands:\\n      - echo build\\n"
      Environment: {Type: LINUX_CONTAINER, ComputeType: BUILD_GENERAL1_SMALL, Image: aws/codebuild/standard:7.0}
  Pipeline:
    Type: AWS::CodePipeline::Pipeline
    Properties:
      RoleArn: !GetAtt PipelineRole.Arn
      ArtifactStore: {Type: S3, Location: artifacts}
      Stages:
        - Name: Source
          Actions:
            - Name: Source
              ActionTypeId: {Category: Source, Owner: AWS, Provider: S3, Version: "1"}
              Configuration: {S3Bucket: sources, S3ObjectKey: app.zip}
              OutputArtifacts: [{Name: src}]
        - Name: Build
          Actions:
            - Name: Build
              ActionTypeId: {Category: Build, Owner: AWS, Provider: CodeBuild, Version: "1"}
              Configuration: {ProjectName: !Ref Build}
              InputArtifacts: [{Name: src}]
              OutputArtifacts: [{Name: out}]
        - Name: Deploy
          Actions:
            - Name: Deploy
              ActionTypeId: {Category: Deploy, Owner: AWS, Provider: ECS, Version: "1"}
              Configuration: {ClusterName: app, ServiceName: web, FileName: images.json}
              InputArtifacts: [{Name: out}]
"""


def writes(run_cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    (tmp_path / "pipeline.yml").write_text(TEMPLATE, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli("check", ".", "--format", "json", "--exit-zero", "--select", "ci-role-writes-beyond-use")
    assert code == 0, err
    return {f["resource"].rsplit("#", 1)[1]: f["message"] for f in json.loads(out)["diagnoses"]}


def test_a_build_role_named_by_ref_gets_its_log_group_not_the_grant_can_go(tmp_path, run_cli, monkeypatch) -> None:
    message = writes(run_cli, tmp_path, monkeypatch)["logs-writes"]
    assert message.startswith("BuildRole (CodeBuild project ")
    assert "the grant can go" not in message
    assert "log-group:/aws/codebuild/" in message


def test_writes_the_deploy_itself_needs_on_any_resource_are_not_reported(tmp_path, run_cli, monkeypatch) -> None:
    message = writes(run_cli, tmp_path, monkeypatch)["ecs-writes"]
    assert "ecs:UpdateService" in message  # needed on the one service: scoped
    assert "ecs:RegisterTaskDefinition" not in message.split(" on any ")[0]  # needed on `*`: nothing to scope


@pytest.mark.parametrize(
    ("connection", "prefix"),
    [
        ("arn:aws:codeconnections:eu-west-1:111122223333:connection/abc", "codeconnections"),
        ("arn:aws:codestar-connections:eu-west-1:111122223333:connection/abc", "codestar-connections"),
        ("${var.connection_arn}", "codestar-connections"),
        ("github-connection", "codestar-connections"),
    ],
)
def test_a_connection_that_is_no_arn_still_gets_a_use_connection_prefix(connection: str, prefix: str) -> None:
    from pipedoctor.leastpriv.config_needs import connection_service

    assert connection_service(connection) == prefix
