"""Configuration checks on source connections: full clones and the connection's service prefix."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from pipedoctor.diagnose.hit import Hit
from pipedoctor.diagnose.posture.common import role_allows
from pipedoctor.knowledge.arns import arn_partition, arn_service
from pipedoctor.knowledge.connections import (
    USE_CONNECTION_ACTIONS,
    is_connection_arn,
    other_prefix_arn,
)
from pipedoctor.model import Role, Snapshot
from pipedoctor.model.findings import TextEdit
from pipedoctor.sources.definitions import UNKNOWN_ACCOUNT, UNKNOWN_REGION, Defined, is_unresolved
from pipedoctor.sources.policy_edits import statement_edit
from pipedoctor.sources.repository_model import repository_model


def _statement_actions(statement: dict[str, Any]) -> list[str]:
    actions = statement.get("Action", [])
    return (
        [actions]
        if isinstance(actions, str)
        else [a for a in actions if isinstance(a, str)]
        if isinstance(actions, list)
        else []
    )


def _unknown_documents(role: Role) -> list[str]:
    """Attached policies whose document is known neither from the files nor offline."""
    return [policy.arn for policy in role.attached_policies if not policy.document]


def _undetermined(defined: Defined[Role], actions: list[str]) -> bool:
    """Policies the reader could not resolve may grant `actions`: no conclusion then. (Attached
    policies with no known document are left to the caller, which says so in the finding.)"""
    # Imported here: a repository without roles never loads the IAM package.
    from pipedoctor.iam.matching import glob_to_regex

    role = defined.item
    if "policies" in defined.unknown:
        return True
    for _, document in role.identity_documents():
        statements = document.get("Statement", [])
        for statement in [statements] if isinstance(statements, dict) else statements:
            if not isinstance(statement, dict) or statement.get("Effect") != "Allow":
                continue
            matches = any(
                re.fullmatch(glob_to_regex(pattern.lower()), action.lower())
                for pattern in _statement_actions(statement)
                for action in actions
            )
            if matches and (
                is_unresolved(statement.get("Resource"))
                or "Condition" in statement
                or "NotAction" in statement
            ):
                return True
            if (
                matches
                and isinstance(statement.get("Resource"), list)
                and any(is_unresolved(r) for r in statement["Resource"])
            ):
                return True
    return False


def full_clone_missing_permission(snapshot: Snapshot, params: dict[str, Any]) -> Iterator[Hit]:
    """A source action with OutputArtifactFormat CODEBUILD_CLONE_REF whose artifact a CodeBuild
    project clones, while the project's role is not allowed `params.actions` on the source."""
    model = repository_model(snapshot)
    provider, actions = params["provider"], list(params["actions"])
    for pipeline in model.definitions.pipelines:
        for stage, source in pipeline.item.actions():
            if (
                source.provider != provider
                or source.configuration.get("OutputArtifactFormat") != "CODEBUILD_CLONE_REF"
            ):
                continue
            if provider == "CodeCommit":
                name = source.configuration.get("RepositoryName", "")
                resource = f"arn:aws:codecommit:{UNKNOWN_REGION}:{UNKNOWN_ACCOUNT}:{name}"
            else:
                resource = source.configuration.get("ConnectionArn", "")
            if not resource or is_unresolved(resource):
                continue
            key = f"config:{stage.name}/{source.name}:OutputArtifactFormat"
            for _, build in pipeline.item.actions():
                if build.provider != "CodeBuild" or not set(build.input_artifacts) & set(
                    source.output_artifacts
                ):
                    continue
                linked = model.project(build.configuration.get("ProjectName", ""), pipeline.path)
                if linked is None or linked.role is None or _undetermined(linked.role, actions):
                    continue
                role = linked.role.item
                if role_allows(role, actions, resource):
                    continue
                unknown = _unknown_documents(role)
                grant = {"Effect": "Allow", "Action": actions, "Resource": resource}
                role_file = snapshot.repo_text(linked.role.path)
                edit = statement_edit(linked.role, role_file, grant, "use-source-connection") if role_file else None
                yield Hit(
                    edits=[edit] if edit else [],
                    unverified=[
                        f"{arn} is attached to {role.name} but its document is not known offline: "
                        f"if it allows {' or '.join(actions)} on {resource}, the clone works"
                        for arn in unknown
                    ],
                    facts={
                        "role.name": role.name,
                        "role.arn": role.arn,
                        "project.name": linked.project.name,
                        "source.resource": resource,
                        "source.action": f"{stage.name}/{source.name}",
                        "file": pipeline.path,
                        "line": pipeline.line(key),
                        "permission": " or ".join(actions),
                    },
                    location=pipeline.at(key),
                    resource=f"{role.arn}#{resource}",
                    evidence=[
                        f"{pipeline.at(key)}: {stage.name}/{source.name} hands CodeBuild a full clone (CODEBUILD_CLONE_REF)",
                        f"IAM: {role.name} ({linked.role.at()}) is not allowed {' or '.join(actions)} on {resource}",
                    ],
                )


