"""IAM policy documents kept as files in the repository (`{"Version": ..., "Statement": [...]}`),
with the line of each statement, for the checks to judge and for roles that read them
(`file("policy.json")` in Terraform) to point at."""

from __future__ import annotations

import posixpath
from typing import Any

from pipedoctor.sources.definitions import UNKNOWN_ACCOUNT, Defined, Definitions, managed_policy
from pipedoctor.sources.located import LocatedDoc


def is_policy_document(data: Any) -> bool:
    """An identity policy: statements without a principal (those are trust or resource
    policies, read where a role or resource uses them)."""
    if not isinstance(data, dict) or isinstance(data.get("Resources"), dict):
        return False
    statements = data.get("Statement")
    statements = [statements] if isinstance(statements, dict) else statements
    return (
        isinstance(statements, list)
        and bool(statements)
        and all(
            isinstance(s, dict) and "Principal" not in s and "NotPrincipal" not in s
            for s in statements
        )
    )


def statement_lines(doc: LocatedDoc) -> list[int]:
    """The line of each statement (one for a single statement written as an object)."""
    statements = doc.data.get("Statement") if isinstance(doc.data, dict) else None
    if isinstance(statements, dict):
        return [doc.line(("Statement",))]
    if not isinstance(statements, list):
        return []
    return [doc.line(("Statement", index)) for index in range(len(statements))]


def note_statements(defined: Defined[Any], key: str, path: str, doc: LocatedDoc) -> None:
    """Record where the statements of a policy that `defined` reads from another file are."""
    defined.elsewhere.setdefault(key, f"{path}:{doc.line(())}")
    for index, line in enumerate(statement_lines(doc)):
        defined.elsewhere[f"{key}:statement:{index}"] = f"{path}:{line}"


def definitions_from_policy_json(path: str, doc: LocatedDoc) -> Definitions:
    name = posixpath.basename(path).split(".", 1)[0] or "policy"
    policy = managed_policy(f"arn:aws:iam::{UNKNOWN_ACCOUNT}:policy/{name}", doc.data)
    defined: Defined[Any] = Defined(policy, path, path, {"resource": doc.line(())})
    for index, line in enumerate(statement_lines(doc)):
        defined.lines[f"statement:{index}"] = line
    return Definitions(policies=[defined])
