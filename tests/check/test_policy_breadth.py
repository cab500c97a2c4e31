"""CI role policies judged by what they allow: admin-equivalent and service-wide grants in
CloudFormation and Terraform, AWS managed policies known offline, and what a Deny takes away."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipedoctor.iam.managed_policies import aws_managed_document, is_aws_managed, known_as_of

CFN_ADMIN = """\
AWSTemplateFormatVersion: '2010-09-09'
Resources:
  BuildRole:
    Type: AWS::IAM::Role
    Properties:
      RoleName: build
      AssumeRolePolicyDocument:
        Statement: [{Effect: Allow, Principal: {Service: codebuild.amazonaws.com}, Action: sts:AssumeRole}]
  BuildPolicy:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      Roles: [!Ref BuildRole]
      PolicyDocument:
        Version: '2012-10-17'
        Statement:
          - Effect: Allow
            Action: logs:CreateLogStream
            Resource: arn:aws:logs:eu-west-1:111122223333:log-group:/aws/codebuild/app:*
          # FIXME apply principle of least privilege
          - Effect: Allow
            Action: '*'
            Resource: '*'
  PipelineRole:
    Type: AWS::IAM::Role
    Properties:
      RoleName: pipeline
      Policies:
        - PolicyName: pipeline
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action: ['s3:*']
                Resource: '*'
  Build:
    Type: AWS::CodeBuild::Project
    Properties:
      Name: app
      ServiceRole: !GetAtt BuildRole.Arn
      Environment: {Image: aws/codebuild/standard:7.0, Type: LINUX_CONTAINER}
      Source: {Type: CODEPIPELINE, BuildSpec: buildspec.yml}
  Pipeline:
    Type: AWS::CodePipeline::Pipeline
    Properties:
      RoleArn: !GetAtt PipelineRole.Arn
      ArtifactStore: {Type: S3, Location: app-artifacts}
      Stages:
        - Name: Build
          Actions:
            - Name: Build
              ActionTypeId: {Category: Build, Owner: AWS, Provider: CodeBuild, Version: '1'}
              Configuration: {ProjectName: !Ref Build}
              InputArtifacts: [{Name: src}]
"""

TERRAFORM_SEED = """\
resource "aws_iam_role" "build" {
  name               = "build-myapp"
  assume_role_policy = data.aws_iam_policy_document.codebuild_trust.json
}

resource "aws_iam_role_policy_attachment" "ecr" {
  role       = aws_iam_role.build.name
  policy_arn = "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryFullAccess"
}

resource "aws_codebuild_project" "app" {
  name         = "build-myapp"
  service_role = aws_iam_role.build.arn
  artifacts { type = "CODEPIPELINE" }
  environment {
    compute_type    = "BUILD_GENERAL1_SMALL"
    image           = "aws/codebuild/standard:7.0"
    type            = "LINUX_CONTAINER"
    privileged_mode = true
  }
  source { type = "CODEPIPELINE" }
}

resource "aws_codepipeline" "app" {
  name     = "deploy-myapp"
  role_arn = "arn:aws:iam::111122223333:role/pipeline"
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
      provider         = "CodeStarSourceConnection"
      version          = "1"
      output_artifacts = ["src"]
      configuration = {
        ConnectionArn        = "arn:aws:codeconnections:eu-west-1:111122223333:connection/abc"
        FullRepositoryId     = "team/app"
        BranchName           = "main"
        OutputArtifactFormat = "CODEBUILD_CLONE_REF"
      }
    }
  }
  stage {
    name = "Build"
    action {
      name            = "Build"
      category        = "Build"
      owner           = "AWS"
      provider        = "CodeBuild"
      version         = "1"
      input_artifacts = ["src"]
      configuration = {
        ProjectName = aws_codebuild_project.app.name
      }
    }
  }
}
"""

TERRAFORM_INLINE = """\
resource "aws_iam_role" "build" {
  name = "build"
}

