"""Hand-built accounts (get-account-authorization-details shape) with known escalation paths."""

from __future__ import annotations

from typing import Any

ACCOUNT = "111122223333"


def role_arn(name: str) -> str:
    return f"arn:aws:iam::{ACCOUNT}:role/{name}"


def trust(
    *,
    services: tuple[str, ...] = (),
    aws: tuple[str, ...] = (),
    condition: dict[str, Any] | None = None,
) -> dict[str, Any]:
    principal: dict[str, Any] = {}
    if services:
        principal["Service"] = list(services)
    if aws:
        principal["AWS"] = list(aws)
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": principal,
        "Action": "sts:AssumeRole",
    }
    if condition:
        statement["Condition"] = condition
    return {"Version": "2012-10-17", "Statement": [statement]}


def allow(
    actions: list[str] | str,
    resource: str | list[str] = "*",
    condition: dict[str, Any] | None = None,
    effect: str = "Allow",
) -> dict[str, Any]:
    statement: dict[str, Any] = {"Effect": effect, "Action": actions, "Resource": resource}
    if condition:
        statement["Condition"] = condition
    return statement


def role(
    name: str,
    trust_policy: dict[str, Any],
    *statements: dict[str, Any],
    boundary: str | None = None,
) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "Path": "/",
        "RoleName": name,
        "Arn": role_arn(name),
        "AssumeRolePolicyDocument": trust_policy,
        "RolePolicyList": [
            {
                "PolicyName": f"{name}-inline",
                "PolicyDocument": {"Version": "2012-10-17", "Statement": list(statements)},
            }
        ]
        if statements
        else [],
        "AttachedManagedPolicies": [],
    }
    if boundary:
        entry["PermissionsBoundary"] = {
            "PermissionsBoundaryType": "Policy",
            "PermissionsBoundaryArn": boundary,
        }
    return entry


def managed(name: str, *statements: dict[str, Any]) -> dict[str, Any]:
    return {
        "PolicyName": name,
        "Arn": f"arn:aws:iam::{ACCOUNT}:policy/{name}",
        "DefaultVersionId": "v1",
        "PolicyVersionList": [
            {
                "VersionId": "v1",
                "IsDefaultVersion": True,
                "Document": {"Version": "2012-10-17", "Statement": list(statements)},
            }
        ],
    }


def account(*roles: dict[str, Any], policies: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {
        "UserDetailList": [],
        "GroupDetailList": [],
        "RoleDetailList": list(roles),
        "Policies": policies or [],
    }


ADMIN = allow("*")
CODEBUILD = ("codebuild.amazonaws.com",)
