"""Evidence checks: questions about the real policies, answered by the IAM engine."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from pipedoctor.diagnose.templates import MissingFact, render, unknown_words
from pipedoctor.knowledge.arns import arn_account
from pipedoctor.model import Role, Snapshot

_UNKNOWN_PREFIX = re.compile(r"\{([a-z][\w.-]*)\}:")  # "{connection.prefix}:UseConnection" -> "UseConnection"


@dataclass
class CheckResult:
    status: str  # "confirmed" | "rejected" | "unknown"
    text: str




def role_policy_set(role: Role, resource_policy: dict[str, Any] | None = None) -> Any:
    from pipedoctor.iam import PolicySet

    boundaries = [role.permissions_boundary.document] if role.permissions_boundary else []
    return PolicySet(
        identity=[document for _, document in role.identity_documents()],
        boundaries=boundaries,
        resource_policy=resource_policy,
    )


def role_decision(
    role: Role,
    action: str,
    resource: str,
    account: str = "",
    resource_policy: dict[str, Any] | None = None,
    identity_side_only: bool = False,
) -> Any:
    """The IAM decision for `role` doing `action` on `resource`.

    `identity_side_only` judges another account's resource as if it were the role's own: what the
    role's policies allow, when the owner's resource policy is unknown."""
    from pipedoctor.iam import Request, evaluate

    principal_account = arn_account(role.arn) or None
    owner = principal_account if identity_side_only else (arn_account(resource) or account or None)
    request = Request(
        action=action,
        resource=resource,
        principal_arn=role.arn,
        principal_account=principal_account,
        resource_account=owner,
        context={},
    )
    return evaluate(request, role_policy_set(role, resource_policy))


def _resource_policy(snapshot: Snapshot, resource: str) -> dict[str, Any] | None:
    return next((r.policy for r in snapshot.ecr_repositories if r.arn == resource), None)


def run_check(
    check: dict[str, Any], facts: dict[str, Any], snapshot: Snapshot | None
) -> CheckResult:
    try:
        principal = render(check["principal"], facts, strict=True)
        action = render(check["action"], facts, strict=True)
        resource = render(check["resource"], facts, strict=True)
    except MissingFact as missing:
        action = _UNKNOWN_PREFIX.sub(lambda m: "" if m.group(1) not in facts else m.group(0), check["action"])
        action = render(action, facts) or "the permission"
        return CheckResult("unknown", f"could not check {action}: {unknown_words(missing.args[0])} is not known")
    role = snapshot.role(principal) if snapshot is not None else None
    if role is None:
        return CheckResult(
            "unknown", f"could not check {action}: role {principal} was not collected"
        )
    resource_policy = _resource_policy(snapshot, resource)
    identity_only = arn_account(resource) not in ("", arn_account(role.arn)) and resource_policy is None
    decision = role_decision(
        role, action, resource, facts.get("account", ""), resource_policy, identity_only
    )
    verdict = "allowed" if decision.allowed else "denied"
    detail = "" if decision.allowed else f" ({decision.decision})"
    text = f"IAM: {role.name} is {verdict} {action} on {resource}{detail}"
    if identity_only:
        text += " by its own policies (the other account's resource policy was not collected)"
    return CheckResult("confirmed" if verdict == check["expect"] else "rejected", text)
