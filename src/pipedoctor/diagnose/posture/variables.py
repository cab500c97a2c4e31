"""Configuration checks on environment and pipeline variables a build reads."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from pipedoctor.diagnose.hit import Hit
from pipedoctor.diagnose.posture.common import LIST_ITEM, all_buildspecs, usable_buildspec
from pipedoctor.knowledge.pipeline_variables import (
    action_environment_variables,
    variable_references,
)
from pipedoctor.knowledge.shell import assigned_variables, is_opaque, used_variables
from pipedoctor.model import Pipeline, Snapshot
from pipedoctor.model.findings import TextEdit
from pipedoctor.sources.buildspec import BuildspecFacts
from pipedoctor.sources.definitions import Defined
from pipedoctor.sources.repository_model import LinkedProject, repository_model

RESERVED_PREFIX = "CODEBUILD_"


# Set by CodeBuild, the shell, or the curated images (CodeBuild user guide, "Environment variables
# in build environments").
BUILTIN_VARIABLES = {
    "AWS_DEFAULT_REGION",
    "AWS_REGION",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_EXECUTION_ENV",
    "HOME",
    "PATH",
    "PWD",
    "OLDPWD",
    "USER",
    "SHELL",
    "HOSTNAME",
    "LANG",
    "TERM",
    "IFS",
    "UID",
    "EUID",
    "PPID",
    "RANDOM",
    "SECONDS",
    "LINENO",
    "OSTYPE",
    "TMPDIR",
    "CI",
    "DEBIAN_FRONTEND",
    "BASH_SOURCE",
}


_IMAGE_PROVIDED = re.compile(
    r"^[A-Z0-9_]*_(?:HOME|VERSION|ROOT|PATH)$|^GO(?:PATH|ROOT|PROXY|FLAGS)$"
)




def reserved_env_var_prefix(snapshot: Snapshot, params: dict[str, Any]) -> Iterator[Hit]:
    """Custom environment variables named CODEBUILD_... (projects, buildspecs, pipeline actions)."""
    model = repository_model(snapshot)

    def hit(name: str, where: str, resource: str, owner: str) -> Hit:
        path, _, line = where.rpartition(":")
        return Hit(
            facts={"variable": name, "file": path, "line": int(line), "owner": owner},
            location=where,
            resource=f"{resource}#{name}",
            evidence=[f"{where}: {owner} defines {name}, and the CODEBUILD_ prefix is reserved"],
        )

    for linked in model.projects:
        for variable in linked.project.environment.variables:
            if variable.name.upper().startswith(RESERVED_PREFIX):
                yield hit(
                    variable.name,
                    linked.defined.at(f"env:{variable.name}"),
                    linked.project.arn,
                    f"project {linked.project.name}",
                )
    for facts, _ in all_buildspecs(model):
        if facts.error is None:
            for name, line in facts.env_variables.items():
                if name.upper().startswith(RESERVED_PREFIX):
                    yield hit(name, f"{facts.path}:{line}", facts.path, "the buildspec")
    for pipeline in model.definitions.pipelines:
        for stage, action in pipeline.item.actions():
            for variable in action_environment_variables(action.configuration) or []:
                name = str(variable.get("name", ""))
                if name.upper().startswith(RESERVED_PREFIX):
                    where = pipeline.at(f"config:{stage.name}/{action.name}:EnvironmentVariables")
                    yield hit(name, where, pipeline.item.arn, f"action {stage.name}/{action.name}")


def _defined_names(linked: LinkedProject, facts: BuildspecFacts) -> set[str] | None:
    """Variables a build of the project has; None when that cannot be known."""
    defined = linked.defined
    if "environment" in defined.unknown or any(is_opaque(c.text) for c in facts.commands):
        return None
    names = {v.name for v in defined.item.environment.variables}
    names |= set(facts.env_variables) | set(facts.exported_variables)
    for command in facts.commands:
        names |= assigned_variables(command.text)
    if defined.item.source.type == "CODEPIPELINE":
        if not linked.actions:
            return None  # the pipeline that runs it may pass variables
        for ref in linked.actions:
            if "stages" in ref.pipeline.unknown:
                return None
            variables = action_environment_variables(ref.action.configuration)
            if variables is None:
                return None
            names |= {str(v.get("name", "")) for v in variables}
    return names


def undefined_build_variable(snapshot: Snapshot, params: dict[str, Any]) -> Iterator[Hit]:
    """Variables a buildspec expands that neither the project, the pipeline action, the buildspec
    nor CodeBuild defines (the image URI then ends up as `:latest` or `/repo`)."""
    for linked in repository_model(snapshot).projects:
        facts = usable_buildspec(linked)
        if facts is None:
            continue
        known = _defined_names(linked, facts)
        if known is None:
            continue
        reported: set[str] = set()
        for command in facts.commands:
            for name, has_default in used_variables(command.text):
                if has_default or name in known or name in reported or not name.isupper():
                    continue
                if (
                    name in BUILTIN_VARIABLES
                    or name.startswith(RESERVED_PREFIX)
                    or _IMAGE_PROVIDED.match(name)
                ):
                    continue
                reported.add(name)
                yield Hit(
                    facts={
                        "variable": name,
                        "project.name": linked.project.name,
                        "file": facts.path,
                        "line": command.line,
                        "command": command.text.strip(),
                    },
                    location=f"{facts.path}:{command.line}",
                    resource=f"{linked.project.arn}#{name}",
                    evidence=[
                        f"{facts.path}:{command.line}: `{command.text.strip()}` expands ${name}",
                        (
                            f"{linked.defined.at('environment')}: {linked.project.name} does not "
                            f"define {name}, nor do its pipeline actions or the buildspec"
                        ),
                    ],
                )


# -- source variables -------------------------------------------------------------------------


def _tag_triggered(pipeline: Pipeline, source_action: str) -> bool:
    return any(t.on_push_tags and t.source_action in ("", source_action) for t in pipeline.triggers)


def _tag_fallback(snapshot: Snapshot, pipeline: Defined[Pipeline], action: Any, reference: str) -> list[TextEdit] | None:
    """The edit that gives the buildspec variable fed by `reference` a fallback (the commit's
    short id) as its first command; [] when it cannot be placed, None when one is already there."""
    variables = action_environment_variables(action.configuration) or []
    names = [str(v.get("name")) for v in variables if reference in str(v.get("value", ""))]
    linked = repository_model(snapshot).project(action.configuration.get("ProjectName", ""), pipeline.path)
    facts = usable_buildspec(linked) if linked is not None and names else None
    if facts is None or not facts.commands:
        return []
    name = names[0]
    if any(f"${{{name}:-" in c.text or f"${{{name}:=" in c.text for c in facts.commands):
        return None
    first = min(facts.commands, key=lambda c: c.line)
    text = snapshot.repo_text(facts.path)
    lines = text.splitlines()
    item = LIST_ITEM.match(lines[first.line - 1]) if 0 < first.line <= len(lines) else None
    if item is None:
        return []
    old = f"- {item['command']}"
    fallback = f'- {name}="${{{name}:-$(echo $CODEBUILD_RESOLVED_SOURCE_VERSION | cut -c 1-7)}}"'
    return [TextEdit(facts.path, first.line, old, f"{fallback}\n{item['indent']}{old}", len(item["indent"]) + 1)]


def tag_variable_without_tag_trigger(snapshot: Snapshot, params: dict[str, Any]) -> Iterator[Hit]:
    """`#{<source namespace>.TagName}` in a pipeline that no tag push starts: always empty."""
    variables = set(params.get("variables", ["TagName"]))
    for pipeline in repository_model(snapshot).definitions.pipelines:
        namespaces = {
            a.namespace: a.name
            for _, a in pipeline.item.actions()
            if a.category == "Source" and a.namespace
        }
        for stage, action in pipeline.item.actions():
            for key, value in action.configuration.items():
                for namespace, variable in variable_references(value):
                    if namespace not in namespaces or variable not in variables:
                        continue
                    if _tag_triggered(pipeline.item, namespaces[namespace]):
                        continue
                    reference = f"#{{{namespace}.{variable}}}"
                    fallback = _tag_fallback(snapshot, pipeline, action, reference)
                    if fallback is None:
                        continue  # the buildspec already falls back when the tag is empty
                    where = pipeline.at(f"config:{stage.name}/{action.name}:{key}")
                    yield Hit(
                        facts={
                            "pipeline.name": pipeline.item.name,
                            "reference": f"#{{{namespace}.{variable}}}",
                            "action": f"{stage.name}/{action.name}",
                            "file": pipeline.path,
                            "line": pipeline.line(f"config:{stage.name}/{action.name}:{key}"),
                        },
                        location=where,
                        resource=f"{pipeline.item.arn}#{stage.name}/{action.name}/{key}",
                        evidence=[
                            f"{where}: {stage.name}/{action.name} reads #{{{namespace}.{variable}}}",
                            f"{pipeline.at()}: no trigger of {pipeline.item.name} starts it on a tag push",
                        ],
                        edits=fallback,
                    )
