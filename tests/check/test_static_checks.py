"""`pipedoctor check` over templates, Terraform and buildspecs: each finding on the right line."""

from __future__ import annotations

import json
from pathlib import Path

TEMPLATE = """\
AWSTemplateFormatVersion: '2010-09-09'
Resources:
  BuildRole:
    Type: AWS::IAM::Role
    Properties:
      RoleName: build
      ManagedPolicyArns:
        - arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryFullAccess
  Build:
    Type: AWS::CodeBuild::Project
    Properties:
      Name: app
      ServiceRole: !GetAtt BuildRole.Arn
      Environment:
        Image: aws/codebuild/standard:7.0
        PrivilegedMode: false
        EnvironmentVariables:
          - {Name: CODEBUILD_STAGE, Value: prod}
      Source:
        Type: CODEPIPELINE
        BuildSpec: ci/buildspec.yml
  Pipeline:
    Type: AWS::CodePipeline::Pipeline
    Properties:
      RoleArn: arn:aws:iam::111122223333:role/pipeline
      Stages:
        - Name: Source
          Actions:
            - Name: Src
              Namespace: SourceVariables
              ActionTypeId: {Category: Source, Owner: AWS, Provider: CodeStarSourceConnection, Version: '1'}
              Configuration:
                ConnectionArn: arn:aws:codeconnections:eu-west-1:111122223333:connection/abc
                FullRepositoryId: o/r
                BranchName: main
              OutputArtifacts: [{Name: src}]
        - Name: Build
          Actions:
            - Name: Image
              ActionTypeId: {Category: Build, Owner: AWS, Provider: CodeBuild, Version: '1'}
              Configuration:
                ProjectName: !Ref Build
                EnvironmentVariables: '[{"name":"TAG","value":"#{SourceVariables.TagName}"}]'
              InputArtifacts: [{Name: src}]
              OutputArtifacts: [{Name: image}]
        - Name: Deploy
          Actions:
            - Name: Ecs
              ActionTypeId: {Category: Deploy, Owner: AWS, Provider: ECS, Version: '1'}
              Configuration: {ClusterName: c, ServiceName: s}
              InputArtifacts: [{Name: image}]
"""
BUILDSPEC = """\
version: 0.2
phases:
  install:
    runtime-versions:
      nodejs: 16
  build:
    commands:
      - docker build -t 111122223333.dkr.ecr.eu-west-1.amazonaws.com/app:$TAG .
      - docker push 111122223333.dkr.ecr.eu-west-1.amazonaws.com/app:$TAG
      - docker push $REPOSITORY_URI:$TAG
artifacts:
  files: [out/**/*]
"""


def write_repository(root: Path) -> None:
    (root / "infra").mkdir()
    (root / "ci").mkdir()
    (root / "infra" / "ci.yml").write_text(TEMPLATE)
    (root / "ci" / "buildspec.yml").write_text(BUILDSPEC)
    (root / "package.json").write_text('{"name": "not infrastructure"}')


def check(run_cli, *args: str) -> list[dict]:
    code, out, err = run_cli("check", *args, "--format", "json", "--exit-zero")
    assert code == 0, err
    return json.loads(out)["diagnoses"]


def line_of(location: str) -> str:
    path, _, line = location.rpartition(":")
    return Path(path).read_text().splitlines()[int(line) - 1].strip()


def test_each_static_check_points_at_its_line(tmp_path: Path, run_cli, monkeypatch) -> None:
    write_repository(tmp_path)
    monkeypatch.chdir(tmp_path)
    found = {f["rule"]: f for f in check(run_cli, ".")}
    expected_lines = {
        "static-docker-without-privileged-mode": "PrivilegedMode: false",
        "static-reserved-env-var-name": "- {Name: CODEBUILD_STAGE, Value: prod}",
        "static-tag-variable-without-tag-trigger": 'EnvironmentVariables: \'[{"name":"TAG","value":"#{SourceVariables.TagName}"}]\'',
        "static-ecr-push-without-login": "- docker push 111122223333.dkr.ecr.eu-west-1.amazonaws.com/app:$TAG",
        "static-buildspec-runtime-not-in-image": "nodejs: 16",
        "static-buildspec-variable-never-defined": "- docker push $REPOSITORY_URI:$TAG",
        "static-deploy-file-not-in-build-artifact": "artifacts:",
        "ci-role-service-wildcard-policy": "- arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryFullAccess",
    }
    for rule, text in expected_lines.items():
        assert rule in found, f"{rule} missing; found {sorted(found)}"
        assert line_of(found[rule]["location"]) == text, rule
    assert "REPOSITORY_URI" in found["static-buildspec-variable-never-defined"]["message"]
    assert "imagedefinitions.json" in found["static-deploy-file-not-in-build-artifact"]["message"]
    assert not any("package.json" in f["location"] for f in found.values())


def test_fixing_the_template_clears_the_findings(tmp_path: Path, run_cli, monkeypatch) -> None:
    write_repository(tmp_path)
    fixed = (
        TEMPLATE.replace("PrivilegedMode: false", "PrivilegedMode: true")
        .replace("CODEBUILD_STAGE", "STAGE")
        .replace("AmazonEC2ContainerRegistryFullAccess", "AmazonEC2ContainerRegistryReadOnly")
        .replace(
            "RoleArn: arn:aws:iam::111122223333:role/pipeline",
            "PipelineType: V2\n      RoleArn: arn:aws:iam::111122223333:role/pipeline\n"
            "      Triggers:\n        - ProviderType: CodeStarSourceConnection\n          GitConfiguration:\n"
            "            SourceActionName: Src\n            Push: [{Tags: {Includes: ['v*']}}]",
        )
    )
    (tmp_path / "infra" / "ci.yml").write_text(fixed)
    (tmp_path / "ci" / "buildspec.yml").write_text(
        BUILDSPEC.replace("nodejs: 16", "nodejs: 20")
        .replace(
            "  build:\n",
            "  pre_build:\n    commands:\n      - aws ecr get-login-password | docker login --username AWS --password-stdin 111122223333.dkr.ecr.eu-west-1.amazonaws.com\n  build:\n",
        )
        .replace("$REPOSITORY_URI", "111122223333.dkr.ecr.eu-west-1.amazonaws.com/app")
        .replace("out/**/*", "imagedefinitions.json")
    )
    monkeypatch.chdir(tmp_path)
    remaining = check(run_cli, ".")
    # what is left is the note that the docker commands need privileged mode (for linters that flag it)
    assert [(f["rule"], f["severity"]) for f in remaining] == [("static-privileged-mode-needed", "info")]


def test_sarif_puts_template_resources_on_their_line(tmp_path: Path, run_cli, monkeypatch) -> None:
    write_repository(tmp_path)
    monkeypatch.chdir(tmp_path)
    code, out, _ = run_cli("check", ".", "--format", "sarif", "--exit-zero")
    assert code == 0
    results = json.loads(out)["runs"][0]["results"]
    role = next(r for r in results if r["ruleId"] == "ci-role-service-wildcard-policy")
    physical = role["locations"][0]["physicalLocation"]
    assert (
        physical["artifactLocation"]["uri"] == "infra/ci.yml"
        and physical["region"]["startLine"] == 8
    )
