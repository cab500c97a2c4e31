from __future__ import annotations

import pytest

from pipedoctor.knowledge.images import (
    ecr_image,
    ecr_registry,
    images_in_log,
    is_curated_codebuild_image,
    mentions_ecr_registry,
    names_no_registry,
    parse_image,
)
from pipedoctor.sources.dockerfile import base_images


@pytest.mark.parametrize(
    ("written", "docker_hub", "mirror"),
    [
        ("node:21-alpine3.19", True, "public.ecr.aws/docker/library/node:21-alpine3.19"),
        ("python", True, "public.ecr.aws/docker/library/python:latest"),
        ("docker.io/library/nginx:1.27", True, "public.ecr.aws/docker/library/nginx:1.27"),
        ("bitnami/redis:7", True, None),
        ("public.ecr.aws/docker/library/node:20", False, None),
        ("123456789012.dkr.ecr.eu-west-2.amazonaws.com/myapp:1.0", False, None),
        ("localhost:5000/app", False, None),
    ],
)
def test_registry_and_ecr_public_mirror(written: str, docker_hub: bool, mirror: str | None) -> None:
    image = parse_image(written)
    assert image is not None
    assert image.is_docker_hub is docker_hub
    assert image.ecr_public_mirror() == mirror


def test_dockerfile_resolves_args_and_skips_stage_names() -> None:
    text = (
        "ARG NODE_VERSION=21\n"
        "FROM --platform=linux/amd64 node:${NODE_VERSION}-alpine AS deps\n"
        "RUN npm ci\n"
        "FROM deps AS build\n"
        "FROM \\\n  gcr.io/distroless/nodejs20\n"
    )
    found = base_images(text)
    assert [b.line for b in found] == [2, 4, 5]
    assert found[0].image is not None and found[0].image.reference() == "library/node:21-alpine"
    assert found[1].image is None  # a stage, not an image
    assert found[2].image is not None and found[2].image.registry == "gcr.io"


# The diagnosis facts counted public.ecr.aws/codebuild/ as curated and the dockerd check did not:
# the images there are CodeBuild's own, whose entrypoint starts dockerd when privileged.
@pytest.mark.parametrize(
    ("image", "curated"),
    [
        ("aws/codebuild/standard:7.0", True),
        ("aws/codebuild/amazonlinux-x86_64-standard:5.0", True),
        ("public.ecr.aws/codebuild/amazonlinux-x86_64-standard:5.0", True),
        ("public.ecr.aws/docker/library/docker:dind", False),
        ("docker:dind", False),
        ("123456789012.dkr.ecr.eu-west-1.amazonaws.com/codebuild/standard:7.0", False),
    ],
)
def test_curated_codebuild_images(image: str, curated: bool) -> None:
    assert is_curated_codebuild_image(image) is curated


# The facts said `team/app` names no registry, the image-without-registry check said it did.
@pytest.mark.parametrize(
    ("image", "bare"),
    [
        ("myapp:1.0", True),
        ("team/app:1.0", True),
        ("node@sha256:abc", True),
        ("docker.io/library/node:20", False),
        ("localhost:5000/app", False),
        ("registry.example.com/app", False),
        ("123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:1", False),
        ("$REPOSITORY_URI:latest", False),
        ("", False),
    ],
)
def test_names_no_registry(image: str, bare: bool) -> None:
    assert names_no_registry(image) is bare


# Four ECR patterns disagreed on FIPS endpoints and on regions; one answer now.
@pytest.mark.parametrize(
    ("host", "account", "region"),
    [
        ("123456789012.dkr.ecr.eu-west-1.amazonaws.com", "123456789012", "eu-west-1"),
        ("123456789012.dkr.ecr-fips.us-east-1.amazonaws.com", "123456789012", "us-east-1"),
        ("123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn", "123456789012", "cn-north-1"),
    ],
)
def test_ecr_registry_hosts(host: str, account: str, region: str) -> None:
    registry = ecr_registry(host)
    assert registry is not None and (registry.account, registry.region) == (account, region)
    image = ecr_image(f"{host}/team/app:1.0")
    assert image is not None and image.repository == "team/app"
    assert mentions_ecr_registry(f"docker push {host}/app")


@pytest.mark.parametrize(
    "text",
    ["public.ecr.aws/docker/library/node", "12345.dkr.ecr.eu-west-1.amazonaws.com", "docker.io/app"],
)
def test_not_ecr(text: str) -> None:
    assert ecr_registry(text.split("/")[0]) is None
    assert ecr_image(text) is None
    assert not mentions_ecr_registry(text)


# The diagnosis facts took any Docker Hub FROM for a pull, the Dockerfile check skipped single
# names that are no official image (built locally): one answer now.
@pytest.mark.parametrize(
    ("written", "pulled"),
    [
        ("node:20", True),
        ("centos:7", True),  # deprecated, still pulled
        ("bitnami/redis:7", True),
        ("myapp-base", False),
        ("public.ecr.aws/docker/library/node:20", False),
    ],
)
def test_pulled_from_docker_hub(written: str, pulled: bool) -> None:
    image = parse_image(written)
    assert image is not None and image.pulled_from_docker_hub is pulled


def test_images_a_build_log_names() -> None:
    line = "#3 [internal] load metadata for docker.io/library/node:20-alpine"
    assert [(w, i.reference()) for w, i in images_in_log(line)] == [
        ("docker.io/library/node:20-alpine", "library/node:20-alpine")
    ]
    assert images_in_log("Step 1/5 : FROM $BASE") == []
