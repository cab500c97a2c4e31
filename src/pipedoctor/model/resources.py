"""Resources the delivery chain touches: connections, ECR, artifact buckets and keys."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pipedoctor.knowledge.arns import arn_service


@dataclass
class Connection:
    arn: str
    name: str
    provider_type: str = ""  # GitHub | Bitbucket | GitLab | GitHubEnterpriseServer ...
    status: str = ""  # AVAILABLE | PENDING | ERROR
    owner_account: str = ""

    @property
    def service_prefix(self) -> str:
        """`codeconnections` or `codestar-connections`, from the ARN."""
        return arn_service(self.arn)


@dataclass
class EcrRepository:
    name: str
    arn: str
    uri: str
    policy: dict[str, Any] | None = None


@dataclass
class ArtifactBucket:
    name: str
    region: str = ""
    encryption: str = ""  # AES256 | aws:kms | ""
    kms_key_arn: str = ""
    policy: dict[str, Any] | None = None


@dataclass
class KmsKey:
    arn: str
    key_manager: str = ""  # AWS | CUSTOMER
    policy: dict[str, Any] | None = None
