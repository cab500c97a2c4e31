"""Every shape of pipeline code `check` reads, from small hand-written repositories in
`repositories/`: CDK output, buildspec templates, create-project JSON, policy documents kept as
files, and Terraform modules called from the same repository."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pipedoctor.collect import builds
from pipedoctor.model import from_api
from pipedoctor.sources.repository import CDK_COPY_MARKER, repositories, repository_files
from pipedoctor.sources.repository_model import RepositoryModel, build_model

REPOSITORIES = Path(__file__).parent / "repositories"


def model_of(name: str) -> RepositoryModel:
    return build_model(repository_files([str(REPOSITORIES / name)]))


def relative(path: str) -> str:
    return Path(path).relative_to(REPOSITORIES).as_posix()


# -- CDK output --------------------------------------------------------------------------------


def test_cdk_output_is_read_as_cloudformation_and_marked_generated() -> None:
    model = model_of("cdk_app")
    (project,) = model.projects
    assert relative(project.defined.path) == "cdk_app/cdk.out/AppStack.template.json"
    assert project.defined.generated
    assert project.role is not None and project.role.item.name == "BuildRole1A2B3C4D"
    assert [c.text for c in project.buildspec.commands] == ["docker build -t app ."]
    (task,) = model.definitions.task_definitions
    assert task.generated and task.item.family == "AppStackTaskDef"


def test_cdk_assets_link_to_their_dockerfiles_and_copies_are_read_once() -> None:
    files = repository_files([str(REPOSITORIES / "cdk_app")])
    by_path = {relative(f.path): f for f in files}
    # Only templates, manifests and asset Dockerfiles of cdk.out: bundled code is not scanned.
    assert not any("asset.0000lambda" in path for path in by_path)
    copy = next(p for p in by_path if p.startswith("cdk_app/cdk.out/asset.3f1c"))
    assert by_path[copy].text.startswith(CDK_COPY_MARKER)  # same bytes as app/Dockerfile
    model = build_model(files)
    task = model.definitions.task_definitions[0].item
    project = model.projects[0].project
    # The task runs the asset copied from app/Dockerfile: linked to the source, read there.
    assert [relative(p) for p in model.image_dockerfiles[task.arn]] == ["cdk_app/app/Dockerfile"]
    # The build image exists only as an asset (CDK v1 manifest metadata): linked to the copy.
    (build_image,) = model.image_dockerfiles[project.arn]
    assert relative(build_image).startswith("cdk_app/cdk.out/asset.9e8d") and build_image.endswith(
        "/Dockerfile"
    )


# -- buildspec templates -----------------------------------------------------------------------


def test_templatefile_buildspec_is_linked_and_read_with_unknown_variables() -> None:
    model = model_of("templated_buildspec")
    (project,) = model.projects
    assert relative(project.buildspec_file) == "templated_buildspec/infra/buildspec.yml.tftpl"
    facts = project.buildspec
    assert facts is not None and facts.error is None
    assert [(c.line, c.text) for c in facts.commands] == [
        (
            5,
            "aws ecr get-login-password | docker login --username AWS --password-stdin ${repository_url}",
        ),
        (9, "docker build -t ${repository_url}:${tag} ."),
        (11, 'echo "${CODEBUILD_RESOLVED_SOURCE_VERSION}"'),  # $${...} is the shell's
    ]
    assert facts.template_variables == {"repository_url": 5, "tag": 9}


def test_jinja_buildspec_template_reads_with_its_variables_unknown() -> None:
    model = model_of("templated_buildspec")
    path = next(p for p in model.buildspec_files if p.endswith("buildspec.yaml.j2"))
    facts = model.buildspec_files[path]
    assert facts.error is None
    assert [c.text for c in facts.commands] == ["docker build -t ${registry}/${service} ."]
    assert set(facts.template_variables) == {"image_name", "registry", "service"}
    assert "IMAGE" in facts.env_variables


# -- create-project JSON -----------------------------------------------------------------------


def test_create_project_json_maps_like_the_collector() -> None:
    assert builds.project_from_api is from_api.project_from_api  # one mapping, shared
    model = model_of("create_project")
    (linked,) = model.projects
    project = linked.project
    assert project.name == "cli-project" and project.source.type == "CODEPIPELINE"
    assert project.service_role == "arn:aws:iam::123456789012:role/cli-build"
    assert [(v.name, v.value) for v in project.environment.variables] == [
        ("IMAGE_REPO_NAME", "app")
    ]
    assert not project.environment.privileged_mode
    assert linked.defined.line("privileged_mode") == 14
    assert linked.defined.line("env:IMAGE_REPO_NAME") == 16
    assert relative(linked.buildspec_file) == "create_project/buildspec.yml"


@pytest.mark.parametrize(
    "text",
    [
        '{"projects": [{"name": "a", "source": {"type": "NO_SOURCE"}, "environment": {}, "serviceRole": "r"}]}',
        '{"project": {"name": "a", "source": {"type": "NO_SOURCE"}, "environment": {}, "serviceRole": "r"}}',
    ],
)
def test_batch_get_and_create_answers_are_projects_too(tmp_path: Path, text: str) -> None:
    (tmp_path / "project.json").write_text(text)
    model = build_model(repository_files([str(tmp_path)]))
    assert [p.project.name for p in model.projects] == ["a"]


def test_malformed_project_json_is_skipped_not_a_crash(tmp_path: Path) -> None:
    (tmp_path / "project.json").write_text(
        '{"name": "a", "source": {}, "serviceRole": "r", "environment": {"environmentVariables": [{}]}}'
    )
    assert build_model(repository_files([str(tmp_path)])).projects == []


# -- IAM policy documents ----------------------------------------------------------------------


def test_policy_files_are_read_with_statement_lines_and_linked_to_roles() -> None:
    model = model_of("policy_files")
    policies = {relative(p.path): p for p in model.definitions.policies}
    # trust.json has a principal: a trust policy, read as the role's, not as an identity policy.
    assert set(policies) == {
        "policy_files/deploy-policy.json",
        "policy_files/infra/policies/build.json",
    }
    build = policies["policy_files/infra/policies/build.json"]
    assert build.lines["statement:0"] == 4 and build.lines["statement:1"] == 10
    assert (
        policies["policy_files/deploy-policy.json"].item.document["Statement"]["Action"] == "ecs:*"
    )
    (role,) = model.definitions.roles
    document = role.item.inline_policies["build"]
    assert document["Statement"][1] == {
        "Sid": "Everything",
        "Effect": "Allow",
        "Action": "*",
        "Resource": "*",
    }
    assert role.item.trust_policy["Statement"][0]["Action"] == "sts:AssumeRole"
    assert "policies" not in role.unknown
    assert (
        relative(role.at("policy:build:statement:1")) == "policy_files/infra/policies/build.json:10"
    )
    assert role.at("policy:build").endswith("infra/main.tf:6")  # the resource that attaches it


def test_policy_file_read_by_a_managed_policy_resource(tmp_path: Path) -> None:
    (tmp_path / "p.json").write_text(
        '{"Version": "2012-10-17",\n "Statement": [\n  {"Effect": "Allow", "Action": "ecr:*", "Resource": "*"}]}\n'
    )
    (tmp_path / "main.tf").write_text(
        'resource "aws_iam_role" "r" {\n  name = "r"\n}\n'
        'resource "aws_iam_policy" "p" {\n  name = "p"\n  policy = file("p.json")\n}\n'
        'resource "aws_iam_role_policy_attachment" "a" {\n  role = aws_iam_role.r.name\n'
        "  policy_arn = aws_iam_policy.p.arn\n}\n"
    )
    (role,) = build_model(repository_files([str(tmp_path)])).definitions.roles
    (policy,) = role.item.attached_policies
    assert policy.document["Statement"][0]["Action"] == "ecr:*"
    assert role.at(f"managed:{policy.arn}:statement:0") == f"{tmp_path.as_posix()}/p.json:3"


# -- Terraform modules -------------------------------------------------------------------------


def test_local_modules_are_read_per_call_with_their_arguments() -> None:
    model = model_of("terraform_modules")
    projects = {p.defined.logical_id: p for p in model.projects}
    assert set(projects) == {
        "module.api.aws_codebuild_project.app",
        "module.web.aws_codebuild_project.app",
    }
    api, web = (
        projects["module.api.aws_codebuild_project.app"],
        projects["module.web.aws_codebuild_project.app"],
    )
    assert api.project.name == "api" and api.project.environment.privileged_mode
    assert api.role is not None and api.role.item.name == "api-build"
    # `name = "web-${var.environment}"` is not known: not the module's default, and its own role.
    assert web.project.name != "default-name" and not web.project.environment.privileged_mode
    assert web.role is not None and web.role.item.name not in ("api-build", "default-name-build")
    assert web.role.logical_id == "module.web.aws_iam_role.build"
    assert {relative(p.buildspec_file) for p in projects.values()} == {
        "terraform_modules/modules/ci/buildspec.yml"
    }
    # The root's pipeline names the project through the module's output.
    assert [ref.where for ref in api.actions] == ["Build/Api"] and web.actions == []


def test_module_cycles_and_remote_sources_do_not_hang(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "main.tf").write_text(
        'module "b" {\n  source = "../b"\n}\nresource "aws_iam_role" "a" {}\n'
    )
    (tmp_path / "b" / "main.tf").write_text(
        'module "a" {\n  source = "../a"\n}\nmodule "x" {\n  source = "terraform-aws-modules/iam/aws"\n}\n'
    )
    model = build_model(repository_files([str(tmp_path)]))
    assert [r.logical_id for r in model.definitions.roles] == ["aws_iam_role.a"]


@pytest.mark.parametrize(
    ("name", "text"),
    [
        (
            "project.json",
            '{"name": "a", "source": {"buildspec": null}, "environment": {}, "serviceRole": "r"}',
        ),
        (
            "project.json",
            '{"name": "a", "source": {}, "environment": {"image": 3}, "serviceRole": []}',
        ),
        ("policy.json", '{"Version": "2012-10-17", "Statement": [1, "x"]}'),
        ("cdk.out/a.assets.json", '{"dockerImages": {"h": {"source": []}}, "artifacts": []}'),
        (
            "cdk.out/manifest.json",
            '{"artifacts": {"s": {"metadata": {"/s": {"type": "aws:cdk:asset"}}}}}',
        ),
        ("buildspec.yml.tftpl", "version: 0.2\nphases: {{ phases }}\n  build: %{ for x in y }\n"),
        ("main.tf", 'module "m" {\n  source = 3\n}\nmodule {\n}\n'),
    ],
)
def test_odd_files_of_each_shape_are_skipped_or_errors_never_crashes(
    tmp_path: Path, name: str, text: str
) -> None:
    (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / name).write_text(text)
    model = build_model(repository_files([str(tmp_path)]))
    assert model.projects == [] and model.definitions.policies == []


def test_terraform_0_11_template_file_buildspec_is_linked(tmp_path: Path) -> None:
    (tmp_path / "buildspec.tpl").write_text(
        "version: 0.2\nphases:\n  build:\n    commands:\n      - docker push ${repository_url}\n"
    )
    (tmp_path / "main.tf").write_text(
        'data "template_file" "buildspec" {\n  template = "${file("buildspec.tpl")}"\n}\n'
        'resource "aws_codebuild_project" "p" {\n  name = "p"\n'
        '  source {\n    type = "CODEPIPELINE"\n'
        '    buildspec = "${data.template_file.buildspec.rendered}"\n  }\n}\n'
    )
    (linked,) = build_model(repository_files([str(tmp_path)])).projects
    assert linked.buildspec_file == f"{tmp_path.as_posix()}/buildspec.tpl"
    assert linked.buildspec is not None and linked.buildspec.template_variables == {
        "repository_url": 5
    }


def test_policy_templates_are_read_when_they_parse_and_never_a_syntax_error(tmp_path: Path) -> None:
    (tmp_path / "push.json.tpl").write_text(
        '{"Statement": [{"Effect": "Allow", "Action": "ecr:*", "Resource": "${repository_arn}"}]}'
    )
    (tmp_path / "deploy.json.tftpl").write_text(
        '{"Statement": [{"Effect": "Allow", "Action": "ecs:*", "Resource": ${jsonencode(arns)}}]}'
    )
    model = build_model(repository_files([str(tmp_path)]))
    assert [p.item.name for p in model.definitions.policies] == ["push"]
    assert model.syntax_errors == []


def test_cdk_pipelines_assembly_asset_metadata_and_publish_commands(tmp_path: Path) -> None:
    """A CDK Pipelines stage assembly: assets live in the top cdk.out, named from the stage's
    manifest as `../asset.<hash>`; the publishing project's `cdk-assets publish` builds them."""
    digest = "ab" * 32
    out = tmp_path / "cdk.out"
    (out / f"asset.{digest}").mkdir(parents=True)
    (out / f"asset.{digest}" / "build.Dockerfile").write_text("FROM golang:1.22\n")
    (out / "assembly-Prod").mkdir()
    source = {"directory": f"../asset.{digest}", "dockerFile": "build.Dockerfile"}
    assets = {"dockerImages": {digest: {"source": source, "destinations": {}}}}
    (out / "assembly-Prod" / "ProdApp.assets.json").write_text(json.dumps(assets))
    publish = f'cdk-assets --path "assembly-Prod/ProdApp.assets.json" publish "{digest}:current"'
    spec = {"version": "0.2", "phases": {"build": {"commands": [publish]}}}
    template = {
        "Resources": {
            "Publish": {
                "Type": "AWS::CodeBuild::Project",
                "Properties": {
                    "Source": {"Type": "NO_SOURCE", "BuildSpec": json.dumps(spec)},
                    "Environment": {"Image": "aws/codebuild/standard:7.0", "PrivilegedMode": True},
                },
            },
            "Runner": {
                "Type": "AWS::CodeBuild::Project",
                "Metadata": {"aws:asset:path": f"../asset.{digest}"},
                "Properties": {
                    "Source": {"Type": "NO_SOURCE"},
                    "Environment": {"Image": {"Ref": "RunnerImage"}},
                },
            },
        }
    }
    (out / "assembly-Prod" / "ProdApp.template.json").write_text(json.dumps(template, indent=1))
    model = build_model(repository_files([str(tmp_path)]))
    dockerfile = f"{out.as_posix()}/asset.{digest}/build.Dockerfile"
    projects = {p.defined.logical_id: p for p in model.projects}
    assert set(projects) == {"Publish", "Runner"}
    assert projects["Publish"].dockerfiles == [dockerfile]
    assert model.image_dockerfiles[projects["Runner"].project.arn] == [dockerfile]


