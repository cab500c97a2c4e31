"""A role's current policies when there is no snapshot: from `aws iam
get-account-authorization-details` output (a file), in the model's shape."""

from __future__ import annotations

from typing import Any

from pipedoctor.errors import UserError
from pipedoctor.knowledge.arns import split_arn
from pipedoctor.model import ManagedPolicy, Role
from pipedoctor.textparse import ParseError, parse_json, policy_document


def role_from_arn(arn: str) -> Role:
    """A role known only by its ARN (`arn:aws:iam::ACCOUNT:role/PATH/NAME`): no policies."""
    parts = split_arn(arn)
    if parts is None or parts[2] != "iam" or not parts[5].startswith("role/"):
        raise UserError(f"--role {arn!r}: without --snapshot or --pipeline, give the role's ARN")
    path_and_name = parts[5].removeprefix("role")
    path, _, name = path_and_name.rpartition("/")
    return Role(name=name, arn=arn, path=f"{path}/")


def _document(value: Any) -> dict[str, Any]:
    document = policy_document(value)
    if document is None:
        raise ValueError("a policy document that is not JSON")
    return document


def _pages(data: Any) -> list[dict[str, Any]]:
    pages = data if isinstance(data, list) else [data]
    return [page for page in pages if isinstance(page, dict)]


def _default_documents(pages: list[dict[str, Any]]) -> dict[str, tuple[str, dict[str, Any]]]:
    """Managed policy ARN -> (name, default version's document)."""
    found: dict[str, tuple[str, dict[str, Any]]] = {}
    for page in pages:
        for policy in page.get("Policies", []) or []:
            versions = policy.get("PolicyVersionList", []) or []
            default = next((v for v in versions if v.get("IsDefaultVersion")), None)
            if default is not None and "Arn" in policy:
                found[policy["Arn"]] = (
                    str(policy.get("PolicyName", "")),
                    _document(default.get("Document")),
                )
    return found


def role_from_authorization_details(
    text: str, origin: str, role_arn: str
) -> tuple[Role, list[str]]:
    """The role with its inline, attached and boundary policies, and what the file lacks.

    Raises UserError when the file is unreadable or does not hold the role."""
    try:
        pages = _pages(parse_json(text))
        policies = _default_documents(pages)
        entry = next(
            (
                role
                for page in pages
                for role in page.get("RoleDetailList", []) or []
                if role.get("Arn") == role_arn
            ),
            None,
        )
    except (ParseError, ValueError, AttributeError) as error:
        raise UserError(f"{origin}: not authorization details ({error})") from None
    if entry is None:
        raise UserError(f"{origin}: no role {role_arn} in it")
    role = role_from_arn(role_arn)
    missing: list[str] = []
    try:
        for inline in entry.get("RolePolicyList", []) or []:
            role.inline_policies[str(inline["PolicyName"])] = _document(inline["PolicyDocument"])
    except (KeyError, ValueError, TypeError) as error:
        raise UserError(f"{origin}: unreadable inline policy of {role_arn} ({error})") from None

    def managed(arn: str) -> ManagedPolicy:
        if arn not in policies:
            missing.append(arn)
            return ManagedPolicy(arn, arn.rsplit("/", 1)[-1])
        name, document = policies[arn]
        return ManagedPolicy(arn, name, document)

    for attached in entry.get("AttachedManagedPolicies", []) or []:
        role.attached_policies.append(managed(str(attached.get("PolicyArn", ""))))
    boundary = (entry.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn")
    if boundary:
        role.permissions_boundary = managed(str(boundary))
    return role, missing
