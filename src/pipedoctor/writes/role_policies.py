"""Carry out an apply plan on IAM, journalled so that rollback undoes exactly what was done.

The record is saved before the first change (with the plan) and after every change, so an
interruption still leaves a record to roll back. A change that fails undoes the ones before it.
Each undone change is marked in the record: rolling back twice does nothing the second time.
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from pipedoctor.leastpriv.apply_plan import CREATE, NEW_VERSION, ApplyPlan
from pipedoctor.textparse import parse_json

POLICY_PATH = "/pipedoctor/"
MAX_POLICY_VERSIONS = 5  # IAM keeps at most five versions of a managed policy
PLANNED, APPLIED, ROLLED_BACK = "planned", "applied", "rolled back"
FAILED_UNDONE, FAILED_PARTLY_UNDONE = "failed, undone", "failed, partly undone"


class ChangeFailed(Exception):
    """An IAM call failed; the message is one line naming the call and what was undone."""


@dataclass
class ApplyRecord:
    role_name: str
    policy_arn: str
    plan: list[dict[str, str]] = field(default_factory=list)
    done: list[dict[str, Any]] = field(default_factory=list)  # changes made, in order
    status: str = PLANNED
    applied_at: str = ""
    rolled_back_at: str = ""

    def dumps(self) -> str:
        return json.dumps(asdict(self), indent=2) + "\n"

    @classmethod
    def loads(cls, text: str) -> ApplyRecord:
        return cls(**parse_json(text))

    @property
    def pending_undo(self) -> list[dict[str, Any]]:
        return [change for change in self.done if not change.get("undone")]


def policy_arn(account: str, name: str, partition: str = "aws") -> str:
    return f"arn:{partition}:iam::{account}:policy{POLICY_PATH}{name}"


def _error_text(error: ClientError | BotoCoreError) -> str:
    if isinstance(error, ClientError):
        detail = error.response.get("Error", {})
        text = f"{detail.get('Code', 'Error')}: {detail.get('Message', '')}"
    else:
        text = str(error)
    return " ".join(text.split())[:300]  # one line, bounded


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def _document(raw: Any) -> dict[str, Any]:
    if isinstance(raw, str):
        return parse_json(urllib.parse.unquote(raw))
    return raw


def _default_document(iam: Any, arn: str) -> dict[str, Any] | None:
    """The default version's document; None when the policy does not exist."""
    try:
        version = iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"]
        raw = iam.get_policy_version(PolicyArn=arn, VersionId=version)["PolicyVersion"]
    except ClientError as error:
        if _code(error) in ("NoSuchEntity", "NoSuchEntityException"):
            return None
        raise
    return _document(raw["Document"])


def read_role_state(
    iam: Any, role_name: str, target_arn: str
) -> tuple[dict[str, dict[str, Any] | None], dict[str, Any] | None]:
    """The role's managed policies now (ARN -> document, None when it cannot be read) and the
    current default document of the target policy (None when it does not exist)."""
    try:
        pages = iam.get_paginator("list_attached_role_policies").paginate(RoleName=role_name)
        arns = [policy["PolicyArn"] for page in pages for policy in page["AttachedPolicies"]]
        attached: dict[str, dict[str, Any] | None] = {}
        for arn in arns:
            try:
                attached[arn] = _default_document(iam, arn)
            except ClientError as error:
                if _code(error) not in ("AccessDenied", "AccessDeniedException"):
                    raise
                attached[arn] = None
        return attached, _default_document(iam, target_arn)
    except (ClientError, BotoCoreError) as error:
        raise ChangeFailed(f"cannot read the role {role_name}: {_error_text(error)}") from None


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _write(
    iam: Any, plan: ApplyPlan, text: str, record: ApplyRecord, save: Callable[[ApplyRecord], None]
) -> None:
    name = plan.policy_arn.rsplit("/", 1)[-1]
    if plan.write == CREATE:
        iam.create_policy(
            PolicyName=name,
            Path=POLICY_PATH,
            PolicyDocument=text,
            Description=f"Least-privilege policy for {plan.role_name}, written by pipedoctor",
        )
        record.done.append({"op": "create_policy"})
        save(record)
    elif plan.write == NEW_VERSION:
        versions = iam.list_policy_versions(PolicyArn=plan.policy_arn)["Versions"]
        previous = next(v["VersionId"] for v in versions if v["IsDefaultVersion"])
        if len(versions) >= MAX_POLICY_VERSIONS:
            oldest = min(
                (v for v in versions if not v["IsDefaultVersion"]), key=lambda v: v["CreateDate"]
            )
            iam.delete_policy_version(PolicyArn=plan.policy_arn, VersionId=oldest["VersionId"])
            # Not undoable (IAM cannot recreate a version id); recorded so the record says so.
            record.done.append(
                {"op": "delete_old_version", "version": oldest["VersionId"], "undone": True}
            )
        created = iam.create_policy_version(
            PolicyArn=plan.policy_arn, PolicyDocument=text, SetAsDefault=True
        )
        record.done.append(
            {
                "op": "create_version",
                "version": created["PolicyVersion"]["VersionId"],
                "previous": previous,
            }
        )
        save(record)