def test_a_template_named_like_a_buildspec_is_read_as_a_template(tmp_path: Path) -> None:
    (tmp_path / "buildspec.yml").write_text(
        "version: 0.2\nphases:\n  build:\n    commands:\n      - {{ build_command }} --verbose\n"
    )
    (facts,) = build_model(repository_files([str(tmp_path)])).buildspec_files.values()
    assert facts.error is None and facts.template_variables == {"build_command": 5}


def test_a_buildspec_path_with_a_variable_is_unknown_not_ambiguous(tmp_path: Path) -> None:
    (tmp_path / "templates").mkdir()
    for stage in ("plan", "apply"):
        (tmp_path / "templates" / f"buildspec_{stage}.yml").write_text("version: 0.2\n")
    (tmp_path / "main.tf").write_text(
        'variable "stages" {}\nresource "aws_codebuild_project" "p" {\n  count = 2\n  name = "p"\n'
        '  source {\n    type = "CODEPIPELINE"\n'
        '    buildspec = "./templates/buildspec_${var.stages[count.index]}.yml"\n  }\n}\n'
    )
    (linked,) = build_model(repository_files([str(tmp_path)])).projects
    assert linked.buildspec_file == "" and linked.buildspec_candidates == []


def test_module_calls_are_read_after_the_calls_whose_outputs_they_use(tmp_path: Path) -> None:
    (tmp_path / "role").mkdir()
    (tmp_path / "build").mkdir()
    (tmp_path / "main.tf").write_text(
        'module "build" {\n  source = "./build"\n  role_arn = module.role.arn\n}\n'
        'module "role" {\n  source = "./role"\n}\n'
    )
    (tmp_path / "role" / "main.tf").write_text(
        'resource "aws_iam_role" "r" {\n  name = "ci"\n}\noutput "arn" {\n  value = aws_iam_role.r.arn\n}\n'
    )
    (tmp_path / "build" / "main.tf").write_text(
        'variable "role_arn" {}\nresource "aws_codebuild_project" "p" {\n  name = "p"\n'
        "  service_role = var.role_arn\n}\n"
    )
    (linked,) = build_model(repository_files([str(tmp_path)])).projects
    assert linked.role is not None and linked.role.logical_id == "module.role.aws_iam_role.r"


