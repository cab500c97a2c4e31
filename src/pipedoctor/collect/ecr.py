"""ECR repositories of a region with their repository policies."""

from __future__ import annotations

import json
from typing import Any

from pipedoctor.collect.reader import Reader
from pipedoctor.model import EcrRepository


def repositories(reader: Reader, client: Any, region: str) -> list[EcrRepository]:
    pages = reader.pages(client, "describe_repositories", resource=region) or []
    return [
        EcrRepository(
            name=raw["repositoryName"], arn=raw["repositoryArn"], uri=raw["repositoryUri"]
        )
        for page in pages
        for raw in page.get("repositories", [])
    ]


def repository_policy(reader: Reader, client: Any, repository: EcrRepository) -> None:
    """Sets `repository.policy`; a repository without a policy is not an error."""
    response = reader.call(
        client,
        "get_repository_policy",
        resource=repository.arn,
        absent=("RepositoryPolicyNotFoundException",),
        repositoryName=repository.name,
    )
    if response is not None:
        repository.policy = json.loads(response["policyText"])
