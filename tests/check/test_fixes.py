"""`check --diff` / `--fix`: edits applied at their line, nothing else touched, idempotent, and
refused when the file changed or lies outside the checked paths."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

from pipedoctor.fixes import plan_fixes
from pipedoctor.model import RepoFile
from pipedoctor.model.findings import TextEdit
from tests.conftest import REPO_ROOT

DOCKERFILE = (
    "# syntax=docker/dockerfile:1\r\n"
    "ARG NODE=24\r\n"
    "FROM --platform=linux/amd64 node:${NODE}-alpine AS build  # builder\r\n"
    "RUN npm ci\r\n"
    "FROM docker.io/library/python:3.12-slim@sha256:0123\r\n"
    "FROM bitnami/redis:7.2\r\n"
    "COPY --from=build /app /app\r\n"
)
FIXED = (
    "# syntax=docker/dockerfile:1\r\n"
    "ARG NODE=24\r\n"
    "FROM --platform=linux/amd64 public.ecr.aws/docker/library/node:${NODE}-alpine AS build  # builder\r\n"
    "RUN npm ci\r\n"
    "FROM public.ecr.aws/docker/library/python:3.12-slim@sha256:0123\r\n"
    "FROM bitnami/redis:7.2\r\n"
    "COPY --from=build /app /app\r\n"
)


def rules_found(run_cli) -> list[str]:
    code, out, err = run_cli("check", ".", "--format", "json", "--exit-zero")
    assert code == 0, err
    return [d["rule"] for d in json.loads(out)["diagnoses"]]


def test_diff_shows_the_mirror_edits_and_writes_nothing(tmp_path: Path, run_cli, monkeypatch) -> None:
    (tmp_path / "Dockerfile").write_bytes(DOCKERFILE.encode())
    monkeypatch.chdir(tmp_path)
    code, out, _ = run_cli("check", ".", "--diff")
    assert code == 1
    assert "-FROM --platform=linux/amd64 node:${NODE}-alpine AS build  # builder" in out
    assert "+FROM public.ecr.aws/docker/library/python:3.12-slim@sha256:0123" in out
    changed = [line for line in out.splitlines() if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    assert len(changed) == 4 and not any("redis" in line for line in changed)  # not mirrored: no edit
    assert (tmp_path / "Dockerfile").read_bytes() == DOCKERFILE.encode()


def test_fix_rewrites_only_the_located_text_and_a_second_run_changes_nothing(tmp_path: Path, run_cli, monkeypatch) -> None:
    (tmp_path / "Dockerfile").write_bytes(DOCKERFILE.encode())
    monkeypatch.chdir(tmp_path)
    code, _, err = run_cli("check", ".", "--fix", "--exit-zero")
    assert code == 0 and "fixed 2 finding(s) in 1 file(s)" in err
    assert (tmp_path / "Dockerfile").read_bytes() == FIXED.encode()
    assert rules_found(run_cli).count("dockerfile-docker-hub-base-image") == 1  # bitnami/redis remains
    code, out, _ = run_cli("check", ".", "--diff")
    assert code == 0 and out == ""
    run_cli("check", ".", "--fix", "--exit-zero")
    assert (tmp_path / "Dockerfile").read_bytes() == FIXED.encode()


def test_edits_are_refused_for_changed_files_and_paths_outside(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "app").mkdir()
    (tmp_path / "other").mkdir()
    (tmp_path / "app" / "Dockerfile").write_text("FROM node:24\n")
    (tmp_path / "other" / "Dockerfile").write_text("FROM node:24\n")
    edit_app = TextEdit("app/Dockerfile", 1, "node:24", "public.ecr.aws/docker/library/node:24", 6)
    edit_other = TextEdit("other/Dockerfile", 1, "node:24", "public.ecr.aws/docker/library/node:24", 6)
    files = [RepoFile("app/Dockerfile", "FROM node:22\n"), RepoFile("other/Dockerfile", "FROM node:24\n")]
    plan = plan_fixes([edit_app, edit_other], files, ["app"])
    assert plan.new_texts == {}
    assert {(edit.path, why) for edit, why in plan.refused} == {
        ("app/Dockerfile", "changed since it was read"),
        ("other/Dockerfile", "outside the checked paths"),
    }


def test_sarif_carries_the_fix_and_stays_valid(tmp_path: Path, run_cli, monkeypatch, corpus: Path) -> None:
    (tmp_path / "Dockerfile").write_text("FROM node:24\n")
    monkeypatch.chdir(tmp_path)
    code, out, _ = run_cli("check", ".", "--format", "sarif", "--exit-zero")
    assert code == 0
    log = json.loads(out)
    jsonschema.Draft4Validator(json.loads((corpus.parent / "schemas" / "sarif-2.1.0.json").read_text())).validate(log)
    (result,) = log["runs"][0]["results"]
    (replacement,) = result["fixes"][0]["artifactChanges"][0]["replacements"]
    assert replacement["deletedRegion"] == {"startLine": 1, "startColumn": 6, "endColumn": 13}
    assert replacement["insertedContent"]["text"] == "public.ecr.aws/docker/library/node:24"


def test_rules_show_says_which_fixes_apply(run_cli) -> None:
    code, out, _ = run_cli("rules", "show", "dockerfile-docker-hub-base-image")
    assert code == 0 and "`pipedoctor check --fix` applies it (safe" in out
    code, out, _ = run_cli("rules", "show", "static-docker-without-privileged-mode")
    assert code == 0 and "check --fix" not in out


BUILDSPEC = (
    "version: 0.2\r\n"
    "phases:\r\n"
    "  build:\r\n"
    "    commands:\r\n"
    "      - docker build -t app .  # the image\r\n"
    "      - docker push 111122223333.dkr.ecr.eu-west-1.amazonaws.com/app:$CODEBUILD_BUILD_NUMBER\r\n"
)


def test_fix_adds_the_ecr_login_before_the_push_in_the_file_line_endings(tmp_path: Path, run_cli, monkeypatch) -> None:
    (tmp_path / "buildspec.yml").write_bytes(BUILDSPEC.encode())
    monkeypatch.chdir(tmp_path)
    assert "static-ecr-push-without-login" in rules_found(run_cli)
    run_cli("check", ".", "--fix", "--exit-zero")
    fixed = (tmp_path / "buildspec.yml").read_bytes().decode()
    assert fixed == BUILDSPEC.replace(
        "      - docker push",
        "      - aws ecr get-login-password --region $AWS_DEFAULT_REGION | docker login --username AWS"
        " --password-stdin 111122223333.dkr.ecr.eu-west-1.amazonaws.com\r\n      - docker push",
    )
    assert "static-ecr-push-without-login" not in rules_found(run_cli)
    assert run_cli("check", ".", "--diff")[:2] == (0, "")


def test_fix_gives_the_tag_variable_a_fallback_and_the_finding_goes(tmp_path: Path, run_cli, monkeypatch) -> None:
    from tests.check.test_static_checks import BUILDSPEC as SEED_BUILDSPEC
    from tests.check.test_static_checks import write_repository

    write_repository(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert "static-tag-variable-without-tag-trigger" in rules_found(run_cli)
    code, out, _ = run_cli("check", ".", "--diff")
    assert code == 1
    assert '+      - TAG="${TAG:-$(echo $CODEBUILD_RESOLVED_SOURCE_VERSION | cut -c 1-7)}"' in out
    run_cli("check", ".", "--fix", "--exit-zero")
    commands = (tmp_path / "ci" / "buildspec.yml").read_text().split("    commands:\n", 1)[1].splitlines()
    assert commands[0] == '      - TAG="${TAG:-$(echo $CODEBUILD_RESOLVED_SOURCE_VERSION | cut -c 1-7)}"'
    assert commands[1] == SEED_BUILDSPEC.split("    commands:\n", 1)[1].splitlines()[0]  # the old first command
    assert sum("docker login" in line for line in commands) == 1  # the login fix applied in the same run
    assert "static-tag-variable-without-tag-trigger" not in rules_found(run_cli)


CFN_FULL_CLONE = """\
AWSTemplateFormatVersion: '2010-09-09'
Resources:
  # the build role: ECR only
  BuildRole:
    Type: AWS::IAM::Role
    Properties:
      RoleName: build
      Policies:
        - PolicyName: ecr
          PolicyDocument:
            Statement:
              - {Effect: Allow, Action: ['ecr:GetAuthorizationToken'], Resource: '*'}
  Build:
    Type: AWS::CodeBuild::Project
    Properties:
      Name: app
      ServiceRole: !GetAtt BuildRole.Arn
      Environment: {Image: aws/codebuild/standard:7.0, Type: LINUX_CONTAINER}
      Source: {Type: CODEPIPELINE, BuildSpec: "version: 0.2\\nphases:\\n  build:\\n    commands:\\n      - make\\n"}
  Pipeline:
    Type: AWS::CodePipeline::Pipeline
    Properties:
      RoleArn: arn:aws:iam::111122223333:role/pipeline
      Stages:
        - Name: Source
          Actions:
            - Name: Src
              ActionTypeId: {Category: Source, Owner: AWS, Provider: CodeStarSourceConnection, Version: '1'}
              Configuration:
                ConnectionArn: arn:aws:codeconnections:eu-west-1:111122223333:connection/abc
                FullRepositoryId: team/app
                BranchName: main
                OutputArtifactFormat: CODEBUILD_CLONE_REF
              OutputArtifacts: [{Name: src}]
        - Name: Build
          Actions:
            - Name: Build
              ActionTypeId: {Category: Build, Owner: AWS, Provider: CodeBuild, Version: '1'}
              Configuration: {ProjectName: !Ref Build}
              InputArtifacts: [{Name: src}]
