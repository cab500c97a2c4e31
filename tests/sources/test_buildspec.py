from __future__ import annotations

from pipedoctor.sources.buildspec import parse_buildspec, pushed_ecr_repositories

BUILDSPEC = """
version: 0.2
phases:
  pre_build:
    commands:
      - REPOSITORY_URI=$AWS_ACCOUNT_ID.dkr.ecr.$AWS_DEFAULT_REGION.amazonaws.com/$IMAGE_REPO_NAME
  post_build:
    commands:
      - docker push $REPOSITORY_URI:$TAG
      - docker push ${AWS_ACCOUNT_ID}.dkr.ecr.us-east-1.amazonaws.com/other:latest
      - docker push public.ecr.aws/acme/tool:1
"""


def test_pushes_resolve_through_assignments_and_env() -> None:
    env = {"AWS_ACCOUNT_ID": "111122223333", "AWS_DEFAULT_REGION": "eu-west-2", "IMAGE_REPO_NAME": "web"}
    pushed = pushed_ecr_repositories(parse_buildspec(BUILDSPEC), env)
    assert pushed == [("111122223333", "eu-west-2", "web"), ("111122223333", "us-east-1", "other")]


def test_unresolved_variables_give_no_repository() -> None:
    assert pushed_ecr_repositories(parse_buildspec(BUILDSPEC), {}) == []
