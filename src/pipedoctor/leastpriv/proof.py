"""The proof printed with every generated policy: sufficient for every need, no new access.

Both halves are decided on the pattern languages (`compare`), not on sample requests: a need
written as a pattern is allowed only if every request it stands for is, and "no new access" means
no request at all (any catalog action the new policy names, any resource of that action) that the
new policy allows and the current policies did not, unless it is a listed need.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pipedoctor.iam import PolicySet, Request, evaluate
from pipedoctor.iam.matching import has_wildcard
from pipedoctor.iam.service_rules import resource_policy_required
from pipedoctor.knowledge.arns import arn_account, arn_partition
from pipedoctor.leastpriv.compare import AccessSide, Counterexample, compare, trusting_policy
from pipedoctor.leastpriv.kept_denies import without_kept_denies
from pipedoctor.leastpriv.synthesize import policy_resources
from pipedoctor.leastpriv.usage import Need
from pipedoctor.model import Role


@dataclass
class Proof:
    insufficient: list[Need] = field(default_factory=list)  # needs the new policy does not allow
    # Needs whose resource's own policy (another account's resource, a key policy, a trust policy)
    # was not collected: proven on the identity side only.
    identity_side_only: list[Need] = field(default_factory=list)
    explicit_additions: list[tuple[str, str]] = field(
        default_factory=list
    )  # needed, not held before
    new_access: list[Counterexample] = field(default_factory=list)  # neither held nor needed
    # Needs that only a Deny carried over from the current policies blocks (never held either).
    kept_deny_blocks: list[Need] = field(default_factory=list)
    undecided: list[str] = field(default_factory=list)  # approximations the comparison made
    compared: bool = True  # False: no current policies were known, nothing to compare with

    @property
    def holds(self) -> bool:
        return not self.insufficient and not self.new_access


def _partition(arn: str) -> str:
    return arn_partition(arn) or "aws"


def _grant(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": action, "Resource": resource}
            for action, resource in pairs
        ],
    }


def _boundaries(role: Role) -> list[dict[str, Any]]:
    return [role.permissions_boundary.document] if role.permissions_boundary else []


def _needs_its_own_policy(role: Role, need: Need) -> bool:
    """Another account's resource, a KMS key or a role to assume: its own policy must allow too."""
    cross_account = arn_account(need.resource) not in ("", arn_account(role.arn))
    return cross_account or resource_policy_required(need.action.lower(), need.resource)


def _allows_need(
    role: Role, new_policy: dict[str, Any], need: Need, resource_policy: dict[str, Any] | None
) -> bool:
    """Every request the need stands for is allowed (where the resource's own policy must allow
    too, with that policy when known, else on the identity side)."""
    if has_wildcard(need.resource) and need.resource != "*" and resource_policy is None:
        granted = AccessSide([new_policy], _boundaries(role))
        wanted = AccessSide([_grant([(need.action, need.resource)])])
        return compare(
            granted, wanted, actions=[need.action], partition=_partition(role.arn)
        ).no_new_access
    identity_side = resource_policy is None and _needs_its_own_policy(role, need)
    request = Request(
        action=need.action,
        resource=need.resource,
        principal_arn=role.arn,
        resource_account=arn_account(role.arn) if identity_side else None,
        context={},
    )
    policies = PolicySet(
        identity=[new_policy],
        boundaries=_boundaries(role),
        resource_policy=trusting_policy(arn_account(role.arn)) if identity_side else resource_policy,
    )
    return evaluate(request, policies).allowed


def prove(
    role: Role,
    new_policy: dict[str, Any],
    needs: list[Need],
    resource_policies: dict[str, dict[str, Any]] | None = None,
    current_known: bool = True,
) -> Proof:
    """(a) every need is allowed by the new policy (with the role's boundary and, for another
    account's resource, its resource policy when collected);
    (b) no request is allowed by the new policy that the current policies did not allow, except
    listed needs. With `current_known` False there is nothing to compare with: (b) is skipped."""
    proof = Proof(compared=current_known)
    for need in needs:
        own_policy = _needs_its_own_policy(role, need)
        known_policy = (resource_policies or {}).get(need.resource) if own_policy else None
        if own_policy and known_policy is None:
            proof.identity_side_only.append(need)
        if not _allows_need(role, new_policy, need, known_policy):
            if _allows_need(role, without_kept_denies(new_policy), need, known_policy):
                proof.kept_deny_blocks.append(need)
            else:
                proof.insufficient.append(need)
    if not current_known:
        return proof
    partition = _partition(role.arn)
    old_documents = [document for _, document in role.identity_documents()]
    old = AccessSide(old_documents, _boundaries(role))
    needed = sorted(
        {(need.action, resource) for need in needs for resource in policy_resources(need)}
    )
    # A need written as a pattern (`bucket/*`) may hide what the current policies deny inside
    # it: only concrete needs excuse new access.
    excused = [pair for pair in needed if pair[1] == "*" or not has_wildcard(pair[1])]
    for pair in needed:
        held = compare(old, AccessSide([_grant([pair])]), actions=[pair[0]], partition=partition)
        if not held.no_new_access:
            proof.explicit_additions.append(pair)
    with_needs = AccessSide(
        old_documents, _boundaries(role), extra=[_grant(excused)] if excused else []
    )
    comparison = compare(
        with_needs, AccessSide([new_policy], _boundaries(role)), partition=partition
    )
    proof.new_access = comparison.new_access
    proof.undecided = comparison.undecided
    return proof