resource "aws_iam_role_policy" "build" {
  role = aws_iam_role.build.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = ["ecr:*"]
        Resource = "*"
      },
    ]
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
    buildspec = "version: 0.2\\nphases:\\n  build:\\n    commands:\\n      - go test ./...\\n"
  }
}
"""


def check(run_cli, tmp_path: Path, files: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> list[dict]:
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli("check", ".", "--format", "json", "--exit-zero")
    assert code == 0, err
    return json.loads(out)["diagnoses"]


def line_at(tmp_path: Path, location: str) -> str:
    path, _, line = location.rpartition(":")
    return (tmp_path / path).read_text().splitlines()[int(line) - 1].strip()


def by_rule(found: list[dict], rule: str) -> list[dict]:
    return [f for f in found if f["rule"] == rule]


def test_a_customer_managed_star_statement_is_admin_at_its_line(tmp_path, run_cli, monkeypatch) -> None:
    found = check(run_cli, tmp_path, {"ci.yml": CFN_ADMIN}, monkeypatch)
    (admin,) = by_rule(found, "ci-role-admin-equivalent-policy")
    assert admin["severity"] == "critical" and admin["location"].startswith("ci.yml:")
    assert line_at(tmp_path, admin["location"]) == "- Effect: Allow"
    assert (tmp_path / "ci.yml").read_text().splitlines()[int(admin["location"].split(":")[1]) - 2].strip().startswith("# FIXME")
    assert "build" in admin["message"] and "iam:PutRolePolicy" in admin["message"]


def test_a_pipeline_role_with_s3_star_gets_the_scoped_replacement(tmp_path, run_cli, monkeypatch) -> None:
    found = check(run_cli, tmp_path, {"ci.yml": CFN_ADMIN}, monkeypatch)
    s3 = [f for f in by_rule(found, "ci-role-service-wildcard-policy") if "every s3 action" in f["message"]]
    (finding,) = [f for f in s3 if "pipeline" in f["message"]]
    assert finding["severity"] == "high"
    assert line_at(tmp_path, finding["location"]) == "- Effect: Allow"
    resources = {r for s in finding["policy_fix"]["Statement"] for r in ([s["Resource"]] if isinstance(s["Resource"], str) else s["Resource"])}
    assert any("app-artifacts" in r for r in resources) and "*" not in resources


def test_terraform_inline_ecr_star_is_found_in_the_tf_file(tmp_path, run_cli, monkeypatch) -> None:
    found = check(run_cli, tmp_path, {"main.tf": TERRAFORM_INLINE}, monkeypatch)
    (finding,) = by_rule(found, "ci-role-service-wildcard-policy")
    assert finding["location"].startswith("main.tf:") and "every ecr action" in finding["message"]
    assert "shows no use of ecr" in finding["message"] and "the grant can go" in finding["message"]  # it pushes nothing


def test_the_seed_setup_in_terraform_finds_use_connection_through_the_managed_policy(tmp_path, run_cli, monkeypatch) -> None:
    found = check(run_cli, tmp_path, {"main.tf": TERRAFORM_SEED}, monkeypatch)
    rules = {f["rule"] for f in found}
    assert "static-full-clone-role-missing-use-connection" in rules
    (use_connection,) = by_rule(found, "static-full-clone-role-missing-use-connection")
    assert use_connection["unverified"] == []
    (wildcard,) = by_rule(found, "ci-role-service-wildcard-policy")
    assert line_at(tmp_path, wildcard["location"]).startswith('policy_arn = "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryFullAccess"')


def test_an_unknown_managed_policy_is_named_instead_of_silence(tmp_path, run_cli, monkeypatch) -> None:
    unknown = TERRAFORM_SEED.replace(
        "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryFullAccess", "arn:aws:iam::111122223333:policy/team-build"
    )
    found = check(run_cli, tmp_path, {"main.tf": unknown}, monkeypatch)
    (use_connection,) = by_rule(found, "static-full-clone-role-missing-use-connection")
    assert any("team-build" in line and "not known" in line for line in use_connection["unverified"])
    known = check(run_cli, tmp_path, {"main.tf": TERRAFORM_SEED}, monkeypatch)
    assert use_connection["confidence"] < by_rule(known, "static-full-clone-role-missing-use-connection")[0]["confidence"]


def test_a_deny_or_a_boundary_takes_the_finding_away(tmp_path, run_cli, monkeypatch) -> None:
    denied = CFN_ADMIN.replace(
        "          - Effect: Allow\n            Action: '*'\n            Resource: '*'\n",
        "          - Effect: Allow\n            Action: '*'\n            Resource: '*'\n"
        "          - Effect: Deny\n            Action: ['iam:*', 'sts:*']\n            Resource: '*'\n",
    )
    bounded = CFN_ADMIN.replace(
        "      RoleName: pipeline\n",
        "      RoleName: pipeline\n      PermissionsBoundary: !Ref Boundary\n",
    ) + (
        "  Boundary:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument:\n"
        "        Statement: [{Effect: Allow, Action: 's3:GetObject', Resource: 'arn:aws:s3:::app-artifacts/*'}]\n"
    )
    admin = by_rule(check(run_cli, tmp_path, {"ci.yml": denied}, monkeypatch), "ci-role-admin-equivalent-policy")
    assert admin == []
    wildcards = by_rule(check(run_cli, tmp_path, {"ci.yml": bounded}, monkeypatch), "ci-role-service-wildcard-policy")
    assert not any("pipeline" in f["message"] and "every s3 action" in f["message"] for f in wildcards)


def test_aws_managed_documents_are_known_offline_with_their_source() -> None:
    document = aws_managed_document("arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryFullAccess")
    assert document is not None and any("ecr:*" in json.dumps(s) for s in document["Statement"])
    assert aws_managed_document("arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerRegistryFullAccess") is None
    assert aws_managed_document("arn:aws:iam::111122223333:policy/AmazonEC2ContainerRegistryFullAccess") is None
    assert aws_managed_document("arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy") is not None
    assert is_aws_managed("arn:aws-cn:iam::aws:policy/AdministratorAccess")
    assert known_as_of().startswith("moto ")


ASSUME = """\
resource "aws_iam_role" "build" {
  name = "build"
}

