"""The proof printed with every generated policy: sufficient for every need, no new access."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pipedoctor.iam import PolicySet, Request, evaluate, load_catalog
from pipedoctor.leastpriv.synthesize import policy_resource
from pipedoctor.leastpriv.usage import Need
from pipedoctor.model import Role

SAMPLE = "pipedoctor-sample"  # stands for the `*` of a resource pattern when a request is replayed


@dataclass
class Proof:
    insufficient: list[Need] = field(default_factory=list)  # needs the new policy does not allow
    # Cross-account needs whose resource policy was not collected: proven on the identity side only.
    identity_side_only: list[Need] = field(default_factory=list)
    explicit_additions: list[tuple[str, str]] = field(
        default_factory=list
    )  # needed, not held before
    new_access: list[tuple[str, str]] = field(default_factory=list)  # neither held nor needed

    @property
    def holds(self) -> bool:
        return not self.insufficient and not self.new_access


def _account(arn: str) -> str:
    parts = arn.split(":")
    return parts[4] if len(parts) > 5 else ""


def _request(role: Role, action: str, resource: str, same_account: bool = False) -> Request:
    concrete = resource.replace("*", SAMPLE) if resource != "*" else "*"
    owner = _account(role.arn) if same_account else None
    return Request(
        action=action, resource=concrete, principal_arn=role.arn, resource_account=owner, context={}
    )


def _policy_set(
    role: Role, identity: list[dict[str, Any]], resource_policy: dict[str, Any] | None = None
) -> PolicySet:
    boundaries = [role.permissions_boundary.document] if role.permissions_boundary else []
    return PolicySet(identity=identity, boundaries=boundaries, resource_policy=resource_policy)


def _granted_pairs(document: dict[str, Any]) -> list[tuple[str, str]]:
    """(action, resource) of every Allow statement, actions expanded through the catalog."""
    catalog = load_catalog()
    pairs = []
    for statement in document.get("Statement", []):
        actions = statement.get("Action", [])
        resources = statement.get("Resource", [])
        for pattern in [actions] if isinstance(actions, str) else actions:
            for action in catalog.expand(pattern) or [pattern]:
                for resource in [resources] if isinstance(resources, str) else resources:
                    pairs.append((action, resource))
    return pairs


def prove(
    role: Role,
    new_policy: dict[str, Any],
    needs: list[Need],
    resource_policies: dict[str, dict[str, Any]] | None = None,
) -> Proof:
    """(a) every need replays Allowed against the new policy (with the role's boundary and, for
    another account's resource, its resource policy when collected);
    (b) everything the new policy allows was allowed by the old policies, or is a listed need."""
    proof = Proof()
    new_set = _policy_set(role, [new_policy])
    for need in needs:
        cross_account = _account(need.resource) not in ("", _account(role.arn))
        known_policy = (resource_policies or {}).get(need.resource)
        if cross_account and known_policy is None:
            proof.identity_side_only.append(need)
            request, policies = (
                _request(role, need.action, need.resource, same_account=True),
                new_set,
            )
        else:
            request = _request(role, need.action, need.resource)
            policies = _policy_set(role, [new_policy], known_policy) if cross_account else new_set
        if not evaluate(request, policies).allowed:
            proof.insufficient.append(need)
    old_set = _policy_set(role, [document for _, document in role.identity_documents()])
    needed = {(need.action.lower(), policy_resource(need)) for need in needs}
    for action, resource in _granted_pairs(new_policy):
        if evaluate(_request(role, action, resource), old_set).allowed:
            continue
        if (action.lower(), resource) in needed:
            proof.explicit_additions.append((action, resource))
        else:
            proof.new_access.append((action, resource))
    return proof
