"""CloudFormation, Terraform (HCL and plan JSON) and pipeline JSON -> model objects with lines."""

from __future__ import annotations

import json

from pipedoctor.sources.cloudformation import definitions_from_template, is_template
from pipedoctor.sources.hcl import load_hcl
from pipedoctor.sources.located import load_located_json, load_located_yaml
from pipedoctor.sources.pipeline_json import definitions_from_pipeline_json, is_pipeline_json
from pipedoctor.sources.terraform import definitions_from_module, definitions_from_plan, is_plan

TEMPLATE = """\
Parameters:
  Prefix: {Type: String, Default: shop}
  Unknown: {Type: String}
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      RoleName: !Sub ${Prefix}-build
      ManagedPolicyArns: [arn:aws:iam::aws:policy/AdministratorAccess]
  Extra:
    Type: AWS::IAM::Policy
    Properties:
      PolicyName: extra
      Roles: [!Ref Role]
      PolicyDocument: {Statement: [{Effect: Allow, Action: 's3:*', Resource: '*'}]}
  Build:
    Type: AWS::CodeBuild::Project
    Properties:
      Name: !Sub ${Prefix}-app
      ServiceRole: !GetAtt Role.Arn
      Environment:
        Image: !Ref Unknown
        PrivilegedMode: true
        EnvironmentVariables:
          - {Name: STAGE, Value: !Ref Prefix}
      Source:
        Type: CODEPIPELINE
        BuildSpec: !Sub |
          version: 0.2
          phases:
            build:
              commands:
                - echo ${!HOME} ${AWS::Region}
  Pipeline:
    Type: AWS::CodePipeline::Pipeline
    Properties:
      RoleArn: !GetAtt Role.Arn
      Stages:
        - Name: Build
          Actions:
            - Name: Make
              ActionTypeId: {Category: Build, Owner: AWS, Provider: CodeBuild, Version: '1'}
              Configuration: {ProjectName: !Ref Build}
              InputArtifacts: [{Name: src}]
"""


def test_cloudformation_template() -> None:
    doc = load_located_yaml(TEMPLATE)
    assert is_template(doc.data)
    found = definitions_from_template("ci.yml", doc)
    (role,) = found.roles
    assert role.item.name == "shop-build" and role.item.arn.endswith(":role/shop-build")
    assert [p.name for p in role.item.attached_policies] == ["AdministratorAccess"]
    assert "extra" in role.item.inline_policies and role.line("policy:extra") == 10
    (project,) = found.projects
    assert project.item.name == "shop-app" and project.item.service_role == role.item.arn
    assert (
        project.item.environment.privileged_mode is True and project.line("privileged_mode") == 23
    )
    assert project.unknown == {"image"}  # a parameter without a default
    assert project.item.environment.variables[0].value == "shop"
    assert "echo ${HOME} us-east-1" in project.item.source.buildspec
    assert TEMPLATE.splitlines()[project.inline_buildspec_line - 1].strip() == "version: 0.2"
    (pipeline,) = found.pipelines
    _, action = pipeline.item.actions()[0]
    assert action.configuration["ProjectName"] == "shop-app" and action.input_artifacts == ["src"]
    assert (
        "ProjectName" in TEMPLATE.splitlines()[pipeline.line("config:Build/Make:ProjectName") - 1]
    )


TERRAFORM = """\
variable "name" { default = "api" }
resource "aws_iam_role" "build" {
  name = "${var.name}-build"
}
resource "aws_iam_role_policy" "p" {
  role   = aws_iam_role.build.name
  policy = data.aws_iam_policy_document.p.json
}
data "aws_iam_policy_document" "p" {
  statement {
    actions   = ["codeconnections:UseConnection"]
    resources = [aws_codestarconnections_connection.gh.arn]
  }
}
resource "aws_codestarconnections_connection" "gh" {
  name = "gh"
  provider_type = "GitHub"
}
resource "aws_codebuild_project" "app" {
  name         = var.name
  service_role = aws_iam_role.build.arn
  environment {
    image = "aws/codebuild/standard:7.0"
    environment_variable {
      name  = "CODEBUILD_X"
      value = "1"
    }
  }
  source {
    type      = "CODEPIPELINE"
    buildspec = file("${path.module}/ci/buildspec.yml")
  }
}
"""


def test_terraform_module_resolves_references() -> None:
    found = definitions_from_module([("main.tf", load_hcl(TERRAFORM))])
    (role,) = found.roles
    assert role.item.name == "api-build"
    statement = role.item.inline_policies["p"]["Statement"][0]
    assert statement["Resource"] == [found.connections[0].item.arn]
    assert found.connections[0].item.arn.startswith("arn:aws:codestar-connections:")
    (project,) = found.projects
    assert project.item.service_role == role.item.arn
    assert project.item.source.buildspec == "ci/buildspec.yml"
    assert (
        project.item.environment.privileged_mode is False
        and "privileged_mode" not in project.unknown
    )
    assert project.line("env:CODEBUILD_X") == 24


def test_terraform_plan_json() -> None:
    plan = {
        "format_version": "1.2",
        "planned_values": {
            "root_module": {
                "child_modules": [
                    {
                        "resources": [
                            {
                                "address": "module.ci.aws_codebuild_project.app",
                                "mode": "managed",
                                "type": "aws_codebuild_project",
                                "name": "app",
                                "values": {
                                    "name": "app",
                                    "service_role": "arn:aws:iam::1:role/b",
                                    "environment": [{"privileged_mode": True, "image": "img"}],
                                },
                            }
                        ]
                    }
                ]
            }
        },
    }
    text = json.dumps(plan, indent=2)
    assert is_plan(plan)
    (project,) = definitions_from_plan("plan.json", text, plan).projects
    assert project.item.environment.privileged_mode is True
    assert (
        '"address": "module.ci.aws_codebuild_project.app"' in text.splitlines()[project.line() - 1]
    )


def test_get_pipeline_json() -> None:
    text = json.dumps(
        {
            "pipeline": {
                "name": "p",
                "roleArn": "arn:aws:iam::1:role/p",
                "stages": [
                    {
                        "name": "Source",
                        "actions": [
                            {
                                "name": "S",
                                "actionTypeId": {
                                    "category": "Source",
                                    "owner": "AWS",
                                    "provider": "S3",
                                    "version": "1",
                                },
                                "configuration": {"S3Bucket": "b"},
                                "outputArtifacts": [{"name": "a"}],
                            }
                        ],
                    }
                ],
            }
        },
        indent=2,
    )
    doc = load_located_json(text)
    assert is_pipeline_json(doc.data)
    (pipeline,) = definitions_from_pipeline_json("p.json", doc).pipelines
    assert pipeline.item.role_arn == "arn:aws:iam::1:role/p"
    assert pipeline.item.source_actions()[0].output_artifacts == ["a"]
    assert '"S3Bucket"' in text.splitlines()[pipeline.line("config:Source/S:S3Bucket") - 1]
