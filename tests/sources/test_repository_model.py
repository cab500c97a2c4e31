"""Linking: buildspec file -> project, role -> project, pipeline action -> project, Dockerfile."""

from __future__ import annotations

from pipedoctor.model import RepoFile, Snapshot
from pipedoctor.sources.repository_model import add_definitions_to_snapshot, build_model

TEMPLATE = """\
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties: {RoleName: build}
  Build:
    Type: AWS::CodeBuild::Project
    Properties:
      Name: app
      ServiceRole: !Ref Role
      Source: {Type: CODEPIPELINE, BuildSpec: ci/buildspec.yml}
  Pipeline:
    Type: AWS::CodePipeline::Pipeline
    Properties:
      RoleArn: arn:aws:iam::111122223333:role/p
      Stages:
        - Name: Build
          Actions:
            - Name: Make
              ActionTypeId: {Category: Build, Owner: AWS, Provider: CodeBuild, Version: '1'}
              Configuration: {ProjectName: !Ref Build}
"""
BUILDSPEC = "version: 0.2\nphases:\n  build:\n    commands:\n      - docker build -f docker/api.Dockerfile -t x .\n      - docker build web\n"


def files() -> list[RepoFile]:
    return [
        RepoFile("repo/infra/ci.yml", TEMPLATE),
        RepoFile("repo/ci/buildspec.yml", BUILDSPEC),
        RepoFile("other/ci/buildspec.yml", "version: 0.2\n"),
        RepoFile("repo/docker/api.Dockerfile", "FROM python:3.12\n"),
        RepoFile("repo/web/Dockerfile", "FROM node:20\n"),
        RepoFile("repo/Dockerfile", "FROM scratch\n"),
    ]


def test_project_links_to_its_buildspec_role_action_and_dockerfiles() -> None:
    model = build_model(files())
    (linked,) = model.projects
    assert linked.buildspec_file == "repo/ci/buildspec.yml"  # the copy nearest the template
    assert linked.buildspec is not None and linked.buildspec.commands[0].line == 5
    assert linked.role is not None and linked.role.item.name == "build"
    assert [ref.where for ref in linked.actions] == ["Build/Make"]
    assert linked.dockerfiles == ["repo/docker/api.Dockerfile", "repo/web/Dockerfile"]


def test_template_resources_join_the_snapshot_once() -> None:
    snapshot = Snapshot(repo_files=files())
    model = add_definitions_to_snapshot(snapshot)
    add_definitions_to_snapshot(snapshot)
    assert [p.name for p in snapshot.projects] == ["app"]
    assert [r.name for r in snapshot.roles] == ["build"]
    assert len(snapshot.pipelines) == 1
    assert model.locations()[snapshot.roles[0].arn] == "repo/infra/ci.yml:2"


def test_unparseable_definitions_are_recorded_not_raised() -> None:
    model = build_model(
        [
            RepoFile("ci.yml", "AWSTemplateFormatVersion: x\nResources:\n  A: [\n"),
            RepoFile("main.tf", 'resource "aws_iam_role" "r" {\n'),
        ]
    )
    assert sorted(path for path, _ in model.syntax_errors) == ["ci.yml", "main.tf"]