def test_a_policy_passed_from_another_modules_output_file_is_read(tmp_path: Path) -> None:
    # The policy module's outputs sit in a file of `output` blocks only, and its document
    # reaches the role module as an argument.
    for folder in ("policy", "role"):
        (tmp_path / folder).mkdir()
    (tmp_path / "main.tf").write_text(
        'module "policy" {\n  source = "./policy"\n}\n'
        'module "role" {\n  source = "./role"\n  policy = module.policy.build\n}\n'
    )
    (tmp_path / "policy" / "main.tf").write_text(
        'data "aws_iam_policy_document" "build" {\n  statement {\n'
        '    actions   = ["s3:*"]\n    resources = ["*"]\n  }\n}\n'
    )
    (tmp_path / "policy" / "outputs.tf").write_text(
        'output "build" {\n  value = data.aws_iam_policy_document.build.json\n}\n'
    )
    (tmp_path / "role" / "main.tf").write_text(
        'variable "policy" {}\nresource "aws_iam_role" "r" {\n  name = "ci"\n}\n'
        'resource "aws_iam_role_policy" "p" {\n  role   = aws_iam_role.r.name\n'
        '  policy = var.policy\n}\n'
    )
    (role,) = build_model(repository_files([str(tmp_path)])).definitions.roles
    (document,) = role.item.inline_policies.values()
    assert document["Statement"][0]["Action"] == ["s3:*"]
    assert "policies" not in role.unknown


