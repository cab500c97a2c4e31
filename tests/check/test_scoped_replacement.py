"""The replacement for a service-wide grant claims the grant can go only when nothing the role runs
may use the service unseen: a pipeline action whose permissions are not derived, a script or an
infrastructure tool, `aws <service>` in the buildspec, or a buildspec nobody can read."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

PIPELINE = """\
resource "aws_iam_role" "pipeline" {
  name = "pipeline"
}

resource "aws_iam_role_policy" "pipeline" {
  role = aws_iam_role.pipeline.id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = ["cloudformation:*", "sqs:*"], Resource = "*" }]
  })
}

resource "aws_codepipeline" "app" {
  name     = "app"
  role_arn = aws_iam_role.pipeline.arn
  artifact_store {
    location = "app-artifacts"
    type     = "S3"
  }
  stage {
    name = "Source"
    action {
      name             = "Source"
      category         = "Source"
      owner            = "AWS"
      provider         = "S3"
      version          = "1"
      output_artifacts = ["src"]
      configuration    = { S3Bucket = "app-sources", S3ObjectKey = "app.zip" }
    }
  }
  stage {
    name = "Deploy"
    action {
      name            = "Stack"
      category        = "Deploy"
      owner           = "AWS"
      provider        = "CloudFormation"
      version         = "1"
      input_artifacts = ["src"]
      configuration   = { ActionMode = "CREATE_UPDATE", StackName = "app", TemplatePath = "src::stack.yml" }
    }
  }
}
"""

BUILD = """\
resource "aws_iam_role" "build" {
  name = "build"
}

resource "aws_iam_role_policy" "build" {
  role = aws_iam_role.build.id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = ["ecs:*", "dynamodb:*"], Resource = "*" }]
  })
}

resource "aws_codebuild_project" "app" {
  name         = "app"
  service_role = aws_iam_role.build.arn
  artifacts { type = "NO_ARTIFACTS" }
  environment {
    compute_type = "BUILD_GENERAL1_SMALL"
    image        = "aws/codebuild/standard:7.0"
    type         = "LINUX_CONTAINER"
  }
  source {
    type      = "NO_SOURCE"
    buildspec = "version: 0.2\\nphases:\\n  build:\\n    commands:\\n      - COMMAND\\n"
  }
}
"""


def wildcard_messages(run_cli, tmp_path: Path, text: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    (tmp_path / "main.tf").write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli("check", ".", "--format", "json", "--exit-zero", "--select", "ci-role-service-wildcard-policy")
    assert code == 0, err
    found = json.loads(out)["diagnoses"]
    return {f["message"].split(" action on every ")[0].rsplit(" ", 1)[-1]: f["message"] for f in found}


def test_a_cloudformation_action_keeps_its_service_from_being_called_unused(tmp_path, run_cli, monkeypatch) -> None:
    messages = wildcard_messages(run_cli, tmp_path, PIPELINE, monkeypatch)
    assert "the grant can go" not in messages["cloudformation"]
    assert "CloudFormation action app/Deploy/Stack" in messages["cloudformation"]
    assert "the grant can go" in messages["sqs"]  # nothing the pipeline runs uses SQS


def test_without_the_undervied_action_the_grant_can_go(tmp_path, run_cli, monkeypatch) -> None:
    deploy = PIPELINE.index('  stage {\n    name = "Deploy"')
    messages = wildcard_messages(run_cli, tmp_path, PIPELINE[:deploy] + "}\n", monkeypatch)
    assert "the grant can go" in messages["cloudformation"]


@pytest.mark.parametrize(
    ("command", "unseen", "free"),
    [
        ("aws ecs update-service --cluster app --service web --force-new-deployment", "ecs", "dynamodb"),
        ("aws --region eu-west-1 dynamodb scan --table-name app", "dynamodb", "ecs"),
        ("./scripts/deploy.sh", "ecs dynamodb", ""),
        ("terraform apply -auto-approve", "ecs dynamodb", ""),
        ("aws ecr get-login-password | docker login --username AWS --password-stdin 111122223333.dkr.ecr.eu-west-1.amazonaws.com", "", "ecs dynamodb"),
    ],
)
def test_build_commands_that_may_call_a_service_are_named(tmp_path, run_cli, monkeypatch, command: str, unseen: str, free: str) -> None:
    messages = wildcard_messages(run_cli, tmp_path, BUILD.replace("COMMAND", command), monkeypatch)
    for service in unseen.split():
        assert "the grant can go" not in messages[service] and command[:40] in messages[service]
    for service in free.split():
        assert "the grant can go" in messages[service]


def test_a_build_whose_buildspec_is_unknown_is_not_called_unused(tmp_path, run_cli, monkeypatch) -> None:
    unknown = BUILD.replace('    buildspec = "version: 0.2\\nphases:\\n  build:\\n    commands:\\n      - COMMAND\\n"\n', "")
    messages = wildcard_messages(run_cli, tmp_path, unknown, monkeypatch)
    assert all("the grant can go" not in m and "buildspec is not known" in m for m in messages.values()) and messages
