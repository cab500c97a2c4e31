"""Facts about the CodeBuild project and the build that ran."""

from __future__ import annotations

from typing import Any

from pipedoctor.diagnose.facts.image import docker_hub_facts
from pipedoctor.knowledge.images import is_curated_codebuild_image
from pipedoctor.model import Build, Project, Snapshot


def project_facts(project: Project) -> dict[str, Any]:
    """The CodeBuild project's configuration: role, image, privileged mode, source and logs."""
    facts: dict[str, Any] = {
        "project.name": project.name,
        "project.arn": project.arn,
        "project.role": project.service_role,
        "project.privileged_mode": project.environment.privileged_mode,
        "project.image": project.environment.image,
        "project.image_pull_credentials_type": project.environment.image_pull_credentials_type,
        "project.source_type": project.source.type,
        "project.log_group": project.effective_log_group,
        "build.role": project.service_role,
        "project.image_curated": is_curated_codebuild_image(project.environment.image),
        "project.logs_enabled": project.logs_enabled,
    }
    if project.source.auth_type == "CODECONNECTIONS" and project.source.auth_resource:
        facts["source.connection_arn"] = project.source.auth_resource
    return facts


def build_facts(snapshot: Snapshot, build: Build) -> dict[str, Any]:
    """The build that ran: its role, who started it, the phase that failed and its resolved variables."""
    facts: dict[str, Any] = {"build.id": build.id, "build.arn": build.arn}
    if (project := snapshot.project(build.project_name)) is not None:
        facts.update(project_facts(project))
    if build.service_role:
        facts["build.role"] = build.service_role
    if build.initiator:
        # CodePipeline starts builds as "codepipeline/<pipeline name>"; anything else is a user or rule.
        facts["build.initiator"] = build.initiator
        facts["build.started_by_pipeline"] = build.initiator.startswith("codepipeline/")
    failed = build.failed_phases()
    if failed:
        facts["build.failed_phase"] = failed[0].phase_type
    resolved = {v.name: v.value for v in build.environment_variables}
    if resolved:
        facts["env.resolved"] = resolved
    facts.update(docker_hub_facts(snapshot, build.log_excerpt))
    return facts