def test_a_policy_template_with_placeholders_leaves_the_policies_unknown(tmp_path: Path) -> None:
    (tmp_path / "push.json.tftpl").write_text(
        '{"Statement": [{"Effect": "Allow", "Action": "ecr:PutImage", "Resource": "${repo_arn}"},\n'
        ' {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/${aws:username}"}]}'
    )
    (tmp_path / "main.tf").write_text(
        'resource "aws_iam_role" "r" {\n  name = "r"\n  inline_policy {\n    name = "push"\n'
        '    policy = templatefile("push.json.tftpl", { repo_arn = var.repo })\n  }\n}\n'
    )
    (role,) = build_model(repository_files([str(tmp_path)])).definitions.roles
    assert role.item.inline_policies["push"]["Statement"][0]["Action"] == "ecr:PutImage"
    assert "policies" in role.unknown
    assert role.at("policy:push:statement:1") == f"{tmp_path.as_posix()}/push.json.tftpl:2"


def test_a_tpl_policy_template_is_filled_in_with_the_known_template_variables(tmp_path: Path) -> None:
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / "pipeline.tpl").write_text(
        '{"Statement": [{"Effect": "Allow", "Action": "ecs:*", "Resource": "*"},\n'
        ' {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::${bucket}/*"},\n'
        ' {"Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::${ other }/*"}]}'
    )
    (tmp_path / "main.tf").write_text(
        'resource "aws_s3_bucket" "artifacts" {\n  bucket = "pipeline-artifacts"\n}\n'
        'resource "aws_iam_role" "r" {\n  name = "r"\n}\n'
        'resource "aws_iam_role_policy" "p" {\n  role   = aws_iam_role.r.name\n'
        '  policy = templatefile("${path.root}/assets/pipeline.tpl", {\n'
        '    bucket = aws_s3_bucket.artifacts.id,\n    other = "named-${var.unset}"\n  })\n}\n'
    )
    (role,) = build_model(repository_files([str(tmp_path)])).definitions.roles
    statements = role.item.inline_policies["p"]["Statement"]
    assert statements[0]["Action"] == "ecs:*"
    assert statements[1]["Resource"] == "arn:aws:s3:::pipeline-artifacts/*"
    # A variable whose value is not known here stays a placeholder, and the policies unknown.
    assert statements[2]["Resource"] == "arn:aws:s3:::${ other }/*"
    assert "policies" in role.unknown
    assert role.at("policy:p:statement:1") == f"{tmp_path.as_posix()}/assets/pipeline.tpl:2"


