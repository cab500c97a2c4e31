"""A policy statement written into the file that defines a role, in that file's own idiom: a
Terraform `aws_iam_role_policy`, or a CloudFormation `AWS::IAM::Policy` beside the role (YAML or
JSON). One inserted block, so the rest of the file is kept as it is; CDK output is generated and
never edited."""

from __future__ import annotations

import json
import posixpath
import re
from dataclasses import dataclass
from typing import Any

from pipedoctor.model import Role
from pipedoctor.model.findings import TextEdit
from pipedoctor.sources.definitions import UNKNOWN_ACCOUNT, Defined


@dataclass(frozen=True)
class Reference:
    """A resource the same code defines, written as a reference to it instead of an ARN that
    pipedoctor only knows with a made-up account."""

    logical_id: str  # `aws_ecr_repository.app` in Terraform, `AppRepository` in CloudFormation

    def terraform(self) -> str:
        local = re.sub(r"^(module\.[^.]+\.)+", "", self.logical_id)  # the module's own address
        return f"{local}.arn"

    def cloudformation(self) -> dict[str, Any]:
        return {"Fn::GetAtt": [self.logical_id, "Arn"]}


def with_references(
    statements: list[dict[str, Any]], role: Defined[Role], defined: list[Defined[Any]]
) -> list[dict[str, Any]] | None:
    """`statements` with each resource the role's own folder defines as a Reference; None when a
    resource's ARN holds the made-up account and nothing beside the role defines it."""
    beside = {
        d.item.arn: d for d in defined if posixpath.dirname(d.path) == posixpath.dirname(role.path) and d.item.arn
    }
    written = []
    for statement in statements:
        resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
        converted: list[Any] = []
        for resource in resources:
            if resource in beside:
                converted.append(Reference(beside[resource].logical_id))
            elif UNKNOWN_ACCOUNT in resource:
                return None
            else:
                converted.append(resource)
        written.append({**statement, "Resource": converted[0] if len(converted) == 1 else converted})
    return written


def _for_json(value: Any) -> Any:
    if isinstance(value, Reference):
        return value.cloudformation()
    if isinstance(value, dict):
        return {key: _for_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_for_json(item) for item in value]
    return value


def statement_edit(defined: Defined[Role], text: str, statement: dict[str, Any], purpose: str) -> TextEdit | None:
    """The edit that grants `statement` to the role `defined`; None where pipedoctor cannot write it."""
    if defined.generated:
        return None
    lines = text.splitlines()
    if defined.path.endswith(".tf"):
        return _terraform(defined, lines, statement, purpose)
    body = {
        "Type": "AWS::IAM::Policy",
        "Properties": {
            "PolicyName": purpose,
            "Roles": [{"Ref": defined.logical_id}],
            "PolicyDocument": {"Version": "2012-10-17", "Statement": [statement]},
        },
    }
    return _resource_before_role(defined, lines, f"{defined.logical_id}{_identifier(purpose)}", body)


def _identifier(purpose: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", " ", purpose).title().replace(" ", "")


def _hcl(value: Any, indent: str) -> str:
    """A JSON-like value as the HCL `jsonencode` argument people write."""
    if isinstance(value, dict):
        inner = "\n".join(f"{indent}  {key} = {_hcl(item, indent + '  ')}" for key, item in value.items())
        return "{\n" + inner + f"\n{indent}}}"
    if isinstance(value, list):
        return "[" + ", ".join(_hcl(item, indent) for item in value) + "]"
    if isinstance(value, Reference):
        return value.terraform()
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


def _resource_before_role(defined: Defined[Role], lines: list[str], logical: str, body: dict[str, Any]) -> TextEdit | None:
    """The edit that defines the CloudFormation resource `logical` just before the role's own
    logical ID line, at its indentation, in the template's YAML or JSON."""
    line = defined.line()
    if not 0 < line <= len(lines):
        return None
    if defined.path.endswith(".json"):
        key = json.dumps(defined.logical_id)
        found = re.match(rf"^(\s*){re.escape(key)}\s*:", lines[line - 1])
        if found is None:
            return None
        indent = found.group(1)
        rendered = json.dumps(_for_json(body), indent=2).replace("\n", f"\n{indent}")
        return TextEdit(defined.path, line, key, f"{json.dumps(logical)}: {rendered},\n{indent}{key}", len(indent) + 1, safe=False)
    found = re.match(rf"^(\s*){re.escape(defined.logical_id)}:", lines[line - 1])
    if found is None:
        return None
    indent = found.group(1)
    block = f"{logical}:\n" + "\n".join(f"{indent}  {row}" for row in _yaml(body))
    old = f"{defined.logical_id}:"
    return TextEdit(defined.path, line, old, f"{block}\n{indent}{old}", len(indent) + 1, safe=False)


def _yaml(value: Any) -> list[str]:
    """Block YAML rows for a small JSON-like value (strings quoted as JSON, which YAML reads)."""
    rows: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, dict | list) and item:
                rows.append(f"{key}:")
                rows += [f"  {row}" for row in _yaml(item)]
            else:
                rows.append(f"{key}: {_yaml_scalar(item)}")
    elif isinstance(value, list):
        for item in value:
            nested = _yaml(item) if isinstance(item, dict | list) else [_yaml_scalar(item)]
            rows.append(f"- {nested[0]}")
            rows += [f"  {row}" for row in nested[1:]]
    return rows


def _yaml_scalar(value: Any) -> str:
    return f"!GetAtt {value.logical_id}.Arn" if isinstance(value, Reference) else json.dumps(value)


def managed_replacement_edits(
    defined: Defined[Role], text: str, line: int, arn: str, statements: list[dict[str, Any]], purpose: str
) -> list[TextEdit]:
    """Edits that point the attachment of `arn` on `line` at a new customer managed policy holding
    `statements`, defined beside the role in the file's idiom; [] where pipedoctor cannot write them."""
    lines = text.splitlines()
    if defined.generated or not 0 < line <= len(lines) or arn not in lines[line - 1] or not statements:
        return []
    document = {"Version": "2012-10-17", "Statement": statements}
    column = lines[line - 1].index(arn) + 1
    if defined.path.endswith(".tf"):
        address = defined.logical_id.rsplit("aws_iam_role.", 1)
        if len(address) != 2:
            return []
        name = address[1] + "_" + re.sub(r"\W+", "_", purpose.lower())
        quoted = f'"{arn}"' if f'"{arn}"' in lines[line - 1] else arn
        last = lines[-1]
        block = (
            f'\n\nresource "aws_iam_policy" "{name}" {{\n'
            f'  name   = "{defined.item.name}-{purpose}"\n'
            f"  policy = jsonencode({_hcl(document, '  ')})\n"
            "}"
        )
        return [
            TextEdit(defined.path, line, quoted, f"aws_iam_policy.{name}.arn", lines[line - 1].index(quoted) + 1, safe=False),
            TextEdit(defined.path, len(lines), last, last + block, 1, safe=False),
        ]
    if defined.line() == line:
        return []
    logical = f"{defined.logical_id}{_identifier(purpose)}"
    body = {"Type": "AWS::IAM::ManagedPolicy", "Properties": {"PolicyDocument": document}}
    inserted = _resource_before_role(defined, lines, logical, body)
    if inserted is None:
        return []
    if defined.path.endswith(".json"):
        quoted = json.dumps(arn)
        reference = TextEdit(defined.path, line, quoted, json.dumps({"Ref": logical}), lines[line - 1].index(quoted) + 1, safe=False)
    else:
        reference = TextEdit(defined.path, line, arn, f"!Ref {logical}", column, safe=False)
    return [reference, inserted]
