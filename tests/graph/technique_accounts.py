"""One minimal account per technique of techniques.yaml: the attacker holds exactly what the
technique needs and a target worth having exists; variants block it one way at a time."""

from __future__ import annotations

from typing import Any

from pipedoctor.graph.techniques import Technique
from tests.graph.accounts import ACCOUNT, ADMIN, allow, managed, role, role_arn, trust

ATTACKER = "attacker"
VICTIM = "victim"
OTHER_ACCOUNT_ID = "999999999999"
# A condition the requests never meet: the principal is of this account, not another.
NEVER = {"StringEquals": {"aws:PrincipalAccount": OTHER_ACCOUNT_ID}}
BLOCKS = ("deny", "condition", "no-target")


def user_arn(name: str) -> str:
    return f"arn:aws:iam::{ACCOUNT}:user/{name}"


def group_arn(name: str) -> str:
    return f"arn:aws:iam::{ACCOUNT}:group/{name}"


def policy_arn(name: str) -> str:
    return f"arn:aws:iam::{ACCOUNT}:policy/{name}"


def _document(statements: list[dict[str, Any]]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": statements}


def user(
    name: str,
    statements: list[dict[str, Any]],
    groups: tuple[str, ...] = (),
    attached: tuple[str, ...] = (),
) -> dict[str, Any]:
    return {
        "Path": "/",
        "UserName": name,
        "Arn": user_arn(name),
        "UserPolicyList": [
            {"PolicyName": f"{name}-inline", "PolicyDocument": _document(statements)}
        ]
        if statements
        else [],
        "GroupList": list(groups),
        "AttachedManagedPolicies": [
            {"PolicyName": a, "PolicyArn": policy_arn(a)} for a in attached
        ],
    }


def group(name: str, attached: tuple[str, ...] = ()) -> dict[str, Any]:
    return {
        "Path": "/",
        "GroupName": name,
        "Arn": group_arn(name),
        "GroupPolicyList": [],
        "AttachedManagedPolicies": [
            {"PolicyName": a, "PolicyArn": policy_arn(a)} for a in attached
        ],
    }


def attacker_arn(technique: Technique) -> str:
    return user_arn(ATTACKER) if technique.principal == "user" else role_arn(ATTACKER)


def gained(technique: Technique) -> str:
    """The node the technique gains (or rewrites) in `technique_account`."""
    return {
        "own-policies": policy_arn("attacker-managed"),
        "self": attacker_arn(technique),
        "own-groups": group_arn("team"),
        "groups": group_arn("admins"),
        "users": user_arn(VICTIM),
    }.get(technique.target, role_arn(VICTIM))


def technique_account(technique: Technique, block: str = "") -> dict[str, Any]:
    """The account where `technique` works, or is blocked by `block` (one of BLOCKS)."""
    target = gained(technique)
    statements: list[dict[str, Any]] = []
    for number, step in enumerate(technique.steps):
        last = number == len(technique.steps) - 1
        resource = target if step.on == "target" else "*"
        if block == "no-target" and technique.target == "self":
            resource = role_arn("someone-else")  # the grant names another principal
        condition = NEVER if block == "condition" and last else None
        statements.append(allow(step.actions[0], resource, condition))
        if block == "deny" and last:
            statements.append(allow(list(step.actions), "*", effect="Deny"))
    roles: list[dict[str, Any]] = []
    users: list[dict[str, Any]] = []
    groups: list[dict[str, Any]] = []
    policies = [managed("admin-policy", ADMIN)]
    service = technique.pass_to or technique.trusted_by
    if technique.target == "passed-roles":
        statements.append(allow("iam:PassRole", role_arn(VICTIM)))
    if technique.target == "assumable-roles":
        statements.append(allow("sts:AssumeRole", role_arn(VICTIM)))
        if block == "deny":
            statements.append(allow("sts:AssumeRole", "*", effect="Deny"))
    # No target: the service roles trust another service; the other roles do not exist.
    by_service = technique.target in ("passed-roles", "service-roles")
    if by_service or (technique.target in ("assumable-roles", "roles") and block != "no-target"):
        trusted = service if block != "no-target" else "states.amazonaws.com"
        trust_policy = (
            # A trust policy naming the principal grants on its own: the condition goes there.
            trust(aws=(attacker_arn(technique),), condition=NEVER if block == "condition" else None)
            if technique.target == "assumable-roles"
            else trust(services=(trusted or "ec2.amazonaws.com",))
        )
        victim = role(VICTIM, trust_policy, ADMIN)
        victim["InstanceProfileList"] = [
            {"Arn": f"arn:aws:iam::{ACCOUNT}:instance-profile/{VICTIM}"}
        ]
        roles.append(victim)
    if technique.target == "users" and block != "no-target":
        users.append(user(VICTIM, [ADMIN]))
    attacker_groups: tuple[str, ...] = ()
    attached: tuple[str, ...] = ()
    if technique.target == "own-groups":
        groups.append(group("team"))
        attacker_groups = ("team",) if block != "no-target" else ()
    if technique.target == "groups":
        groups.append(group("admins", ("admin-policy",) if block != "no-target" else ()))
    if technique.target == "own-policies":
        # The grants live in a customer managed policy attached to the attacker (no-target: inline).
        holder = managed("attacker-managed", *statements)
        if technique.requires == "other-policy-version":
            older = dict(holder["PolicyVersionList"][0], VersionId="v0", IsDefaultVersion=False)
            holder["PolicyVersionList"].append(older)
        if block != "no-target":
            policies.append(holder)
            attached, statements = ("attacker-managed",), []
    if technique.principal == "user":
        users.append(user(ATTACKER, statements, attacker_groups, attached))
    else:
        attacker = role(ATTACKER, trust(services=("ec2.amazonaws.com",)), *statements)
        attacker["AttachedManagedPolicies"] = [
            {"PolicyName": a, "PolicyArn": policy_arn(a)} for a in attached
        ]
        roles.append(attacker)
    return {
        "UserDetailList": users,
        "GroupDetailList": groups,
        "RoleDetailList": roles,
        "Policies": policies,
    }