def apply_plan(
    iam: Any,
    plan: ApplyPlan,
    document: dict[str, Any],
    save: Callable[[ApplyRecord], None],
) -> ApplyRecord:
    """Write, attach, detach as planned. On a failure, undo what was done and raise ChangeFailed."""
    record = ApplyRecord(
        plan.role_name, plan.policy_arn, plan=[asdict(step) for step in plan.steps]
    )
    save(record)
    step = "write the policy"
    try:
        _write(iam, plan, json.dumps(document), record, save)
        if plan.attach:
            step = f"attach {plan.policy_arn}"
            iam.attach_role_policy(RoleName=plan.role_name, PolicyArn=plan.policy_arn)
            record.done.append({"op": "attach"})
            save(record)
        for arn in plan.detach:
            step = f"detach {arn}"
            iam.detach_role_policy(RoleName=plan.role_name, PolicyArn=arn)
            record.done.append({"op": "detach", "arn": arn})
            save(record)
    except (ClientError, BotoCoreError) as error:
        count = len(record.pending_undo)
        try:
            _undo(iam, record, save)
            record.status = FAILED_UNDONE
            outcome = f"undid the {count} change(s) made before it"
        except ChangeFailed as undo_error:
            record.status = FAILED_PARTLY_UNDONE
            outcome = f"and undoing failed too ({undo_error}); the record lists what remains"
        save(record)
        raise ChangeFailed(f"apply failed to {step}: {_error_text(error)}; {outcome}") from None
    record.status, record.applied_at = APPLIED, _now()
    save(record)
    return record


def _undo_one(iam: Any, record: ApplyRecord, change: dict[str, Any]) -> None:
    op = change["op"]
    try:
        if op == "detach":
            iam.attach_role_policy(RoleName=record.role_name, PolicyArn=change["arn"])
        elif op == "attach":
            iam.detach_role_policy(RoleName=record.role_name, PolicyArn=record.policy_arn)
        elif op == "create_version":
            iam.set_default_policy_version(
                PolicyArn=record.policy_arn, VersionId=change["previous"]
            )
            iam.delete_policy_version(PolicyArn=record.policy_arn, VersionId=change["version"])
        elif op == "create_policy":
            iam.delete_policy(PolicyArn=record.policy_arn)
    except ClientError as error:
        if _code(error) not in ("NoSuchEntity", "NoSuchEntityException"):
            raise
        # Already gone (undone by hand): nothing left to undo for this change.


def _undo(iam: Any, record: ApplyRecord, save: Callable[[ApplyRecord], None]) -> None:
    for change in reversed(record.pending_undo):
        try:
            _undo_one(iam, record, change)
        except (ClientError, BotoCoreError) as error:
            raise ChangeFailed(f"cannot undo {change['op']}: {_error_text(error)}") from None
        change["undone"] = True
        save(record)


def rollback(iam: Any, record: ApplyRecord, save: Callable[[ApplyRecord], None]) -> bool:
    """Undo what the record says was done. False when there was nothing left to undo."""
    if not record.pending_undo:
        return False
    _undo(iam, record, save)
    record.status, record.rolled_back_at = ROLLED_BACK, _now()
    save(record)
    return True
