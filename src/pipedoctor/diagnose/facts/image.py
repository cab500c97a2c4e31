"""Facts about the images a build pulled and a task definition runs."""

from __future__ import annotations

from typing import Any

from pipedoctor.knowledge.images import ecr_registry, images_in_log, parse_image
from pipedoctor.model import Snapshot
from pipedoctor.sources.dockerfile import docker_hub_bases


def docker_hub_facts(snapshot: Snapshot, log_lines: list[str]) -> dict[str, Any]:
    """The Docker Hub image the build pulled: named in the log, else the first one in a Dockerfile.

    `dockerhub.where` says where to change it: a repository Dockerfile and line when one has it.
    """
    in_files = [(repo_file.path, base) for repo_file, base in docker_hub_bases(snapshot.repo_files)]
    # A pull the log shows is from Docker Hub whatever the name looks like.
    in_log = [(written, image) for line in log_lines for written, image in images_in_log(line) if image.is_docker_hub]
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
