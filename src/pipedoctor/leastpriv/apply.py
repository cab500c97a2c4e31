"""Applying a generated policy to a role, recording what changed so rollback restores it exactly.

The IAM client is passed in (the command builds it), so this module holds no AWS session logic.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from pipedoctor.textparse import parse_json

POLICY_PATH = "/pipedoctor/"
MAX_POLICY_VERSIONS = 5  # IAM keeps at most five versions of a managed policy


@dataclass
class ApplyRecord:
    role_name: str
    policy_arn: str
    created_policy: bool  # True: rollback deletes the policy; False: it restores the old version
    previous_default_version: str = ""
    new_version: str = ""
    attached_before: list[str] = field(default_factory=list)
    detached: list[str] = field(default_factory=list)
    applied_at: str = ""

    def dumps(self) -> str:
        return json.dumps(asdict(self), indent=2) + "\n"

    @classmethod
    def loads(cls, text: str) -> ApplyRecord:
        return cls(**parse_json(text))


def attached_policy_arns(iam: Any, role_name: str) -> list[str]:
    pages = iam.get_paginator("list_attached_role_policies").paginate(RoleName=role_name)
    return [policy["PolicyArn"] for page in pages for policy in page["AttachedPolicies"]]


def policy_arn(account: str, name: str) -> str:
    return f"arn:aws:iam::{account}:policy{POLICY_PATH}{name}"


def _existing_policy(iam: Any, arn: str) -> dict[str, Any] | None:
    try:
        return iam.get_policy(PolicyArn=arn)["Policy"]
    except iam.exceptions.NoSuchEntityException:
        return None


def _add_version(iam: Any, arn: str, document: str) -> tuple[str, str]:
    """A new default version; the oldest non-default one goes when IAM's five are used."""
    versions = iam.list_policy_versions(PolicyArn=arn)["Versions"]
    previous = next(v["VersionId"] for v in versions if v["IsDefaultVersion"])
    if len(versions) >= MAX_POLICY_VERSIONS:
        oldest = min(
            (v for v in versions if not v["IsDefaultVersion"]), key=lambda v: v["CreateDate"]
        )
        iam.delete_policy_version(PolicyArn=arn, VersionId=oldest["VersionId"])
    created = iam.create_policy_version(PolicyArn=arn, PolicyDocument=document, SetAsDefault=True)
    return previous, created["PolicyVersion"]["VersionId"]


def planned_detachments(attached: list[str], policy_arn: str, keep: list[str]) -> list[str]:
    return [arn for arn in attached if arn != policy_arn and arn not in keep]


def apply_policy(
    iam: Any,
    role_name: str,
    account: str,
    policy_name: str,
    document: dict[str, Any],
    keep: list[str],
    save: Callable[[ApplyRecord], None],
) -> ApplyRecord:
    """Create (or version) the policy, attach it, then detach the managed policies it replaces.

    `save` is called after every change, so an interruption still leaves a record to roll back."""
    text = json.dumps(document)
    arn = policy_arn(account, policy_name)
    attached = attached_policy_arns(iam, role_name)
    record = ApplyRecord(role_name, arn, created_policy=False, attached_before=attached)
    if _existing_policy(iam, arn) is None:
        iam.create_policy(
            PolicyName=policy_name,
            Path=POLICY_PATH,
            PolicyDocument=text,
            Description=f"Least-privilege policy for {role_name}, written by pipedoctor",
        )
        record.created_policy = True
    else:
        record.previous_default_version, record.new_version = _add_version(iam, arn, text)
    record.applied_at = datetime.now(UTC).isoformat(timespec="seconds")
    save(record)
    if arn not in attached:
        iam.attach_role_policy(RoleName=role_name, PolicyArn=arn)
    for replaced in planned_detachments(attached, arn, keep):
        iam.detach_role_policy(RoleName=role_name, PolicyArn=replaced)
        record.detached.append(replaced)
        save(record)
    return record


def rollback(iam: Any, record: ApplyRecord) -> None:
    """Restore the role's attachments (and the policy) exactly as they were before apply."""
    for arn in record.detached:
        iam.attach_role_policy(RoleName=record.role_name, PolicyArn=arn)
    now_attached = attached_policy_arns(iam, record.role_name)
    if record.policy_arn not in record.attached_before and record.policy_arn in now_attached:
        iam.detach_role_policy(RoleName=record.role_name, PolicyArn=record.policy_arn)
    if record.created_policy:
        iam.delete_policy(PolicyArn=record.policy_arn)
    else:
        iam.set_default_policy_version(
            PolicyArn=record.policy_arn, VersionId=record.previous_default_version
        )
        iam.delete_policy_version(PolicyArn=record.policy_arn, VersionId=record.new_version)
