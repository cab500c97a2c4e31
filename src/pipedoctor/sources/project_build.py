"""What a CodeBuild project's configuration says its builds do: environment, buildspec, pushes."""

from __future__ import annotations

from typing import Any

from pipedoctor.model import Project, Snapshot
from pipedoctor.sources.buildspec import parse_buildspec, pushed_ecr_repositories
from pipedoctor.textparse import ParseError


def buildspec_text(snapshot: Snapshot, project: Project) -> str:
    """The inline buildspec, or the repository file it names; "" when neither is known."""
    spec = project.source.buildspec
    if "\n" in spec or "phases" in spec:
        return spec
    path = spec or "buildspec.yml"
    for repo_file in snapshot.repo_files:
        if repo_file.path == path or repo_file.path.endswith(f"/{path}"):
            return repo_file.text
    return ""


def project_buildspec(snapshot: Snapshot, project: Project) -> dict[str, Any]:
    text = buildspec_text(snapshot, project)
    try:
        return parse_buildspec(text) if text else {}
    except ParseError:  # a broken buildspec is its own finding; here it just tells nothing
        return {}


def project_environment(project: Project) -> dict[str, str]:
    """The plaintext variables a build of the project sees, as far as configuration tells."""
    env = {"AWS_DEFAULT_REGION": project.region, "AWS_REGION": project.region}
    env.update({v.name: v.value for v in project.environment.variables if v.type == "PLAINTEXT"})
    return env


def pushed_repository_arns(snapshot: Snapshot, project: Project) -> list[str]:
    """ECR repositories the project's builds push to (`docker push` lines, else IMAGE_REPO_NAME)."""
    env = project_environment(project)
    targets = pushed_ecr_repositories(project_buildspec(snapshot, project), env)
    if not targets and env.get("IMAGE_REPO_NAME") and env.get("AWS_ACCOUNT_ID"):
        targets = [(env["AWS_ACCOUNT_ID"], project.region, env["IMAGE_REPO_NAME"])]
    return [
        f"arn:{snapshot.partition}:ecr:{region}:{account}:repository/{name}"
        for account, region, name in targets
    ]
