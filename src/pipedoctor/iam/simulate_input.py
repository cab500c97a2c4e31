"""The JSON shape `pipedoctor simulate` reads: one request per line, in the shape of the
iam-simulate test cases (`request{action, resource{resource, accountId}, principal, context}`,
`identityPolicies`, `permissionBoundaries`, `serviceControlPolicies[{orgIdentifier, policies}]`,
`resourceControlPolicies`, `resourcePolicy`, `sessionPolicy`, `endpointPolicies`), optionally with
an `id`; a whole test-case line (with the request under `input`) is accepted too."""

from __future__ import annotations

from typing import Any

from pipedoctor.iam.evaluate import PolicySet, Request


class InputError(ValueError):
    """A request line that does not have the expected shape."""


def _policy_list(value: Any, field: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise InputError(f"{field} must be a list of policy documents")
    for item in value:
        if not isinstance(item, dict):
            raise InputError(f"{field} entries must be policy documents (objects)")
    return list(value)


def _levels(value: Any, field: str) -> list[list[Any]]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise InputError(f"{field} must be a list of {{orgIdentifier, policies}} levels")
    levels: list[list[Any]] = []
    for level in value:
        if isinstance(level, dict) and "policies" in level:
            levels.append(_policy_list(level["policies"], f"{field}[].policies"))
        elif isinstance(level, list):
            levels.append(_policy_list(level, field))
        else:
            raise InputError(f"{field} entries must be {{orgIdentifier, policies}} objects")
    return levels


def parse_simulate_line(data: Any) -> tuple[Any, Request, PolicySet]:
    """(id, request, policy set) from one decoded input line."""
    if not isinstance(data, dict):
        raise InputError("each line must be a JSON object")
    case_id = data.get("id")
    body = data["input"] if isinstance(data.get("input"), dict) else data
    raw_request = body.get("request")
    if not isinstance(raw_request, dict):
        raise InputError("missing request object")
    action = raw_request.get("action")
    if not isinstance(action, str) or not action:
        raise InputError("request.action must be a non-empty string")
    raw_resource = raw_request.get("resource", "*")
    resource_account: str | None = None
    if isinstance(raw_resource, dict):
        resource = raw_resource.get("resource", "*")
        resource_account = raw_resource.get("accountId")
    else:
        resource = raw_resource
    if not isinstance(resource, str):
        raise InputError("request.resource must be a string or {resource, accountId}")
    raw_principal = raw_request.get("principal")
    principal: str | None
    if isinstance(raw_principal, dict):
        kind = str(raw_principal.get("type", "")).lower()
        principal = (
            None if kind == "anonymous" else raw_principal.get("arn") or raw_principal.get("id")
        )
    elif raw_principal is None or isinstance(raw_principal, str):
        principal = raw_principal
    else:
        raise InputError("request.principal must be an ARN string or {type: Anonymous}")
    context = raw_request.get("context") or {}
    if not isinstance(context, dict):
        raise InputError("request.context must be an object")
    wildcard_only = raw_request.get("wildcardOnlyAction")
    resource_policy = body.get("resourcePolicy")
    extra = body.get("resourcePolicies")
    if resource_policy is None and extra:
        statements: list[Any] = []
        for document in _policy_list(extra, "resourcePolicies"):
            raw_statements = document.get("Statement", [])
            statements.extend(
                raw_statements if isinstance(raw_statements, list) else [raw_statements]
            )
        resource_policy = {"Version": "2012-10-17", "Statement": statements}
    if resource_policy is not None and not isinstance(resource_policy, dict):
        raise InputError("resourcePolicy must be a policy document")
    session_policy = body.get("sessionPolicy")
    if session_policy is not None and not isinstance(session_policy, dict):
        raise InputError("sessionPolicy must be a policy document")
    request = Request(
        action=action,
        resource=resource,
        principal_arn=principal,
        resource_account=str(resource_account) if resource_account else None,
        context=context,
        wildcard_only=bool(wildcard_only) if wildcard_only is not None else None,
    )
    policy_set = PolicySet(
        identity=_policy_list(body.get("identityPolicies"), "identityPolicies"),
        boundaries=_policy_list(body.get("permissionBoundaries"), "permissionBoundaries"),
        scps=_levels(body.get("serviceControlPolicies"), "serviceControlPolicies"),
        rcps=_levels(body.get("resourceControlPolicies"), "resourceControlPolicies"),
        resource_policy=resource_policy,
        session_policy=session_policy,
        endpoint_policies=_policy_list(body.get("endpointPolicies"), "endpointPolicies"),
    )
    return case_id, request, policy_set
