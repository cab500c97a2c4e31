"""A policy document as JSON, Terraform or CloudFormation."""

from __future__ import annotations

import json
import re
from typing import Any

FORMATS = ["json", "terraform", "cloudformation"]


def _identifier(role_name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", role_name).strip("_") or "role"


def render_policy(document: dict[str, Any], fmt: str, role_name: str) -> str:
    body = json.dumps(document, indent=2)
    if fmt == "json":
        return body + "\n"
    name = f"{role_name}-least-privilege"
    if fmt == "terraform":
        resource = _identifier(role_name)
        indented = "\n".join(f"  {line}" for line in body.splitlines())
        return (
            f'resource "aws_iam_policy" "{resource}_least_privilege" {{\n'
            f'  name   = "{name}"\n'
            f"  policy = <<-POLICY\n{indented}\n  POLICY\n}}\n\n"
            f'resource "aws_iam_role_policy_attachment" "{resource}_least_privilege" {{\n'
            f'  role       = "{role_name}"\n'
            f"  policy_arn = aws_iam_policy.{resource}_least_privilege.arn\n}}\n"
        )
    logical = "".join(part.capitalize() for part in re.split(r"[^A-Za-z0-9]", role_name) if part)
    template = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Resources": {
            f"{logical}LeastPrivilege": {
                "Type": "AWS::IAM::ManagedPolicy",
                "Properties": {
                    "ManagedPolicyName": name,
                    "Roles": [role_name],
                    "PolicyDocument": document,
                },
            }
        },
    }
    return json.dumps(template, indent=2) + "\n"