"""


def test_unsafe_fix_adds_use_connection_beside_the_role_in_terraform_and_cloudformation(tmp_path: Path, run_cli, monkeypatch) -> None:
    from tests.check.test_policy_breadth import TERRAFORM_SEED

    for name, text in (("main.tf", TERRAFORM_SEED), ("ci.yml", CFN_FULL_CLONE)):
        folder = tmp_path / name.split(".")[0]
        folder.mkdir()
        (folder / name).write_text(text)
        monkeypatch.chdir(folder)
        assert "static-full-clone-role-missing-use-connection" in rules_found(run_cli)
        code, out, _ = run_cli("check", ".", "--diff")  # safe fixes only: nothing to change here
        assert (code, out) == (0, "")
        code, out, _ = run_cli("check", ".", "--diff", "--unsafe-fixes")
        assert code == 1 and "arn:aws:codeconnections:eu-west-1:111122223333:connection/abc" in out
        run_cli("check", ".", "--fix", "--unsafe-fixes", "--exit-zero")
        written = (folder / name).read_text()
        assert written.startswith(text.rstrip("\n").rsplit("\n", 1)[0]) or "# the build role: ECR only" in written
        assert "static-full-clone-role-missing-use-connection" not in rules_found(run_cli)
        assert run_cli("check", ".", "--diff", "--unsafe-fixes")[:2] == (0, "")


def test_a_json_template_gets_the_policy_as_json_and_cdk_output_is_never_edited() -> None:
    from pipedoctor.model import Role
    from pipedoctor.sources.definitions import Defined
    from pipedoctor.sources.policy_edits import statement_edit

    text = '{\n  "Resources": {\n    "BuildRole": {\n      "Type": "AWS::IAM::Role"\n    }\n  }\n}\n'
    role = Defined(Role("build", "arn:aws:iam::000000000000:role/build"), "t.json", "BuildRole", {"resource": 3})
    grant = {"Effect": "Allow", "Action": "codeconnections:UseConnection", "Resource": "arn:aws:codeconnections:eu-west-1:1:connection/a"}
    edit = statement_edit(role, text, grant, "use-source-connection")
    assert edit is not None and not edit.safe
    lines = text.splitlines(keepends=True)
    lines[2] = lines[2].replace(edit.old, edit.new, 1)
    template = json.loads("".join(lines))
    added = template["Resources"]["BuildRoleUseSourceConnection"]
    assert added["Properties"]["Roles"] == [{"Ref": "BuildRole"}]
    assert added["Properties"]["PolicyDocument"]["Statement"] == [grant]
    role.generated = True
    assert statement_edit(role, text, grant, "use-source-connection") is None


SEED_BUILDSPEC_PUSHING = """\
version: 0.2
phases:
  pre_build:
    commands:
      - aws ecr get-login-password --region $AWS_DEFAULT_REGION | docker login --username AWS --password-stdin ${REPOSITORY_URI%%/*}
  build:
    commands:
      - docker build -t $REPOSITORY_URI:latest .
      - docker push $REPOSITORY_URI:latest
"""


def write_terraform_seed(folder: Path) -> None:
    """The seed's set-up in Terraform: full-clone GitHub source, a build role holding only
    AmazonEC2ContainerRegistryFullAccess, a Dockerfile FROM node:21-alpine3.19."""
    from tests.check.test_policy_breadth import TERRAFORM_SEED

    terraform = TERRAFORM_SEED.replace(
        '  source { type = "CODEPIPELINE" }',
        '  source {\n    type      = "CODEPIPELINE"\n    buildspec = "buildspec.yml"\n  }',
    ).replace(
        "    privileged_mode = true\n  }",
        "    privileged_mode = true\n    environment_variable {\n      name  = \"REPOSITORY_URI\"\n"
        "      value = aws_ecr_repository.myapp.repository_url\n    }\n  }",
    )
    terraform += '\nresource "aws_ecr_repository" "myapp" {\n  name = "myapp"\n}\n'
    (folder / "main.tf").write_text(terraform)
    (folder / "buildspec.yml").write_text(SEED_BUILDSPEC_PUSHING)
    (folder / "Dockerfile").write_text("FROM node:21-alpine3.19\nWORKDIR /app\nCOPY . .\nRUN npm ci\n")


def test_the_terraform_seed_is_fixed_by_diff_then_fix_and_stays_fixed(tmp_path: Path, run_cli, monkeypatch) -> None:
    write_terraform_seed(tmp_path)
    monkeypatch.chdir(tmp_path)
    seed_rules = {"dockerfile-docker-hub-base-image", "ci-role-service-wildcard-policy", "static-full-clone-role-missing-use-connection"}
    assert seed_rules <= set(rules_found(run_cli))
    before = {path.name: path.read_bytes() for path in tmp_path.iterdir()}
    code, diff, _ = run_cli("check", ".", "--diff", "--unsafe-fixes")
    assert code == 1 and {path.name: path.read_bytes() for path in tmp_path.iterdir()} == before
    assert "+  policy_arn = aws_iam_policy.build_ecr_scoped.arn" in diff
    assert "Resource = aws_ecr_repository.myapp.arn" in diff  # a reference, not a made-up ARN
    run_cli("check", ".", "--fix", "--unsafe-fixes", "--exit-zero")
    assert not seed_rules & set(rules_found(run_cli))
    after = {path.name: path.read_bytes() for path in tmp_path.iterdir()}
    assert run_cli("check", ".", "--fix", "--unsafe-fixes", "--exit-zero")[0] == 0
    assert {path.name: path.read_bytes() for path in tmp_path.iterdir()} == after


def test_cloudformation_full_access_is_replaced_by_a_managed_policy_beside_the_role(tmp_path: Path, run_cli, monkeypatch) -> None:
    from tests.check.test_static_checks import write_repository

    write_repository(tmp_path)
    monkeypatch.chdir(tmp_path)
    run_cli("check", ".", "--fix", "--unsafe-fixes", "--exit-zero")
    template = (tmp_path / "infra" / "ci.yml").read_text()
    assert "        - !Ref BuildRoleEcrScoped\n" in template and "AmazonEC2ContainerRegistryFullAccess" not in template
    assert "ci-role-service-wildcard-policy" not in rules_found(run_cli)


def test_a_replacement_is_written_only_when_it_grants_nothing_new() -> None:
    from pipedoctor.diagnose.scoped_replacement import replacement_counterexample
    from pipedoctor.model import ManagedPolicy, Role

    full = "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryFullAccess"
    scoped = [
        {"Effect": "Allow", "Action": ["ecr:GetAuthorizationToken"], "Resource": "*"},
        {"Effect": "Allow", "Action": ["ecr:PutImage"], "Resource": "arn:aws:ecr:eu-west-1:111122223333:repository/app"},
    ]

    def role(condition: dict | None) -> Role:
        statement = {"Effect": "Allow", "Action": "ecr:*", "Resource": "*", **({"Condition": condition} if condition else {})}
        document = {"Version": "2012-10-17", "Statement": [statement]}
        return Role("b", "arn:aws:iam::111122223333:role/b", attached_policies=[ManagedPolicy(full, "f", document)])

    assert replacement_counterexample(role(None), full, scoped) is None
    # The old grant held only in eu-west-1; the scoped statements would hold everywhere.
    region_only = {"StringEqualsIfExists": {"aws:RequestedRegion": "eu-west-1"}}
    found = replacement_counterexample(role(region_only), full, scoped)
    assert found is not None and found.startswith(("ecr:GetAuthorizationToken", "ecr:PutImage"))


def test_a_json_template_gets_the_scoped_managed_policy_by_reference(tmp_path: Path, run_cli, monkeypatch) -> None:
    template = {
        "Resources": {
            "Repo": {"Type": "AWS::ECR::Repository", "Properties": {"RepositoryName": "app"}},
            "BuildRole": {
                "Type": "AWS::IAM::Role",
                "Properties": {"ManagedPolicyArns": ["arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryFullAccess"]},
            },
            "Build": {
                "Type": "AWS::CodeBuild::Project",
                "Properties": {
                    "Name": "app",
                    "ServiceRole": {"Fn::GetAtt": ["BuildRole", "Arn"]},
                    "Environment": {
                        "Image": "aws/codebuild/standard:7.0",
                        "Type": "LINUX_CONTAINER",
                        "PrivilegedMode": True,
                        "EnvironmentVariables": [{"Name": "REPOSITORY_URI", "Value": {"Fn::GetAtt": ["Repo", "RepositoryUri"]}}],
                    },
                    "Source": {"Type": "CODEPIPELINE", "BuildSpec": "buildspec.yml"},
                },
            },
        }
    }
    (tmp_path / "template.json").write_text(json.dumps(template, indent=2) + "\n")
    (tmp_path / "buildspec.yml").write_text(
        "version: 0.2\nphases:\n  build:\n    commands:\n"
        "      - aws ecr get-login-password | docker login --username AWS --password-stdin ${REPOSITORY_URI%%/*}\n"
        "      - docker build -t $REPOSITORY_URI:latest .\n"
        "      - docker push $REPOSITORY_URI:latest\n"
    )
    monkeypatch.chdir(tmp_path)
    assert "ci-role-service-wildcard-policy" in rules_found(run_cli)
    run_cli("check", ".", "--fix", "--unsafe-fixes", "--exit-zero")
    written = json.loads((tmp_path / "template.json").read_text())
    role = written["Resources"]["BuildRole"]["Properties"]["ManagedPolicyArns"]
    assert role == [{"Ref": "BuildRoleEcrScoped"}]
    statements = written["Resources"]["BuildRoleEcrScoped"]["Properties"]["PolicyDocument"]["Statement"]
    assert {"Fn::GetAtt": ["Repo", "Arn"]} in [s["Resource"] for s in statements]
    assert "ci-role-service-wildcard-policy" not in rules_found(run_cli)


def test_fix_writes_the_connection_prefix_the_pipeline_uses(tmp_path: Path, run_cli, monkeypatch) -> None:
    import yaml

    rule = yaml.safe_load((REPO_ROOT / "rules" / "static-connection-arn-prefix-mismatch.yaml").read_text())
    template = next(case for case in rule["tests"] if case["expect"] == "match")["snapshot"]["repo_files"][0]["text"]
    (tmp_path / "ci.yml").write_text(template)
    monkeypatch.chdir(tmp_path)
    assert "static-connection-arn-prefix-mismatch" in rules_found(run_cli)
    code, out, _ = run_cli("check", ".", "--diff")
    assert code == 1 and out.count("\n-") == 1  # one line changes
    assert "+                Resource: arn:aws:codeconnections:eu-west-1:111122223333:connection/abc" in out
    run_cli("check", ".", "--fix", "--exit-zero")
    assert "static-connection-arn-prefix-mismatch" not in rules_found(run_cli)


def test_fix_lists_the_deploy_file_the_build_writes_in_the_artifacts(tmp_path: Path, run_cli, monkeypatch) -> None:
    from tests.check.test_static_checks import BUILDSPEC as SEED_BUILDSPEC
    from tests.check.test_static_checks import write_repository

    write_repository(tmp_path)
    writes = SEED_BUILDSPEC.replace(
        "      - docker push $REPOSITORY_URI:$TAG\n",
        "      - docker push $REPOSITORY_URI:$TAG\n      - printf '[{\"name\":\"app\"}]' > imagedefinitions.json\n",
    )
    for artifacts, expected in (
        ("artifacts:\n  files: [out/**/*]\n", "artifacts:\n  files: [imagedefinitions.json, out/**/*]\n"),
        ("artifacts:\n  files:\n    - out/**/*\n", "artifacts:\n  files:\n    - imagedefinitions.json\n    - out/**/*\n"),
    ):
        buildspec = writes.replace("artifacts:\n  files: [out/**/*]\n", artifacts)
        (tmp_path / "ci" / "buildspec.yml").write_text(buildspec)
        monkeypatch.chdir(tmp_path)
        assert "static-deploy-file-not-in-build-artifact" in rules_found(run_cli)
        run_cli("check", ".", "--fix", "--exit-zero")
        assert (tmp_path / "ci" / "buildspec.yml").read_text().endswith(expected)
        assert "static-deploy-file-not-in-build-artifact" not in rules_found(run_cli)
