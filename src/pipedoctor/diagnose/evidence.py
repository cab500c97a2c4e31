"""Evidence checks: questions about the real policies, answered by the IAM engine."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pipedoctor.diagnose.templates import MissingFact, render
from pipedoctor.model import Role, Snapshot


@dataclass
class CheckResult:
    status: str  # "confirmed" | "rejected" | "unknown"
    text: str


def role_policy_set(role: Role) -> Any:
    from pipedoctor.iam import PolicySet

    boundaries = [role.permissions_boundary.document] if role.permissions_boundary else []
    return PolicySet(
        identity=[document for _, document in role.identity_documents()], boundaries=boundaries
    )


def role_decision(role: Role, action: str, resource: str, account: str = "") -> Any:
    from pipedoctor.iam import Request, evaluate

    request = Request(
        action=action,
        resource=resource,
        principal_arn=role.arn,
        principal_account=role.arn.split(":")[4] or None,
        resource_account=(resource.split(":")[4] if resource.count(":") >= 5 else None) or account or None,
        context={},
    )
    return evaluate(request, role_policy_set(role))


def run_check(check: dict[str, Any], facts: dict[str, Any], snapshot: Snapshot | None) -> CheckResult:
    try:
        principal = render(check["principal"], facts, strict=True)
        action = render(check["action"], facts, strict=True)
        resource = render(check["resource"], facts, strict=True)
    except MissingFact as missing:
        return CheckResult("unknown", f"could not check {check['action']}: {missing.args[0]} is unknown")
    role = snapshot.role(principal) if snapshot is not None else None
    if role is None:
        return CheckResult("unknown", f"could not check {action}: role {principal} was not collected")
    decision = role_decision(role, action, resource, facts.get("account", ""))
    verdict = "allowed" if decision.allowed else "denied"
    detail = "" if decision.allowed else f" ({decision.decision})"
    text = f"IAM: {role.name} is {verdict} {action} on {resource}{detail}"
    return CheckResult("confirmed" if verdict == check["expect"] else "rejected", text)
