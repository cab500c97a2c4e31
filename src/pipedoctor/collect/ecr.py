"""ECR repositories of a region with their repository policies."""

from __future__ import annotations

import json
from typing import Any

from pipedoctor.collect.reader import Reader
from pipedoctor.model import EcrRepository
from pipedoctor.model.from_api import repository_from_api


def repositories(reader: Reader, client: Any, region: str) -> list[EcrRepository]:
    pages = reader.pages(client, "describe_repositories", resource=region) or []
    return [
        repository_from_api(raw)
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
