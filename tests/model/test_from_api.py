"""One mapping from the API's shapes: what only the collector used to fill (clone depth, source
auth, log group, container secrets and `essential`) now comes from templates too, the same way."""

from __future__ import annotations

from pipedoctor.model import RepoFile
from pipedoctor.model.from_api import project_from_api, task_definition_from_api
from pipedoctor.sources.repository_model import build_model

CLOUDFORMATION = """\
AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Build:
    Type: AWS::CodeBuild::Project
    Properties:
      Name: app
      ServiceRole: arn:aws:iam::123456789012:role/build
      Environment: {Type: LINUX_CONTAINER, Image: aws/codebuild/standard:7.0, PrivilegedMode: 'true'}
      LogsConfig: {CloudWatchLogs: {Status: ENABLED, GroupName: /ci/app}}
      Source:
        Type: GITHUB
        Location: https://github.com/acme/app
        GitCloneDepth: 0
        Auth: {Type: CODECONNECTIONS, Resource: arn:aws:codeconnections:eu-west-2:123456789012:connection/x}
  Task:
    Type: AWS::ECS::TaskDefinition
    Properties:
      Family: app
      ContainerDefinitions:
        - Name: app
          Image: 123456789012.dkr.ecr.eu-west-2.amazonaws.com/app:1
          Essential: false
          Secrets: [{Name: TOKEN, ValueFrom: arn:aws:secretsmanager:eu-west-2:123456789012:secret:t}]
"""

TERRAFORM = """\
resource "aws_codebuild_project" "build" {
  name         = "app"
  service_role = "arn:aws:iam::123456789012:role/build"
  environment {
    type            = "LINUX_CONTAINER"
    image           = "aws/codebuild/standard:7.0"
    privileged_mode = true
  }
  logs_config {
    cloudwatch_logs {
      status     = "ENABLED"
      group_name = "/ci/app"
    }
  }
  source {
    type            = "GITHUB"
    location        = "https://github.com/acme/app"
    git_clone_depth = 0
    auth {
      type     = "CODECONNECTIONS"
      resource = "arn:aws:codeconnections:eu-west-2:123456789012:connection/x"
    }
  }
}

resource "aws_ecs_task_definition" "task" {
  family = "app"
  container_definitions = jsonencode([{
    name      = "app"
    image     = "123456789012.dkr.ecr.eu-west-2.amazonaws.com/app:1"
    essential = false
    secrets   = [{ name = "TOKEN", valueFrom = "arn:aws:secretsmanager:eu-west-2:123456789012:secret:t" }]
  }])
}
"""

COLLECTED_PROJECT = {
    "name": "app",
    "serviceRole": "arn:aws:iam::123456789012:role/build",
    "source": {
        "type": "GITHUB",
        "location": "https://github.com/acme/app",
        "gitCloneDepth": 0,
        "auth": {
            "type": "CODECONNECTIONS",
            "resource": "arn:aws:codeconnections:eu-west-2:123456789012:connection/x",
        },
    },
    "environment": {
        "type": "LINUX_CONTAINER",
        "image": "aws/codebuild/standard:7.0",
        "privilegedMode": True,
    },
    "logsConfig": {"cloudWatchLogs": {"status": "ENABLED", "groupName": "/ci/app"}},
}
COLLECTED_TASK = {
    "family": "app",
    "containerDefinitions": [
        {
            "name": "app",
            "image": "123456789012.dkr.ecr.eu-west-2.amazonaws.com/app:1",
            "essential": False,
            "secrets": [
                {"name": "TOKEN", "valueFrom": "arn:aws:secretsmanager:eu-west-2:123456789012:secret:t"}
            ],
        }
    ],
}


def _comparable(project: object) -> tuple:
    source, environment = project.source, project.environment  # type: ignore[attr-defined]
    return (
        source.type,
        source.location,
        source.git_clone_depth,
        source.auth_type,
        source.auth_resource,
        environment.image,
        environment.privileged_mode,
        project.log_group,  # type: ignore[attr-defined]
    )


def test_templates_map_like_the_collector() -> None:
    collected_project = project_from_api(COLLECTED_PROJECT, "eu-west-2")
    collected_task = task_definition_from_api(COLLECTED_TASK, "eu-west-2")
    assert collected_project.source.git_clone_depth == 0
    for path, text in (("template.yml", CLOUDFORMATION), ("main.tf", TERRAFORM)):
        definitions = build_model([RepoFile(path, text)]).definitions
        (project,) = [d.item for d in definitions.projects]
        (task,) = [d.item for d in definitions.task_definitions]
        assert _comparable(project) == _comparable(collected_project), path
        assert task.containers == collected_task.containers, path
        assert task.containers[0].essential is False and task.containers[0].secrets


def test_file_values_of_any_type_read_as_the_model_wants() -> None:
    project = project_from_api(
        {"name": "x", "environment": {"privilegedMode": "false", "image": 7}, "source": "?"},
        "us-east-1",
    )
    assert project.environment.privileged_mode is False
    assert project.environment.image == "7"
    assert project.source.type == "NO_SOURCE"
