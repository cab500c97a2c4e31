"""A policy statement written into the file that defines a role, in that file's own idiom: a
Terraform `aws_iam_role_policy`, or a CloudFormation `AWS::IAM::Policy` beside the role (YAML or
JSON). One inserted block, so the rest of the file is kept as it is; CDK output is generated and
never edited."""

from __future__ import annotations

import json
import re
from typing import Any

from pipedoctor.model import Role
from pipedoctor.model.findings import TextEdit
from pipedoctor.sources.definitions import Defined


def statement_edit(defined: Defined[Role], text: str, statement: dict[str, Any], purpose: str) -> TextEdit | None:
    """The edit that grants `statement` to the role `defined`; None where pipedoctor cannot write it."""
    if defined.generated:
        return None
    lines = text.splitlines()
    if defined.path.endswith(".tf"):
        return _terraform(defined, lines, statement, purpose)
    line = defined.line()
    if not 0 < line <= len(lines):
        return None
    if defined.path.endswith(".json"):
        return _cloudformation_json(defined, lines[line - 1], line, statement, purpose)
    return _cloudformation_yaml(defined, lines[line - 1], line, statement, purpose)


def _identifier(purpose: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", " ", purpose).title().replace(" ", "")


def _hcl(value: Any, indent: str) -> str:
    """A JSON-like value as the HCL `jsonencode` argument people write."""
    if isinstance(value, dict):
        inner = "\n".join(f"{indent}  {key} = {_hcl(item, indent + '  ')}" for key, item in value.items())
        return "{\n" + inner + f"\n{indent}}}"
    if isinstance(value, list):
        return "[" + ", ".join(_hcl(item, indent) for item in value) + "]"
    return json.dumps(value)


def _terraform(defined: Defined[Role], lines: list[str], statement: dict[str, Any], purpose: str) -> TextEdit | None:
    address = defined.logical_id.rsplit("aws_iam_role.", 1)
    if len(address) != 2 or not lines:
        return None
    role, name = address[1], re.sub(r"\W+", "_", purpose.lower())
    document = {"Version": "2012-10-17", "Statement": [statement]}
    block = (
        f'\n\nresource "aws_iam_role_policy" "{role}_{name}" {{\n'
        f'  name   = "{purpose}"\n'
        f"  role   = aws_iam_role.{role}.id\n"
        f"  policy = jsonencode({_hcl(document, '  ')})\n"
        "}"
    )
    last = lines[-1]
    return TextEdit(defined.path, len(lines), last, last + block, 1, safe=False)


def _cloudformation_yaml(defined: Defined[Role], line_text: str, line: int, statement: dict[str, Any], purpose: str) -> TextEdit | None:
    found = re.match(rf"^(\s*){re.escape(defined.logical_id)}:", line_text)
    if found is None:
        return None
    indent = found.group(1)
    body = {
        "Type": "AWS::IAM::Policy",
        "Properties": {
            "PolicyName": purpose,
            "Roles": [{"Ref": defined.logical_id}],
            "PolicyDocument": {"Version": "2012-10-17", "Statement": [statement]},
        },
    }
    block = f"{indent}{defined.logical_id}{_identifier(purpose)}:\n" + "\n".join(
        f"{indent}  {row}" for row in _yaml(body)
    )
    old = f"{defined.logical_id}:"
    return TextEdit(defined.path, line, old, f"{block.lstrip()}\n{indent}{old}", len(indent) + 1, safe=False)


def _yaml(value: Any) -> list[str]:
    """Block YAML rows for a small JSON-like value (strings quoted as JSON, which YAML reads)."""
    rows: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, dict | list) and item:
                rows.append(f"{key}:")
                rows += [f"  {row}" for row in _yaml(item)]
            else:
                rows.append(f"{key}: {json.dumps(item)}")
    elif isinstance(value, list):
        for item in value:
            nested = _yaml(item) if isinstance(item, dict | list) else [json.dumps(item)]
            rows.append(f"- {nested[0]}")
            rows += [f"  {row}" for row in nested[1:]]
    return rows


def _cloudformation_json(defined: Defined[Role], line_text: str, line: int, statement: dict[str, Any], purpose: str) -> TextEdit | None:
    key = json.dumps(defined.logical_id)
    found = re.match(rf"^(\s*){re.escape(key)}\s*:", line_text)
    if found is None:
        return None
    indent = found.group(1)
    body = {
        "Type": "AWS::IAM::Policy",
        "Properties": {
            "PolicyName": purpose,
            "Roles": [{"Ref": defined.logical_id}],
            "PolicyDocument": {"Version": "2012-10-17", "Statement": [statement]},
        },
    }
    rendered = json.dumps(body, indent=2).replace("\n", f"\n{indent}")
    block = f"{json.dumps(defined.logical_id + _identifier(purpose))}: {rendered},"
    return TextEdit(defined.path, line, key, f"{block}\n{indent}{key}", len(indent) + 1, safe=False)