def test_a_template_file_policy_whose_variables_are_all_known_is_known(tmp_path: Path) -> None:
    (tmp_path / "push.tpl").write_text(
        '{"Statement": [{"Effect": "Allow", "Action": "ecr:PutImage", "Resource": "${repo}"}]}'
    )
    (tmp_path / "main.tf").write_text(
        'data "template_file" "push" {\n  template = file("push.tpl")\n'
        '  vars = {\n    repo = aws_ecr_repository.app.arn\n  }\n}\n'
        'resource "aws_ecr_repository" "app" {\n  name = "app"\n}\n'
        'resource "aws_iam_role" "r" {\n  name = "r"\n  inline_policy {\n    name = "push"\n'
        '    policy = data.template_file.push.rendered\n  }\n}\n'
    )
    (role,) = build_model(repository_files([str(tmp_path)])).definitions.roles
    (statement,) = role.item.inline_policies["push"]["Statement"]
    assert statement["Resource"].endswith(":repository/app")
    assert "policies" not in role.unknown


def test_a_tpl_file_that_holds_no_policy_is_not_read(tmp_path: Path) -> None:
    (tmp_path / "user_data.tpl").write_text("#!/bin/sh\necho ${name}\n")
    (tmp_path / "main.tf").write_text('resource "aws_iam_role" "r" {\n  name = "r"\n}\n')
    paths = [Path(f.path).name for f in repository_files([str(tmp_path)])]
    assert paths == ["main.tf"]


