"""Who else a pipeline's resource policies let in: the artifact bucket, the ECR repositories and the
KMS keys, read with policyuniverse's resource-policy analysis.

Two questions, one predicate each: does an Allow statement open the resource to anyone (a `*`
principal, or `NotPrincipal`, that no condition narrows to an account, organisation, ARN, user id,
network or VPC), and which accounts outside the snapshot does it name?
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pipedoctor.diagnose.hit import Hit
from pipedoctor.knowledge.arns import split_arn
from pipedoctor.model import Snapshot
from pipedoctor.model.findings import Location

if TYPE_CHECKING:
    from policyuniverse.statement import Statement

MAX_STATEMENT_CHARS = 400


@dataclass(frozen=True)
class PolicedResource:
    kind: str  # how the message names it: "artifact bucket", "ECR repository", "KMS key"
    name: str
    arn: str
    policy: dict[str, Any]


def policed_resources(snapshot: Snapshot) -> list[PolicedResource]:
    """The pipeline's resources whose resource policy the snapshot holds."""
    found = [
        PolicedResource("artifact bucket", bucket.name, f"arn:{snapshot.partition}:s3:::{bucket.name}", bucket.policy)
        for bucket in snapshot.buckets
        if bucket.policy
    ]
    found += [
        PolicedResource("ECR repository", repository.name, repository.arn, repository.policy)
        for repository in snapshot.ecr_repositories
        if repository.policy
    ]
    found += [
        PolicedResource("KMS key", key.arn.rsplit("/", 1)[-1], key.arn, key.policy)
        for key in snapshot.kms_keys
        if key.policy
    ]
    return found


def _statements(policy: dict[str, Any]) -> list[dict[str, Any]]:
    statements = policy.get("Statement", [])
    return [s for s in (statements if isinstance(statements, list) else [statements]) if isinstance(s, dict)]


def _label(statement: dict[str, Any], index: int) -> str:
    sid = statement.get("Sid")
    return f"statement {sid!r}" if isinstance(sid, str) and sid else f"statement {index + 1}"


def _text(statement: dict[str, Any]) -> str:
    text = json.dumps(statement, sort_keys=True)
    return text if len(text) <= MAX_STATEMENT_CHARS else text[: MAX_STATEMENT_CHARS - 3] + "..."


def _statement(statement: dict[str, Any]) -> Statement:
    # policyuniverse loads its data at import (about 0.13 s): only when a policy is judged.
    from policyuniverse.statement import Statement

    return Statement(statement)


def _actions(statement: Statement) -> str:
    if "NotAction" in statement.statement:
        return "every action but " + ", ".join(sorted(_as_list(statement.statement["NotAction"])))
    return ", ".join(sorted(statement.actions)) or "no action"


def _as_list(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _account_of(value: str) -> str:
    """The account a principal or condition value names: a 12-digit id, or the account of an ARN."""
    from policyuniverse.arn import ARN

    parsed = ARN(value)
    if parsed.error or parsed.service:
        return ""
    account = parsed.account_number or ""
    return account if account.isdigit() else ""


def known_accounts(snapshot: Snapshot) -> set[str]:
    """The accounts the snapshot covers: its own and those of every role and resource it read."""
    arns = [role.arn for role in snapshot.roles]
    arns += [pipeline.role_arn for pipeline in snapshot.pipelines]
    arns += [action.role_arn or "" for pipeline in snapshot.pipelines for _, action in pipeline.actions()]
    arns += [repository.arn for repository in snapshot.ecr_repositories]
    arns += [key.arn for key in snapshot.kms_keys]
    accounts = {snapshot.account_id} if snapshot.account_id else set()
    for arn in arns:
        if (parts := split_arn(arn)) is not None and parts[4].isdigit():
            accounts.add(parts[4])
    return accounts


def _facts(resource: PolicedResource, statement: dict[str, Any], index: int) -> dict[str, Any]:
    return {
        "resource.kind": resource.kind,
        "resource.name": resource.name,
        "resource.arn": resource.arn,
        "statement.label": _label(statement, index),
        "statement.actions": _actions(_statement(statement)),
        "statement.text": _text(statement),
    }


def open_to_anyone(snapshot: Snapshot, params: dict[str, Any]) -> Iterator[Hit]:
    """One hit per resource whose policy lets anyone in, naming the first statement that does."""
    for resource in policed_resources(snapshot):
        opening = [
            (index, statement)
            for index, statement in enumerate(_statements(resource.policy))
            if _statement(statement).is_internet_accessible()
        ]
        if not opening:
            continue
        index, statement = opening[0]
        yield Hit(
            facts=_facts(resource, statement, index),
            location=Location.of_resource(resource.arn),
            resource=resource.arn,
            evidence=[
                f"{resource.kind} {resource.name}: {_label(s, i)} allows anyone: {_text(s)}" for i, s in opening
            ],
        )


def _other_accounts(statement: dict[str, Any], known: set[str]) -> list[str]:
    parsed = _statement(statement)
    if parsed.effect != "Allow" or parsed.uses_not_principal():
        return []
    values = [str(p) for p in parsed.principals]
    values += [str(entry.value) for entry in parsed.condition_entries if entry.category in ("account", "arn")]
    return sorted({account for value in values if (account := _account_of(value)) and account not in known})


def open_to_other_accounts(snapshot: Snapshot, params: dict[str, Any]) -> Iterator[Hit]:
    """One hit per resource whose policy allows accounts the snapshot does not cover (not the
    pipeline's own or its cross-account actions' accounts), naming the first statement that does."""
    known = known_accounts(snapshot)
    for resource in policed_resources(snapshot):
        sharing = [
            (index, statement, accounts)
            for index, statement in enumerate(_statements(resource.policy))
            if not _statement(statement).is_internet_accessible()
            and (accounts := _other_accounts(statement, known))
        ]
        if not sharing:
            continue
        index, statement, _ = sharing[0]
        accounts = sorted({account for _, _, found in sharing for account in found})
        yield Hit(
            facts=_facts(resource, statement, index) | {"accounts": ", ".join(accounts)},
            location=Location.of_resource(resource.arn),
            resource=resource.arn,
            evidence=[
                f"{resource.kind} {resource.name}: {_label(s, i)} allows account(s) {', '.join(found)}: {_text(s)}"
                for i, s, found in sharing
            ],
        )

