"""`aws iam get-account-authorization-details` output as graph input.

Tolerant by design: CLI versions differ (documents as objects or URL-encoded JSON strings, pages
saved as a list, fields added over time), and dumps are often partial (a role attached to a policy
the dump left out). Whatever cannot be used becomes a warning; only an unreadable file is an error.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pipedoctor.errors import UserError
from pipedoctor.graph.gc_pause import cyclic_gc_paused
from pipedoctor.graph.inventory import (
    AWS_MANAGED,
    INLINE,
    MANAGED,
    GroupEntry,
    Inventory,
    PolicyEntry,
    PrincipalEntry,
    ResourceEntry,
)
from pipedoctor.textparse import ParseError, parse_json, policy_document

LISTS = ("UserDetailList", "GroupDetailList", "RoleDetailList", "Policies")
MAX_LISTED = 5  # examples quoted per kind of warning


class _Warnings:
    """Warnings grouped by kind, so 10,000 dangling attachments make one line, not 10,000."""

    def __init__(self) -> None:
        self.kinds: dict[str, list[str]] = {}

    def add(self, kind: str, example: str) -> None:
        self.kinds.setdefault(kind, []).append(example)

    def lines(self, origin: str) -> list[str]:
        lines = []
        for kind, examples in self.kinds.items():
            shown = "; ".join(examples[:MAX_LISTED])
            more = f" (and {len(examples) - MAX_LISTED} more)" if len(examples) > MAX_LISTED else ""
            lines.append(f"{origin}: {kind} ({len(examples)}): {shown}{more}")
        return lines


def _document(value: Any, where: str, warnings: _Warnings) -> dict[str, Any] | None:
    """A policy document, or None (with a warning) when it cannot be read."""
    document = policy_document(value)
    if document is None:
        warnings.add("unreadable policy documents, ignored", where)
    return document


def _check_grammar(entry: PolicyEntry, where: str, warnings: _Warnings) -> None:
    for issue in entry.normalized().issues:
        if issue.severity == "error":
            warnings.add(
                "policy grammar errors (the statements affected are ignored)",
                f"{where}{issue.pointer}: {issue.message}",
            )


def _entries(data: dict[str, Any], key: str, warnings: _Warnings) -> list[dict[str, Any]]:
    value = data.get(key, [])
    if not isinstance(value, list):
        warnings.add("lists of the wrong type, ignored", key)
        return []
    entries = []
    for position, item in enumerate(value):
        if isinstance(item, dict) and isinstance(item.get("Arn"), str):
            entries.append(item)
        else:
            warnings.add("entries without an Arn, ignored", f"{key}[{position}]")
    return entries


def _default_version(policy: dict[str, Any]) -> Any:
    versions = policy.get("PolicyVersionList")
    if not isinstance(versions, list):
        return None
    default_id = policy.get("DefaultVersionId")
    for version in versions:
        if isinstance(version, dict) and (
            version.get("IsDefaultVersion") is True or version.get("VersionId") == default_id
        ):
            return version.get("Document")
    return None


def _managed_policies(data: dict[str, Any], inventory: Inventory, warnings: _Warnings) -> None:
    for policy in _entries(data, "Policies", warnings):
        arn = policy["Arn"]
        document = _document(_default_version(policy), arn, warnings)
        if document is None:
            continue
        kind = AWS_MANAGED if ":iam::aws:policy/" in arn else MANAGED
        name = str(policy.get("PolicyName") or arn.rsplit("/", 1)[-1])
        versions = policy.get("PolicyVersionList")
        count = len(versions) if isinstance(versions, list) else 1
        entry = PolicyEntry(arn, name, document, kind, versions=max(count, 1))
        _check_grammar(entry, arn, warnings)
        inventory.add_policy(entry)


def _inline(owner: str, items: Any, inventory: Inventory, warnings: _Warnings) -> list[str]:
    ids = []
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict):
            continue
        name = str(item.get("PolicyName", ""))
        where = f"{owner}#inline/{name}"
        document = _document(item.get("PolicyDocument"), where, warnings)
        if document is None:
            continue
        entry = PolicyEntry(where, name, document, INLINE)
        _check_grammar(entry, where, warnings)
        ids.append(inventory.add_policy(entry))
    return ids


def _attached(owner: str, items: Any, inventory: Inventory, warnings: _Warnings) -> list[str]:
    ids = []
    for item in items if isinstance(items, list) else []:
        arn = item.get("PolicyArn") if isinstance(item, dict) else None
        if not isinstance(arn, str):
            continue
        if arn not in inventory.policies:
            warnings.add(
                "attachments of policies that are not in the file (their grants are unknown)",
                f"{owner} -> {arn}",
            )
            continue
        ids.append(arn)
    return ids


def _boundary(
    owner: str, entry: dict[str, Any], inventory: Inventory, warnings: _Warnings
) -> str | None:
    boundary = entry.get("PermissionsBoundary")
    arn = boundary.get("PermissionsBoundaryArn") if isinstance(boundary, dict) else None
    if not isinstance(arn, str):
        return None
    if arn not in inventory.policies:
        # A boundary that cannot be read still limits: evaluating without it would overstate.
        warnings.add(
            "permission boundaries not in the file (the principal is treated as allowed nothing)",
            f"{owner} -> {arn}",
        )
        missing = PolicyEntry(
            arn, arn.rsplit("/", 1)[-1], {"Version": "2012-10-17", "Statement": []}, MANAGED
        )
        inventory.add_policy(missing)
    return arn


def _instance_profiles(role: dict[str, Any]) -> tuple[str, ...] | None:
    profiles = role.get("InstanceProfileList")
    if not isinstance(profiles, list):
        return None
    return tuple(
        str(profile["Arn"])
        for profile in profiles
        if isinstance(profile, dict) and isinstance(profile.get("Arn"), str)
    )


def _name(entry: dict[str, Any], key: str) -> str:
    return str(entry.get(key) or entry["Arn"].rsplit("/", 1)[-1])


def inventory_from_authorization_details(
    data: Any, origin: str = "authorization details"
) -> Inventory:
    """Principals and policies of one account from the parsed response (one object or pages)."""
    pages = data if isinstance(data, list) else [data]
    if not pages or not all(isinstance(page, dict) for page in pages):
        raise UserError(f"{origin}: not a get-account-authorization-details response")
    if not any(key in page for page in pages for key in LISTS):
        raise UserError(
            f"{origin}: not a get-account-authorization-details response "
            f"(none of {', '.join(LISTS)} is present)"
        )
    merged: dict[str, list[Any]] = {key: [] for key in LISTS}
    warnings = _Warnings()
    for page in pages:
        for key in LISTS:
            value = page.get(key, [])
            if isinstance(value, list):
                merged[key] += value
            else:
                warnings.add("lists of the wrong type, ignored", key)
        if page.get("IsTruncated") is True:
            warnings.add(
                "truncated responses (later pages missing)", str(page.get("Marker", ""))[:20]
            )

    inventory = Inventory()
    _managed_policies(merged, inventory, warnings)
    group_arns: dict[str, str] = {}
    for group in _entries(merged, "GroupDetailList", warnings):
        arn = group["Arn"]
        name = _name(group, "GroupName")
        group_arns[name] = arn
        ids = _inline(arn, group.get("GroupPolicyList"), inventory, warnings)
        ids += _attached(arn, group.get("AttachedManagedPolicies"), inventory, warnings)
        inventory.groups[arn] = GroupEntry(arn, name, ids)
    for user in _entries(merged, "UserDetailList", warnings):
        arn = user["Arn"]
        ids = _inline(arn, user.get("UserPolicyList"), inventory, warnings)
        ids += _attached(arn, user.get("AttachedManagedPolicies"), inventory, warnings)
        groups = []
        for name in user.get("GroupList") or []:
            if name in group_arns:
                groups.append(group_arns[name])
            else:
                warnings.add("group memberships of groups not in the file", f"{arn} -> {name}")
        inventory.principals[arn] = PrincipalEntry(
            arn,
            _name(user, "UserName"),
            "user",
            ids,
            groups,
            _boundary(arn, user, inventory, warnings),
        )
    for role in _entries(merged, "RoleDetailList", warnings):
        arn = role["Arn"]
        ids = _inline(arn, role.get("RolePolicyList"), inventory, warnings)
        ids += _attached(arn, role.get("AttachedManagedPolicies"), inventory, warnings)
        trust = None
        if "AssumeRolePolicyDocument" in role:
            trust = _document(role["AssumeRolePolicyDocument"], f"{arn} trust policy", warnings)
        name = _name(role, "RoleName")
        inventory.principals[arn] = PrincipalEntry(
            arn,
            name,
            "role",
            ids,
            [],
            _boundary(arn, role, inventory, warnings),
            trust,
            _instance_profiles(role),
        )
        inventory.add_resource(ResourceEntry(arn, "iam-role", name))
    inventory.warnings = warnings.lines(origin)
    return inventory


@cyclic_gc_paused()
def load_authorization_details(path: str | Path) -> Inventory:
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise UserError(f"cannot read {path}: {error.strerror}") from None
    try:
        data = parse_json(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise UserError(f"{path}: not UTF-8 JSON text") from None
    except ParseError as error:
        raise UserError(f"{path}: not valid JSON ({error})") from None
    except MemoryError:
        raise UserError(f"{path}: too large to read into memory ({len(raw)} bytes)") from None
    del raw
    return inventory_from_authorization_details(data, origin=str(path))
