"""Configuration checks on privileged mode and the Docker daemon a build needs."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pipedoctor.diagnose.hit import Hit
from pipedoctor.diagnose.posture.common import RUNS_SCRIPT, docker_commands, usable_buildspec
from pipedoctor.knowledge.images import is_curated_codebuild_image
from pipedoctor.knowledge.shell import is_opaque, starts_dockerd
from pipedoctor.model import Snapshot
from pipedoctor.sources.buildspec import BuildspecFacts
from pipedoctor.sources.repository_model import LinkedProject, repository_model

# The retired aws/codebuild/docker:* images ran with Docker support without PrivilegedMode (the
# reference templates that used them, e.g. ecs-refarch-continuous-deployment, never set it).
LEGACY_DOCKER_IMAGES = ("aws/codebuild/docker:",)



def docker_without_privileged_mode(snapshot: Snapshot, params: dict[str, Any]) -> Iterator[Hit]:
    """A project whose buildspec runs docker while its privileged mode is off."""
    for linked in repository_model(snapshot).projects:
        facts, defined = usable_buildspec(linked), linked.defined
        project = defined.item
        if (
            facts is None
            or project.environment.privileged_mode
            or "privileged_mode" in defined.unknown
        ):
            continue
        if "LAMBDA" in project.environment.type or "WINDOWS" in project.environment.type:
            continue  # no Docker daemon there in any mode: a different problem
        if project.environment.image.startswith(LEGACY_DOCKER_IMAGES):
            continue
        docker = docker_commands(facts)
        if not docker:
            continue
        first = docker[0]
        yield Hit(
            facts={
                "project.name": project.name,
                "file": defined.path,
                "line": defined.line("privileged_mode"),
                "docker.command": first.text.strip(),
                "docker.location": f"{facts.path}:{first.line}",
            },
            location=defined.at("privileged_mode"),
            resource=project.arn,
            evidence=[
                f"{facts.path}:{first.line}: `{first.text.strip()}` needs a Docker daemon",
                f"{defined.at('privileged_mode')}: {project.name} does not turn privileged mode on",
            ],
        )


def _privileged_projects(snapshot: Snapshot) -> Iterator[tuple[LinkedProject, BuildspecFacts]]:
    """Projects with privileged mode on whose buildspec is known."""
    for linked in repository_model(snapshot).projects:
        facts = usable_buildspec(linked)
        if facts is not None and linked.project.environment.privileged_mode and "privileged_mode" not in linked.defined.unknown:
            yield linked, facts


def privileged_mode_needed(snapshot: Snapshot, params: dict[str, Any]) -> Iterator[Hit]:
    """Privileged mode that the buildspec's docker commands need: said where security linters
    (checkov CKV_AWS_316) report privileged mode, so the suppression has its reason."""
    for linked, facts in _privileged_projects(snapshot):
        docker = docker_commands(facts)
        if not docker:
            continue
        defined, first = linked.defined, docker[0]
        yield Hit(
            facts={
                "project.name": linked.project.name,
                "file": defined.path,
                "line": defined.line("privileged_mode"),
                "docker.command": first.text.strip(),
                "docker.location": f"{facts.path}:{first.line}",
            },
            location=defined.at("privileged_mode"),
            resource=f"{linked.project.arn}#privileged",
            evidence=[f"{facts.path}:{first.line}: `{first.text.strip()}` needs the Docker daemon privileged mode starts"],
        )


def privileged_mode_unneeded(snapshot: Snapshot, params: dict[str, Any]) -> Iterator[Hit]:
    """Privileged mode on a project whose buildspec runs no docker (and no script that might)."""
    for linked, facts in _privileged_projects(snapshot):
        if docker_commands(facts) or any(RUNS_SCRIPT.search(c.text) or is_opaque(c.text) for c in facts.commands):
            continue
        if not facts.commands:
            continue  # nothing to judge by
        defined = linked.defined
        yield Hit(
            facts={
                "project.name": linked.project.name,
                "file": defined.path,
                "line": defined.line("privileged_mode"),
                "buildspec": facts.path,
                "commands": len(facts.commands),
            },
            location=defined.at("privileged_mode"),
            resource=f"{linked.project.arn}#privileged",
            evidence=[
                f"{defined.at('privileged_mode')}: {linked.project.name} turns privileged mode on",
                f"{facts.path}: none of its {len(facts.commands)} commands runs docker or a script",
            ],
        )


def custom_image_without_dockerd(snapshot: Snapshot, params: dict[str, Any]) -> Iterator[Hit]:
    """Privileged project on a custom image whose buildspec runs docker but never starts dockerd."""
    for linked in repository_model(snapshot).projects:
        facts, defined = usable_buildspec(linked), linked.defined
        project = defined.item
        image = project.environment.image
        if (
            facts is None
            or not image
            or "image" in defined.unknown
            or is_curated_codebuild_image(image)
        ):
            continue
        if not project.environment.privileged_mode or any(
            starts_dockerd(c.text) for c in facts.commands
        ):
            continue
        docker = docker_commands(facts)
        if not docker or any(
            RUNS_SCRIPT.search(c.text) for c in facts.commands if c.line <= docker[0].line
        ):
            continue  # a script run before the first docker call may start dockerd
        yield Hit(
            facts={
                "project.name": project.name,
                "image": image,
                "file": defined.path,
                "line": defined.line("image"),
                "docker.location": f"{facts.path}:{docker[0].line}",
            },
            location=defined.at("image"),
            resource=project.arn,
            evidence=[
                f"{defined.at('image')}: {project.name} builds on the custom image {image}",
                f"{facts.path}:{docker[0].line}: `{docker[0].text.strip()}` runs with no `dockerd` started before it",
            ],
        )
