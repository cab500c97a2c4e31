from __future__ import annotations

import pytest

from pipedoctor.sources.dockerfile import base_images
from pipedoctor.sources.images import parse_image


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
