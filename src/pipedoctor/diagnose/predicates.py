"""Named Python predicates for posture rules: the escape hatch for logic YAML cannot say.

A predicate takes the snapshot and the rule's `params` and yields hits: facts for the rule's
templates, evidence lines, where, and about what.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from pipedoctor.diagnose.evidence import role_decision
from pipedoctor.model import Project, Role, Snapshot
from pipedoctor.sources.dockerfile import base_images
from pipedoctor.sources.project_build import pushed_repository_arns
from pipedoctor.sources.repository import is_buildspec, is_dockerfile
from pipedoctor.textparse import ParseError, parse_yaml


@dataclass
class Hit:
    facts: dict[str, Any]
    location: str
    resource: str
    evidence: list[str] = field(default_factory=list)


def _ci_roles(snapshot: Snapshot) -> Iterator[tuple[Role, Project | None]]:
    seen = set()
    for project in snapshot.projects:
        role = snapshot.role(project.service_role)
        if role is not None and role.arn not in seen:
            seen.add(role.arn)
            yield role, project
    for pipeline in snapshot.pipelines:
        role = snapshot.role(pipeline.role_arn)
        if role is not None and role.arn not in seen:
            seen.add(role.arn)
            yield role, None


def full_access_managed_policy(snapshot: Snapshot, params: dict[str, Any]) -> Iterator[Hit]:
    """A CI role with one of `params.policies` attached; evidence: what it can reach but never uses."""
    names = set(params.get("policies", []))
    for role, project in _ci_roles(snapshot):
        for policy in role.attached_policies:
            if policy.name not in names:
                continue
            needed = pushed_repository_arns(snapshot, project) if project else []
            facts: dict[str, Any] = {
                "role.name": role.name,
                "role.arn": role.arn,
                "policy.name": policy.name,
                "policy.arn": policy.arn,
                "push.repository_arns": needed,
            }
            if project is not None:
                facts["project.name"] = project.name
            evidence = [f"{policy.arn} is attached to {role.arn}"]
            unneeded = [
                repo.name
                for repo in snapshot.ecr_repositories
                if repo.arn not in needed and role_decision(role, "ecr:PutImage", repo.arn).allowed
            ]
            if unneeded:
                evidence.append(
                    f"IAM: {role.name} is allowed ecr:PutImage on {len(unneeded)} repositories "
                    f"it does not push to: {', '.join(sorted(unneeded))}"
                )
            if needed:
                evidence.append(f"the build pushes only to {', '.join(needed)}")
            yield Hit(facts=facts, location=f"role {role.name}", resource=role.arn, evidence=evidence)


def docker_hub_base_image(snapshot: Snapshot, params: dict[str, Any]) -> Iterator[Hit]:
    """Every FROM line of a repository Dockerfile that pulls from Docker Hub."""
    for repo_file in snapshot.repo_files:
        if not is_dockerfile(repo_file.path):
            continue
        for base in base_images(repo_file.text):
            if base.image is None or not base.image.is_docker_hub:
                continue
            facts: dict[str, Any] = {"dockerhub.image": base.written, "file": repo_file.path, "line": base.line}
            if mirror := base.image.ecr_public_mirror():
                facts["dockerhub.replacement"] = mirror
            yield Hit(
                facts=facts,
                location=f"{repo_file.path}:{base.line}",
                resource=f"{repo_file.path}:{base.image.reference()}",
                evidence=[f"{repo_file.path} line {base.line}: FROM {base.written} resolves to Docker Hub"],
            )


def buildspec_yaml_error(snapshot: Snapshot, params: dict[str, Any]) -> Iterator[Hit]:
    """Repository buildspecs that are not valid YAML, with the line and column of the error."""
    for repo_file in snapshot.repo_files:
        if not is_buildspec(repo_file.path):
            continue
        try:
            parse_yaml(repo_file.text)
        except ParseError as error:
            line, column = error.line or 1, error.column or 1
            problem = str(error.args[0])
            yield Hit(
                facts={"file": repo_file.path, "line": line, "column": column, "problem": problem},
                location=f"{repo_file.path}:{line}",
                resource=repo_file.path,
                evidence=[f"{repo_file.path}:{line}:{column}: {problem}"],
            )


# Imported here, after Hit, because the static predicates build their hits with it.
from pipedoctor.diagnose.static_predicates import STATIC_PREDICATES

PREDICATES: dict[str, Callable[[Snapshot, dict[str, Any]], Iterator[Hit]]] = {
    "full_access_managed_policy": full_access_managed_policy,
    "docker_hub_base_image": docker_hub_base_image,
    "buildspec_yaml_error": buildspec_yaml_error,
    **STATIC_PREDICATES,
}
