"""Configuration checks that used to answer a knowledge question their own way now agree with the
diagnosis facts (one knowledge module each)."""

from __future__ import annotations

import pytest

from pipedoctor.diagnose.facts.build import project_facts
from pipedoctor.diagnose.facts.task import task_definition_facts
from pipedoctor.diagnose.predicates import PREDICATES
from pipedoctor.model import Snapshot
from pipedoctor.model.serialize import from_plain
from pipedoctor.sources.repository_model import repository_model

CUSTOM_IMAGE_PROJECT = """\
resource "aws_codebuild_project" "app" {{
  name = "app"
  environment {{
    image           = "{image}"
    privileged_mode = true
    type            = "LINUX_CONTAINER"
  }}
  source {{
    type      = "NO_SOURCE"
    buildspec = <<EOT
version: 0.2
phases:
  build:
    commands:
      - docker build -t app .
EOT
  }}
}}
"""

TASK_WITH_ECR_REPOSITORY = """\
Resources:
  Repo:
    Type: AWS::ECR::Repository
    Properties: {{RepositoryName: {name}}}
  Task:
    Type: AWS::ECS::TaskDefinition
    Properties:
      Family: web
      ContainerDefinitions:
        - Name: web
          Image: {image}
"""


def _snapshot(path: str, text: str) -> Snapshot:
    return from_plain(Snapshot, {"repo_files": [{"path": path, "text": text}]})


@pytest.mark.parametrize(
    ("image", "reported"),
    [
        ("docker:dind", True),
        ("aws/codebuild/standard:7.0", False),
        # CodeBuild's own image from ECR Public starts dockerd too: the check reported it, the
        # diagnosis facts called it curated.
        ("public.ecr.aws/codebuild/amazonlinux-x86_64-standard:5.0", False),
    ],
)
def test_dockerd_check_and_facts_agree_on_curated_images(image: str, reported: bool) -> None:
    snapshot = _snapshot("build.tf", CUSTOM_IMAGE_PROJECT.format(image=image))
    hits = list(PREDICATES["custom_image_without_dockerd"](snapshot, {}))
    assert bool(hits) is reported
    (linked,) = repository_model(snapshot).projects
    assert project_facts(linked.project)["project.image_curated"] is not reported


@pytest.mark.parametrize(
    ("name", "image", "reported"),
    [
        ("web", "web:latest", True),
        # A namespaced ECR repository name written without its registry is pulled from Docker Hub
        # too: the check said it named a registry, the facts said it did not.
        ("team/web", "team/web:1.0", True),
        ("web", "registry.example.com/web:1.0", False),
    ],
)
def test_registry_check_and_facts_agree(name: str, image: str, reported: bool) -> None:
    snapshot = _snapshot("app.yml", TASK_WITH_ECR_REPOSITORY.format(name=name, image=image))
    hits = list(PREDICATES["image_without_registry"](snapshot, {}))
    assert bool(hits) is reported
    (task,) = repository_model(snapshot).definitions.task_definitions
    facts = task_definition_facts(task.item, "aws", "123456789012")
    assert (facts["task.bare_images"] == [image]) is reported
