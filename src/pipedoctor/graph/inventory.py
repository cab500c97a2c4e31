"""What the permission graph is built from: principals, their policies, and resources.

Two sources fill it: a Snapshot (`graph.from_snapshot`) and an account's
`get-account-authorization-details` dump (`graph.authz_details`); both can be merged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pipedoctor.iam import CompiledPolicy, Policy, compile_policy, normalize_policy

INLINE = "inline"
MANAGED = "managed"
AWS_MANAGED = "aws-managed"


@dataclass
class PolicyEntry:
    """One policy document. `id` is the managed policy ARN, or `<owner ARN>#inline/<name>`."""

    id: str
    name: str
    document: dict[str, Any]
    kind: str  # INLINE | MANAGED | AWS_MANAGED
    versions: int = 1  # managed policies: stored versions (the default one and older ones)
    _normalized: Policy | None = field(default=None, repr=False, compare=False)
    _compiled: CompiledPolicy | None = field(default=None, repr=False, compare=False)

    def normalized(self) -> Policy:
        if self._normalized is None:
            self._normalized = normalize_policy(self.document)
        return self._normalized

    def compiled(self) -> CompiledPolicy:
        if self._compiled is None:
            self._compiled = compile_policy(self.normalized(), self.id)
        return self._compiled


@dataclass
class PrincipalEntry:
    """A role or user: who can act, with which policies."""

    arn: str
    name: str
    kind: str  # "role" | "user"
    policies: list[str] = field(default_factory=list)  # own inline and attached policy ids
    groups: list[str] = field(default_factory=list)  # group ARNs (users)
    boundary: str | None = None  # policy id of the permissions boundary
    trust_policy: dict[str, Any] | None = None  # roles
    # roles: ARNs of the instance profiles holding the role; None when the input does not say
    instance_profiles: tuple[str, ...] | None = None

    @property
    def account(self) -> str:
        parts = self.arn.split(":")
        return parts[4] if len(parts) > 4 else ""


@dataclass
class GroupEntry:
    arn: str
    name: str
    policies: list[str] = field(default_factory=list)


@dataclass
class ResourceEntry:
    """Something a principal can act on. `kind` is a key of `graph.kinds.KINDS`."""

    arn: str
    kind: str
    name: str
    policy: dict[str, Any] | None = None  # resource-based policy, when there is one
    note: str = ""  # e.g. "key policy not collected: the default key policy is assumed"


@dataclass
class Inventory:
    principals: dict[str, PrincipalEntry] = field(default_factory=dict)
    groups: dict[str, GroupEntry] = field(default_factory=dict)
    policies: dict[str, PolicyEntry] = field(default_factory=dict)
    resources: dict[str, ResourceEntry] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def add_policy(self, entry: PolicyEntry) -> str:
        self.policies.setdefault(entry.id, entry)
        return entry.id

    def add_resource(self, entry: ResourceEntry) -> None:
        known = self.resources.get(entry.arn)
        if known is None or (known.policy is None and entry.policy is not None):
            self.resources[entry.arn] = entry

    def identity_policy_ids(self, principal: PrincipalEntry) -> list[str]:
        """The principal's own policies, then its groups' (only those present in the input)."""
        ids = list(principal.policies)
        for group_arn in principal.groups:
            group = self.groups.get(group_arn)
            if group is not None:
                ids += [pid for pid in group.policies if pid not in ids]
        return [pid for pid in ids if pid in self.policies]

    def merge(self, other: Inventory) -> None:
        """Add another source; on conflicts the entry already here wins."""
        for arn, principal in other.principals.items():
            self.principals.setdefault(arn, principal)
        for arn, group in other.groups.items():
            self.groups.setdefault(arn, group)
        for policy in other.policies.values():
            self.add_policy(policy)
        for resource in other.resources.values():
            self.add_resource(resource)
        self.warnings += other.warnings
