"""IAM roles and their policies as collected."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

PolicyDocument = dict[str, Any]


@dataclass
class ManagedPolicy:
    arn: str
    name: str
    document: PolicyDocument = field(default_factory=dict)  # the default version
    version_id: str = ""

    @property
    def aws_managed(self) -> bool:
        return self.arn.startswith("arn:aws:iam::aws:policy/") or ":iam::aws:policy/" in self.arn


@dataclass
class Role:
    name: str
    arn: str
    trust_policy: PolicyDocument = field(default_factory=dict)
    inline_policies: dict[str, PolicyDocument] = field(default_factory=dict)
    attached_policies: list[ManagedPolicy] = field(default_factory=list)
    permissions_boundary: ManagedPolicy | None = None
    path: str = "/"

    def identity_documents(self) -> list[tuple[str, PolicyDocument]]:
        """(label, document) for every identity policy: inline first, then attached."""
        labelled = [(f"inline:{name}", doc) for name, doc in self.inline_policies.items()]
        labelled += [(policy.arn, policy.document) for policy in self.attached_policies]
        return labelled
