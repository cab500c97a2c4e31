"""Configuration checks on images: ECR pushes and logins, registries, Docker Hub bases, runtimes."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from typing import Any

from pipedoctor.diagnose.hit import Hit
from pipedoctor.diagnose.posture.common import (
    LIST_ITEM,
    RUNS_SCRIPT,
    all_buildspecs,
    buildspec_env,
    usable_buildspec,
)
from pipedoctor.knowledge.images import (
    ImageReference,
    ecr_registry,
    mentions_ecr_registry,
    mirror_of_written,
    names_no_registry,
)
from pipedoctor.knowledge.shell import built_tags, logs_in, push_targets, resolve_variables
from pipedoctor.model import Snapshot
from pipedoctor.model.findings import TextEdit
from pipedoctor.sources.codebuild_images import unsupported_runtime
from pipedoctor.sources.dockerfile import docker_hub_bases
from pipedoctor.sources.end_of_life import end_of_life, supported_releases
from pipedoctor.sources.repository_model import repository_model


def _looks_like_ecr(target: str, resolved: str) -> bool:
    return mentions_ecr_registry(resolved) or bool(
        re.search(r"\$\{?\w*(?:ECR|REPOSITORY_URI|REPO_URI)", target, re.IGNORECASE)
    )


def _login_command(target: str) -> str:
    """The ECR login for the registry `target` is pushed to (its host, or the shell that gets it)."""
    host = target.split("/", 1)[0]
    registry = host if ecr_registry(host) else f'$(echo "{target}" | cut -d/ -f1)'
    return f"aws ecr get-login-password --region $AWS_DEFAULT_REGION | docker login --username AWS --password-stdin {registry}"


def _login_before(snapshot: Snapshot, path: str, line: int, login: str) -> list[TextEdit]:
    """The edit that adds `login` as the list item before the push on `line`."""
    lines = snapshot.repo_text(path).splitlines()
    item = LIST_ITEM.match(lines[line - 1]) if 0 < line <= len(lines) else None
    if item is None:
        return []
    old = f"- {item['command']}"
    return [TextEdit(path, line, old, f"- {login}\n{item['indent']}{old}", len(item["indent"]) + 1)]


def ecr_push_without_login(snapshot: Snapshot, params: dict[str, Any]) -> Iterator[Hit]:
    """A buildspec that pushes to ECR and never logs in to a registry."""
    for facts, linked in all_buildspecs(repository_model(snapshot)):
        if facts.error is not None or any(
            logs_in(c.text) or RUNS_SCRIPT.search(c.text) for c in facts.commands
        ):
            continue
        env = buildspec_env(facts, linked)
        for command in facts.commands:
            pushed = [t for t in push_targets(command.text) if _looks_like_ecr(t, resolve_variables(t, env))]
            if pushed:
                resolved = resolve_variables(pushed[0], env)
                login = _login_command(resolved if ecr_registry(resolved.split("/", 1)[0]) else pushed[0])
                yield Hit(
                    facts={"file": facts.path, "line": command.line, "image": pushed[0], "login.command": login},
                    location=f"{facts.path}:{command.line}",
                    resource=f"{facts.path}#push",
                    evidence=[
                        f"{facts.path}:{command.line}: `{command.text.strip()}` pushes to ECR",
                        "no command of the buildspec logs Docker in (docker login / aws ecr get-login-password)",
                    ],
                    edits=_login_before(snapshot, facts.path, command.line, login),
                )
                break


def image_without_registry(snapshot: Snapshot, params: dict[str, Any]) -> Iterator[Hit]:
    """An image meant for ECR written without its registry, so Docker Hub is used: a task
    definition image named like an ECR repository of the same repository, or a `docker push` of
    a bare name in a buildspec that only logs in to ECR."""
    model = repository_model(snapshot)
    repositories = {d.item.name for d in model.definitions.repositories}
    for defined in model.definitions.task_definitions:
        for container in defined.item.containers:
            name = container.image.split(":", 1)[0].split("@", 1)[0]
            if name in repositories and names_no_registry(container.image):
                key = f"image:{container.name}"
                yield Hit(
                    facts={
                        "image": container.image,
                        "container": container.name,
                        "repository": name,
                        "file": defined.path,
                        "line": defined.line(key),
                    },
                    location=defined.at(key),
                    resource=f"{defined.item.arn}#{container.name}",
                    evidence=[
                        f"{defined.at(key)}: image {container.image} has no registry, so it is pulled from Docker Hub",
                        f"the repository defines an ECR repository named {name}",
                    ],
                )
    for facts, linked in all_buildspecs(model):
        if facts.error is not None:
            continue
        logins = [c.text for c in facts.commands if logs_in(c.text)]
        if not logins or not all("ecr" in text for text in logins):
            continue  # a Docker Hub login means pushing there may be intended
        env = buildspec_env(facts, linked)
        for command in facts.commands:
            for target in push_targets(command.text):
                resolved = resolve_variables(target, env)
                if "$" not in resolved and names_no_registry(resolved):
                    yield Hit(
                        facts={
                            "image": resolved,
                            "container": "",
                            "repository": resolved.split(":", 1)[0],
                            "file": facts.path,
                            "line": command.line,
                        },
                        location=f"{facts.path}:{command.line}",
                        resource=f"{facts.path}#{resolved}",
                        evidence=[
                            f"{facts.path}:{command.line}: `{command.text.strip()}` pushes {resolved}, which names no registry",
                            "the buildspec logs in to ECR only",
                        ],
                    )


_REPOSITORY_NAME_FLAG = re.compile(r"--repository-name[=\s]+(\S+)")


def repository_uri_as_name(snapshot: Snapshot, params: dict[str, Any]) -> Iterator[Hit]:
    """A repository *name* (`--repository-name`, IMAGE_REPO_NAME, RepositoryName) holding a URI."""
    model = repository_model(snapshot)
    for facts, linked in all_buildspecs(model):
        if facts.error is not None:
            continue
        env = buildspec_env(facts, linked)
        for command in facts.commands:
            for written in _REPOSITORY_NAME_FLAG.findall(command.text):
                value = resolve_variables(written.strip("\"'"), env)
                if mentions_ecr_registry(value) or ".amazonaws.com/" in value:
                    yield Hit(
                        facts={"value": value, "file": facts.path, "line": command.line},
                        location=f"{facts.path}:{command.line}",
                        resource=f"{facts.path}#{written}",
                        evidence=[
                            f"{facts.path}:{command.line}: --repository-name {written} is {value}, a URI"
                        ],
                    )
    for linked in model.projects:
        for variable in linked.project.environment.variables:
            name = variable.name.upper()
            if ("REPO" in name and "NAME" in name) and (
                mentions_ecr_registry(variable.value) or ".amazonaws.com/" in variable.value
            ):
                where = linked.defined.at(f"env:{variable.name}")
                yield Hit(
                    facts={
                        "value": variable.value,
                        "file": linked.defined.path,
                        "line": linked.defined.line(f"env:{variable.name}"),
                    },
                    location=where,
                    resource=f"{linked.project.arn}#{variable.name}",
                    evidence=[
                        f"{where}: {variable.name} = {variable.value} is a repository URI, not a name"
                    ],
                )
    for defined in model.definitions.repositories:
        if "/" in defined.item.name and (
            ".amazonaws.com" in defined.item.name or mentions_ecr_registry(defined.item.name)
        ):
            yield Hit(
                facts={"value": defined.item.name, "file": defined.path, "line": defined.line()},
                location=defined.at(),
                resource=defined.item.arn,
                evidence=[f"{defined.at()}: the repository name {defined.item.name} is a URI"],
            )


# -- runtimes ---------------------------------------------------------------------------------


def runtime_not_in_image(snapshot: Snapshot, params: dict[str, Any]) -> Iterator[Hit]:
    """runtime-versions asks for a language version the project's curated image does not ship."""
    for linked in repository_model(snapshot).projects:
        facts = usable_buildspec(linked)
        image = linked.project.environment.image
        if facts is None or "image" in linked.defined.unknown:
            continue
        for language, (version, line) in facts.runtime_versions.items():
            problem = unsupported_runtime(image, language, version)
            if problem:
                yield Hit(
                    facts={
                        "language": language,
                        "version": version,
                        "image": image,
                        "project.name": linked.project.name,
                        "file": facts.path,
                        "line": line,
                        "problem": problem,
                    },
                    location=f"{facts.path}:{line}",
                    resource=f"{linked.project.arn}#{language}",
                    evidence=[
                        f"{facts.path}:{line}: runtime-versions asks for {language} {version}",
                        f"{linked.defined.at('image')}: {problem}",
                    ],
                )


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
    for repo_file, base in docker_hub_bases(snapshot.repo_files):
        image = base.image
        built = locally_built_images(snapshot) if built is None else built
        if image is None or image.repository.removeprefix("library/") in built or image.repository in built:
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