def _arn_prefix(arn: str) -> str:
    return f"arn:{arn_partition(arn)}:{arn_service(arn)}:"


def _prefix_edits(snapshot: Snapshot, defined: Defined[Role], arn: str, other: str) -> list[TextEdit]:
    """The edit that writes the connection's own service prefix where the role's file grants the
    other one: the one line naming `other` (or, failing that, the other prefix), else none."""
    text = snapshot.repo_text(defined.path)
    lines = text.splitlines()
    for old, new in ((other, arn), (_arn_prefix(other), _arn_prefix(arn))):
        found = [number for number, line in enumerate(lines, 1) if old in line]
        if len(found) == 1:
            line = found[0]
            return [TextEdit(defined.path, line, old, new, lines[line - 1].index(old) + 1)]
        if found:
            return []  # several places grant it: which one is meant is not for a fix to guess
    return []


def connection_prefix_mismatch(snapshot: Snapshot, params: dict[str, Any]) -> Iterator[Hit]:
    """A role allowed UseConnection on the connection's ARN under the other service prefix only."""
    model = repository_model(snapshot)
    actions = list(USE_CONNECTION_ACTIONS)
    for pipeline in model.definitions.pipelines:
        for stage, source in pipeline.item.actions():
            arn = source.configuration.get("ConnectionArn", "")
            other = other_prefix_arn(arn)
            if not is_connection_arn(arn) or is_unresolved(arn) or other is None:
                continue
            roles = [model.role(pipeline.item.role_arn, pipeline.path)]
            roles += [model.role(source.role_arn, pipeline.path)] if source.role_arn else []
            for _, build in pipeline.item.actions():
                if build.provider == "CodeBuild" and (
                    linked := model.project(
                        build.configuration.get("ProjectName", ""), pipeline.path
                    )
                ):
                    roles.append(linked.role)
            seen: set[str] = set()
            for defined in roles:
                if defined is None or defined.item.arn in seen:
                    continue
                seen.add(defined.item.arn)
                role = defined.item
                if role_allows(role, actions, arn) or not role_allows(role, actions, other):
                    continue
                yield Hit(
                    facts={
                        "role.name": role.name,
                        "connection.arn": arn,
                        "policy.arn_prefix": arn_service(other),
                        "connection.prefix": arn_service(arn),
                        "file": defined.path,
                        "line": defined.line(),
                    },
                    location=defined.at(),
                    resource=f"{role.arn}#{arn}",
                    evidence=[
                        f"{pipeline.at(f'config:{stage.name}/{source.name}:ConnectionArn')}: the connection is {arn}",
                        f"IAM: {role.name} may use {other} but not {arn}",
                    ],
                    edits=_prefix_edits(snapshot, defined, arn, other),
                )
