"""IAM roles with every policy that shapes what they may do.

botocore decodes IAM policy documents (URL-encoded JSON) into dicts on its own.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pipedoctor.collect.reader import Reader
from pipedoctor.collect.values import iso, role_name
from pipedoctor.model import ManagedPolicy, Role
from pipedoctor.model.from_api import role_from_api


def role(reader: Reader, client: Any, role_arn: str) -> Role | None:
    """The role with trust, inline, attached and boundary policies; None when unreadable."""
    name = role_name(role_arn)
    response = reader.call(client, "get_role", resource=role_arn, RoleName=name)
    if response is None:
        return None
    found = role_from_api(response["Role"])
    for page in reader.pages(client, "list_role_policies", resource=role_arn, RoleName=name) or []:
        for policy_name in page.get("PolicyNames", []):
            inline = reader.call(
                client,
                "get_role_policy",
                resource=f"{role_arn}/{policy_name}",
                RoleName=name,
                PolicyName=policy_name,
            )
            if inline is not None:
                found.inline_policies[policy_name] = inline["PolicyDocument"]
    attached = reader.pages(client, "list_attached_role_policies", resource=role_arn, RoleName=name)
    for page in attached or []:
        for policy in page.get("AttachedPolicies", []):
            found.attached_policies.append(managed_policy(reader, client, policy["PolicyArn"]))
    boundary = response["Role"].get("PermissionsBoundary", {}).get("PermissionsBoundaryArn")
    if boundary:
        found.permissions_boundary = managed_policy(reader, client, boundary)
    return found


def role_on_its_own(client: Any, role_arn: str) -> tuple[Role | None, str | None]:
    """(the role or what of it was read, None) when fully read, else (..., what went wrong)."""
    reader = Reader()
    found = role(reader, client, role_arn)
    if found is None or reader.errors:
        return found, reader.errors[0].describe() if reader.errors else "no answer"
    return found, None


def managed_policy(reader: Reader, client: Any, policy_arn: str) -> ManagedPolicy:
    """The policy's default version, fetched once per run however many roles attach it.

    When it cannot be read the document stays empty and the error is in the snapshot.
    """
    return reader.once("policy", policy_arn, lambda: _fetch_policy(reader, client, policy_arn))


def _fetch_policy(reader: Reader, client: Any, policy_arn: str) -> ManagedPolicy:
    found = ManagedPolicy(arn=policy_arn, name=policy_arn.rsplit("/", 1)[-1])
    policy = reader.call(client, "get_policy", resource=policy_arn, PolicyArn=policy_arn)
    if policy is None:
        return found
    found.name = policy["Policy"]["PolicyName"]
    found.version_id = policy["Policy"].get("DefaultVersionId", "")
    version = reader.call(
        client,
        "get_policy_version",
        resource=f"{policy_arn}:{found.version_id}",
        PolicyArn=policy_arn,
        VersionId=found.version_id,
    )
    if version is not None:
        found.document = version["PolicyVersion"]["Document"]
    return found


AUTHORIZATION_DETAIL_LISTS = ("UserDetailList", "GroupDetailList", "RoleDetailList", "Policies")


def authorization_details(reader: Reader, client: Any) -> dict[str, Any]:
    """Every page of GetAccountAuthorizationDetails joined into one response ({} when unreadable)."""
    pages = reader.pages(client, "get_account_authorization_details", resource="account")
    if pages is None:
        return {}
    joined = {
        key: [item for page in pages for item in page.get(key, [])]
        for key in AUTHORIZATION_DETAIL_LISTS
    }
    return _plain(joined)


def _plain(value: Any) -> Any:
    """The response as JSON values: botocore gives dates as datetime objects."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, datetime):
        return iso(value)
    return value
