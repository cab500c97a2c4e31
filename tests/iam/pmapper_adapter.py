"""Turns a PMapper authorization case into a request and policy set.

PMapper fills in the principal's own context keys (aws:username, aws:userid, aws:PrincipalTag/*)
when the test does not supply them; the adapter does the same so both sides see the same request.
"""

from __future__ import annotations

from typing import Any

from pipedoctor.iam import PolicySet, Request


def pmapper_case(case_input: dict[str, Any]) -> tuple[Request, PolicySet]:
    principal = case_input["principal"]
    arn: str = principal["arn"]
    context: dict[str, Any] = dict(case_input.get("condition_keys") or {})
    lowered = {key.lower() for key in context}

    def default(key: str, value: Any) -> None:
        if key.lower() not in lowered and value not in (None, ""):
            context[key] = value
            lowered.add(key.lower())

    resource_part = arn.split(":", 5)[5]
    if resource_part.startswith("user/"):
        default("aws:username", resource_part.rsplit("/", 1)[-1])
    default("aws:userid", principal.get("id"))
    default("aws:PrincipalArn", arn)
    for tag, value in (principal.get("tags") or {}).items():
        default(f"aws:PrincipalTag/{tag}", value)

    identity = [item["document"] for item in principal.get("attached_policies", [])]
    for group in principal.get("group_memberships") or []:
        identity.extend(item["document"] for item in group.get("attached_policies", []))
    boundary = principal.get("permissions_boundary")
    scps = [list(level) for level in case_input.get("scp_groups") or []]
    request = Request(
        action=case_input["action"],
        resource=case_input["resource"],
        principal_arn=arn,
        resource_account=case_input.get("resource_owner"),
        context=context,
    )
    policy_set = PolicySet(
        identity=identity,
        boundaries=[boundary["document"]] if boundary else [],
        scps=scps,
        resource_policy=case_input.get("resource_policy"),
        session_policy=case_input.get("session_policy"),
    )
    return request, policy_set
