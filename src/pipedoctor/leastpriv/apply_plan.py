"""What `policy apply` will do to a role, and why, decided before anything is changed.

Only Allow-only managed policies are ever detached: detaching one removes grants and can never
lift a restriction. A managed policy holding a Deny statement is kept (a Deny also stops access
that resource policies grant, which no comparison of identity policies can see), and so is any
policy whose document could not be read, the permissions boundary and every inline policy.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from pipedoctor.iam import compile_policy

WRITE, ATTACH, DETACH, KEEP = "write", "attach", "detach", "keep"
CREATE, NEW_VERSION, UNCHANGED = "create", "new version", "unchanged"


@dataclass(frozen=True)
class PlanStep:
    action: str  # WRITE, ATTACH, DETACH or KEEP
    target: str  # a policy ARN, or "inline:NAME"
    why: str

    def line(self) -> str:
        return f"plan: {self.action} {self.target}: {self.why}"


@dataclass
class ApplyPlan:
    role_name: str
    policy_arn: str
    write: str  # CREATE, NEW_VERSION or UNCHANGED
    attach: bool
    detach: list[str] = field(default_factory=list)
    steps: list[PlanStep] = field(default_factory=list)

    @property
    def changes_nothing(self) -> bool:
        return self.write == UNCHANGED and not self.attach and not self.detach

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _has_deny(document: dict[str, Any]) -> bool:
    return any(not statement.allow for statement in compile_policy(document).statements)


def same_document(left: dict[str, Any] | None, right: dict[str, Any]) -> bool:
    return left is not None and json.dumps(left, sort_keys=True) == json.dumps(
        right, sort_keys=True
    )


def plan_apply(
    role_name: str,
    policy_arn: str,
    document: dict[str, Any],
    attached: dict[str, dict[str, Any] | None],
    current_document: dict[str, Any] | None,
    keep: list[str],
    boundary_arn: str | None = None,
    inline_names: list[str] | None = None,
) -> ApplyPlan:
    """`attached`: the role's managed policies now, ARN -> default document (None: unreadable);
    `current_document`: the default version of `policy_arn` when it exists."""
    if current_document is None:
        write, why = CREATE, "create the least-privilege policy"
    elif same_document(current_document, document):
        write, why = UNCHANGED, "its default version is already this policy"
    else:
        write, why = NEW_VERSION, "add this policy as its new default version"
    plan = ApplyPlan(role_name, policy_arn, write, attach=policy_arn not in attached)
    plan.steps.append(PlanStep(WRITE if write != UNCHANGED else KEEP, policy_arn, why))
    if plan.attach:
        plan.steps.append(PlanStep(ATTACH, policy_arn, f"attach it to {role_name}"))
    else:
        plan.steps.append(PlanStep(KEEP, policy_arn, f"already attached to {role_name}"))
    for arn, current in attached.items():
        if arn == policy_arn:
            continue
        if arn in keep:
            plan.steps.append(PlanStep(KEEP, arn, "asked to keep (--keep)"))
        elif current is None:
            plan.steps.append(
                PlanStep(KEEP, arn, "its document could not be read: not proven redundant")
            )
        elif _has_deny(current):
            plan.steps.append(
                PlanStep(KEEP, arn, "holds Deny statements: detaching it could lift a Deny")
            )
        else:
            plan.detach.append(arn)
            plan.steps.append(
                PlanStep(DETACH, arn, "Allow statements only: replaced by the proven policy")
            )
    if boundary_arn:
        plan.steps.append(PlanStep(KEEP, boundary_arn, "permissions boundary: never changed"))
    for name in inline_names or []:
        plan.steps.append(
            PlanStep(
                KEEP, f"inline:{name}", "inline policy: apply changes managed attachments only"
            )
        )
    return plan