resource "aws_iam_role_policy" "assume" {
  role = aws_iam_role.build.id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Resource = RESOURCE }]
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
  source { type = "NO_SOURCE" }
}
"""


@pytest.mark.parametrize(
    ("resource", "admin"),
    [('"*"', True), ('"arn:aws:iam::*:role/*"', True), ('"arn:aws:iam::111122223333:role/deploy"', False)],
)
def test_assume_role_on_any_role_is_admin_equivalent(tmp_path, run_cli, monkeypatch, resource: str, admin: bool) -> None:
    # AssumeRole needs the target's trust policy too: the probe must not be refused for lack of one
    found = by_rule(check(run_cli, tmp_path, {"main.tf": ASSUME.replace("RESOURCE", resource)}, monkeypatch), "ci-role-admin-equivalent-policy")
    assert bool(found) == admin
    if admin:
        assert "sts:AssumeRole" in found[0]["message"] and found[0]["location"].startswith("main.tf:")


def test_power_user_access_is_found_by_what_it_allows(tmp_path, run_cli, monkeypatch) -> None:
    power = ASSUME.replace(
        'resource "aws_iam_role_policy" "assume"',
        'resource "aws_iam_role_policy_attachment" "power" {\n'
        '  role       = aws_iam_role.build.name\n'
        '  policy_arn = "arn:aws:iam::aws:policy/PowerUserAccess"\n'
        "}\n\n"
        'resource "aws_iam_role_policy" "assume"',
    ).replace("RESOURCE", '"arn:aws:iam::111122223333:role/deploy"')
    (admin,) = by_rule(check(run_cli, tmp_path, {"main.tf": power}, monkeypatch), "ci-role-admin-equivalent-policy")
    assert "PowerUserAccess" in admin["message"] and "sts:AssumeRole" in admin["message"]


@pytest.mark.parametrize(("action", "reported"), [('"kms:*"', True), ('"kms:Decrypt"', False)])
def test_kms_star_is_found_although_a_key_also_needs_its_key_policy(tmp_path, run_cli, monkeypatch, action: str, reported: bool) -> None:
    # the probe key trusts the account as the default key policy does: the role's own policy decides
    text = ASSUME.replace('Action = "sts:AssumeRole", Resource = RESOURCE', f'Action = {action}, Resource = "*"')
    found = by_rule(check(run_cli, tmp_path, {"main.tf": text}, monkeypatch), "ci-role-service-wildcard-policy")
    assert [f["resource"].rsplit("#", 1)[1] for f in found] == (["kms"] if reported else [])


def _admin_findings(condition: dict) -> list:
    from pipedoctor.diagnose import load_rules
    from pipedoctor.diagnose.engine import posture_findings
    from pipedoctor.model import Snapshot
    from pipedoctor.model.serialize import from_plain

    statement = {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*", "Condition": condition}
    snapshot = from_plain(Snapshot, {
        "projects": [{"name": "b", "arn": "arn:aws:codebuild:eu-west-2:111122223333:project/b", "service_role": "arn:aws:iam::111122223333:role/r", "region": "eu-west-2"}],
        "roles": [{"name": "r", "arn": "arn:aws:iam::111122223333:role/r", "inline_policies": {"deploy": {"Version": "2012-10-17", "Statement": [statement]}}}],
    })
    rules = [rule for rule in load_rules() if rule.id == "ci-role-admin-equivalent-policy"]
    return posture_findings(snapshot, rules)


def test_pass_role_toward_a_service_that_runs_code_is_admin_equivalent() -> None:
    (finding,) = _admin_findings({"StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}})
    assert "pass any role to ecs-tasks.amazonaws.com" in finding.message
    # Passing roles only to a service that runs no code as them gives nothing.
    assert _admin_findings({"StringEquals": {"iam:PassedToService": "monitoring.rds.amazonaws.com"}}) == []
