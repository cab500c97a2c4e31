"""Facts about the images a build pulled and a task definition runs."""

from __future__ import annotations

import re
from typing import Any

from pipedoctor.knowledge.images import ecr_registry, parse_image
from pipedoctor.model import Snapshot
from pipedoctor.sources.dockerfile import base_images
from pipedoctor.sources.repository import is_dockerfile

_LOG_IMAGE = re.compile(
    r"(?:\bFROM\s+(?:--platform=\S+\s+)?|docker pull\s+|load metadata for\s+|"
    r"pulling from\s+|failed to resolve source metadata for\s+)(?P<image>[\w./:@-]+)",
    re.IGNORECASE,
)


def docker_hub_facts(snapshot: Snapshot, log_lines: list[str]) -> dict[str, Any]:
    """The Docker Hub image the build pulled: named in the log, else the first one in a Dockerfile.

    `dockerhub.where` says where to change it: a repository Dockerfile and line when one has it.
    """
    in_files = [
        (repo_file.path, base)
        for repo_file in snapshot.repo_files
        if is_dockerfile(repo_file.path)
        for base in base_images(repo_file.text)
        if base.image is not None and base.image.is_docker_hub
    ]
    in_log = [
        (found.group("image"), image)
        for line in log_lines
        for found in _LOG_IMAGE.finditer(line)
        if (image := parse_image(found.group("image"))) is not None and image.is_docker_hub
    ]
    if in_log:
        written, image = in_log[0]
        place = next((f"{path} line {b.line}" for path, b in in_files if b.image == image), "")
    elif in_files:
        path, base = in_files[0]
        written, image, place = base.written, base.image, f"{path} line {base.line}"
    else:
        return {}
    facts: dict[str, Any] = {"dockerhub.image": written, "dockerhub.where": place or "the Dockerfile"}
    if mirror := image.ecr_public_mirror():
        facts["dockerhub.replacement"] = mirror
    return facts


def image_facts(images: list[str], partition: str, account: str) -> dict[str, Any]:
    """Registry, account and repository ARN of the first ECR image; accounts of every ECR image."""
    facts: dict[str, Any] = {}
    accounts = []
    for image in images:
        parsed = parse_image(image)
        if parsed is None:
            continue
        facts.setdefault("task.image_registry", parsed.registry)
        registry = ecr_registry(parsed.registry)
        if registry is None:
            continue
        accounts.append(registry.account)
        facts.setdefault("task.image_account", registry.account)
        facts.setdefault(
            "task.image_repository_arn",
            f"arn:{partition}:ecr:{registry.region}:{registry.account}:repository/{parsed.repository}",
        )
    facts["task.image_accounts"] = accounts
    if accounts and account:
        facts["task.image_cross_account"] = any(found != account for found in accounts)
    return facts