def test_an_invalid_template_is_one_finding_and_its_grants_are_not_guessed(
    tmp_path: Path, run_cli: Any
) -> None:
    # CloudFormation rejects the template as well (an alias with no name), so no stack holds
    # these grants as written: the one finding says that nothing in the file is checked.
    (tmp_path / "ci.yml").write_text(
        "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  PipelineRole:\n"
        "    Type: AWS::IAM::Role\n    Properties:\n      Policies:\n"
        "        - PolicyName: p\n          PolicyDocument:\n            Statement:\n"
        "              - Effect: Allow\n                Action: iam:PassRole\n"
        "                Resource:\n                  - *\n"
    )
    model = build_model(repository_files([str(tmp_path)]))
    assert [(Path(path).name, error.line) for path, error in model.syntax_errors] == [("ci.yml", 13)]
    assert model.definitions.roles == []
    code, out, _ = run_cli("check", str(tmp_path), "--format", "json")
    (finding,) = json.loads(out)["diagnoses"]
    assert code == 0 and finding["rule"] == "static-pipeline-definition-invalid-syntax"  # medium
    assert "nothing it defines" in finding["message"]


def test_paths_group_into_repositories(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b" / ".git").mkdir(parents=True)
    for name in ("b/x.yml", "b/y.yml", "loose.yml"):
        (tmp_path / name).write_text("")
    a, b, loose = str(tmp_path / "a"), str(tmp_path / "b"), str(tmp_path / "loose.yml")
    x, y = str(tmp_path / "b" / "x.yml"), str(tmp_path / "b" / "y.yml")
    assert repositories([a, x, loose, a, f"{a}/.", y, b]) == [[a], [x, y], [loose], [b]]


def test_environments_calling_one_module_make_distinct_unnamed_roles(tmp_path: Path) -> None:
    (tmp_path / "modules" / "ci").mkdir(parents=True)
    (tmp_path / "modules" / "ci" / "main.tf").write_text('resource "aws_iam_role" "build" {}\n')
    for env in ("dev", "prod"):
        (tmp_path / "envs" / env).mkdir(parents=True)
        (tmp_path / "envs" / env / "main.tf").write_text(
            'module "ci" {\n  source = "../../modules/ci"\n}\n'
        )
    roles = build_model(repository_files([str(tmp_path)])).definitions.roles
    assert sorted(r.item.name for r in roles) == ["dev.ci.build", "prod.ci.build"]
    assert len({r.item.arn for r in roles}) == 2


@pytest.mark.parametrize("name", ["appspec.yaml", "deploy/codedeploy-template.yml"])
def test_a_codedeploy_appspec_template_is_not_read_as_a_template(tmp_path: Path, name: str) -> None:
    """An AppSpec names `Type: AWS::ECS::Service` like CloudFormation, but only CodeDeploy reads
    it, often after a build filled its placeholders: never a definition, never a syntax error."""
    (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / name).write_text(
        "version: 0.0\nResources:\n  - TargetService:\n      Type: AWS::ECS::Service\n"
        "      Properties:\n        TaskDefinition: <TASK_DEFINITION>\n"
        "        LoadBalancerInfo:\n          ContainerPort: %PORT%\n"
    )
    model = build_model(repository_files([str(tmp_path)]))
    assert model.syntax_errors == [] and model.definitions.task_definitions == []


def test_a_broken_cloudformation_template_is_still_a_syntax_error(tmp_path: Path) -> None:
    (tmp_path / "service.yml").write_text(
        "Resources:\n  Service:\n    Type: AWS::ECS::Service\n    Properties:\n      Port: %PORT%\n"
    )
    model = build_model(repository_files([str(tmp_path)]))
    assert [(path.rsplit("/", 1)[-1], error.line) for path, error in model.syntax_errors] == [
        ("service.yml", 5)
    ]


def test_terraform_0_11_quoted_blocks_link_the_project_to_its_role(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        'resource "aws_iam_role" "build" {\n  name = "build"\n}\n'
        'resource "aws_codebuild_project" "p" {\n  name = "p"\n'
        '  service_role = "${aws_iam_role.build.arn}"\n'
        '  "environment" {\n    privileged_mode = true\n  }\n}\n'
    )
    model = build_model(repository_files([str(tmp_path)]))
    assert model.syntax_errors == []
    (linked,) = model.projects
    assert linked.role is not None and linked.role.item.name == "build"


def test_environments_calling_one_module_link_their_own_role_of_a_fixed_name(tmp_path: Path) -> None:
    """Both calls make a role named `build`: each project's reference means its own call's role,
    not an ambiguity between two copies of one block."""
    (tmp_path / "modules" / "ci").mkdir(parents=True)
    (tmp_path / "modules" / "ci" / "main.tf").write_text(
        'variable "env" {}\n'
        'resource "aws_iam_role" "build" {\n  name = "build"\n}\n'
        'resource "aws_codebuild_project" "app" {\n  name = "${var.env}-app"\n'
        "  service_role = aws_iam_role.build.arn\n}\n"
    )
    for env in ("dev", "prod"):
        (tmp_path / "envs" / env).mkdir(parents=True)
        (tmp_path / "envs" / env / "main.tf").write_text(
            f'module "ci" {{\n  source = "../../modules/ci"\n  env = "{env}"\n}}\n'
        )
    projects = build_model(repository_files([str(tmp_path)])).projects
    assert sorted(p.project.name for p in projects) == ["dev-app", "prod-app"]
    for linked in projects:
        assert linked.role_candidates == []
        assert linked.role is not None and linked.role.item.name == "build"
        assert linked.role.scope == linked.defined.scope == f"{linked.project.name[:-4]}.ci"


def test_terraform_0_11_action_configuration_block_is_read_with_its_lines(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        'resource "aws_codepipeline" "p" {\n  name = "p"\n  role_arn = "r"\n'
        '  stage {\n    name = "Build"\n    action {\n      name = "Build"\n'
        '      category = "Build"\n      provider = "CodeBuild"\n'
        '      configuration {\n        ProjectName = "app"\n      }\n    }\n  }\n}\n'
    )
    (pipeline,) = build_model(repository_files([str(tmp_path)])).definitions.pipelines
    ((_, action),) = list(pipeline.item.actions())
    assert action.configuration == {"ProjectName": "app"}
    assert pipeline.lines["config:Build/Build:ProjectName"] == 11
