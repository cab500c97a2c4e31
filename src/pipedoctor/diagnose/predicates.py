"""Named Python predicates for posture rules: the escape hatch for logic YAML cannot say.

A predicate takes the snapshot and the rule's `params` and yields hits: facts for the rule's
templates, evidence lines, where, and about what.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

from pipedoctor.diagnose.hit import Hit
from pipedoctor.diagnose.policy_breadth import (
    admin_equivalent_grant,
    service_wildcard_grant,
    write_beyond_use_grant,
)
from pipedoctor.diagnose.static_predicates import STATIC_PREDICATES
from pipedoctor.knowledge.images import ImageReference, mirror_of_written
from pipedoctor.knowledge.shell import built_tags
from pipedoctor.model import Snapshot
from pipedoctor.model.findings import TextEdit
from pipedoctor.sources.dockerfile import base_images
from pipedoctor.sources.end_of_life import end_of_life, supported_releases
from pipedoctor.sources.repository import is_buildspec, is_dockerfile
from pipedoctor.sources.repository_model import repository_model
from pipedoctor.textparse import ParseError, parse_yaml


def locally_built_images(snapshot: Snapshot) -> set[str]:
    """Names the repository's buildspecs give with `docker build -t`: a FROM of one pulls nothing."""
    model = repository_model(snapshot)
    buildspecs = list(model.buildspec_files.values())
    buildspecs += [linked.buildspec for linked in model.projects if linked.buildspec and not linked.buildspec_file]
    return {
        name.lower()
        for facts in buildspecs
        for command in facts.commands
        for name in built_tags(command.text)
    }


def _eol_note(image: ImageReference) -> str:
    if image.is_deprecated_library:
        return f" {image.repository.removeprefix('library/')} is a deprecated official image: nobody updates it."
    ended = end_of_life(image, date.today())
    if ended is None:
        return ""
    name = image.repository.removeprefix("library/")
    release, day = ended
    supported = " or ".join(supported_releases(name, date.today())[:2])
    return f" {name} {release} reached its end of life on {day}: move to {name} {supported} rather than mirror it."


def docker_hub_base_image(snapshot: Snapshot, params: dict[str, Any]) -> Iterator[Hit]:
    """Every FROM line of a repository Dockerfile that pulls from Docker Hub. A single name that is
    not a Docker official image is built locally (or does not exist): no pull, no finding."""
    built = None
    for repo_file in snapshot.repo_files:
        if not is_dockerfile(repo_file.path):
            continue
        for base in base_images(repo_file.text):
            image = base.image
            if image is None or not image.is_docker_hub:
                continue
            if image.is_single_name and not (image.is_official_library or image.is_deprecated_library):
                continue
            built = locally_built_images(snapshot) if built is None else built
            if image.repository.removeprefix("library/") in built or image.repository in built:
                continue
            facts: dict[str, Any] = {
                "dockerhub.image": base.written,
                "file": repo_file.path,
                "line": base.line,
                "eol.note": _eol_note(image),
            }
            edits = []
            if mirror := image.ecr_public_mirror():
                facts["dockerhub.replacement"] = mirror
                facts["dockerhub.suggestion"] = f"Use `FROM {mirror}` instead of `FROM {base.written}`"
                line_text = repo_file.text.splitlines()[base.line - 1]
                column = line_text.find(base.written) + 1
                edits.append(TextEdit(repo_file.path, base.line, base.written, mirror_of_written(base.written), column))
            else:
                facts["dockerhub.suggestion"] = (
                    f"ECR Public does not mirror {image.repository}: copy it into your own ECR "
                    "repository (an ECR pull-through cache rule for Docker Hub does it)"
                )
            yield Hit(
                facts=facts,
                location=f"{repo_file.path}:{base.line}",
                resource=f"{repo_file.path}:{image.reference()}",
                evidence=[f"{repo_file.path} line {base.line}: FROM {base.written} resolves to Docker Hub"],
                edits=edits,
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


PREDICATES: dict[str, Callable[[Snapshot, dict[str, Any]], Iterator[Hit]]] = {
    "admin_equivalent_grant": admin_equivalent_grant,
    "service_wildcard_grant": service_wildcard_grant,
    "write_beyond_use_grant": write_beyond_use_grant,
    "docker_hub_base_image": docker_hub_base_image,
    "buildspec_yaml_error": buildspec_yaml_error,
    **STATIC_PREDICATES,
}
