"""The linked picture of a repository: which buildspec each project runs, under which role, from
which pipeline actions, and which Dockerfiles its builds build.

Built from `Snapshot.repo_files` (so posture rules and their snapshot test cases see the same
thing), cached per set of files.
"""

from __future__ import annotations

import fnmatch
import posixpath
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from pipedoctor.model import (
    Finding,
    Pipeline,
    PipelineAction,
    PipelineStage,
    Project,
    RepoFile,
    Role,
    Snapshot,
)
from pipedoctor.sources.buildspec_facts import BuildspecFacts, read_buildspec
from pipedoctor.sources.cloudformation import definitions_from_template, is_template
from pipedoctor.sources.definitions import Defined, Definitions
from pipedoctor.sources.file_kinds import TERRAFORM_SUFFIXES, is_infrastructure
from pipedoctor.sources.hcl import load_hcl
from pipedoctor.sources.located import LocatedDoc, load_located_json, load_located_yaml
from pipedoctor.sources.pipeline_json import definitions_from_pipeline_json, is_pipeline_json
from pipedoctor.sources.repository import is_buildspec, is_dockerfile
from pipedoctor.sources.shell import dockerfile_of_build
from pipedoctor.sources.terraform import definitions_from_module, definitions_from_plan, is_plan
from pipedoctor.textparse import ParseError

DEFAULT_BUILDSPEC = "buildspec.yml"


@dataclass
class ActionRef:
    pipeline: Defined[Pipeline]
    stage: PipelineStage
    action: PipelineAction

    @property
    def where(self) -> str:
        return f"{self.stage.name}/{self.action.name}"


@dataclass
class LinkedProject:
    defined: Defined[Project]
    buildspec: BuildspecFacts | None = None
    buildspec_file: str = ""  # the repository file, "" when inline or not found
    role: Defined[Role] | None = None
    actions: list[ActionRef] = field(default_factory=list)
    dockerfiles: list[str] = field(default_factory=list)

    @property
    def project(self) -> Project:
        return self.defined.item


@dataclass
class RepositoryModel:
    definitions: Definitions = field(default_factory=Definitions)
    projects: list[LinkedProject] = field(default_factory=list)
    buildspec_files: dict[str, BuildspecFacts] = field(default_factory=dict)
    syntax_errors: list[tuple[str, ParseError]] = field(default_factory=list)

    def role(self, name_or_arn: str, near: str = "") -> Defined[Role] | None:
        """The role so named, the one defined closest to `near` when several files define one."""
        found = [d for d in self.definitions.roles if name_or_arn in (d.item.name, d.item.arn)]
        return _closest(found, near)

    def project(self, name: str, near: str = "") -> LinkedProject | None:
        found = [p for p in self.projects if name in (p.project.name, p.project.arn)]
        closest = _closest([p.defined for p in found], near)
        return next((p for p in found if p.defined is closest), None)

    def locations(self) -> dict[str, str]:
        """ARN (and name) of every defined resource -> `path:line` of its definition."""
        found: dict[str, str] = {}
        for kind in (
            "roles",
            "projects",
            "pipelines",
            "repositories",
            "task_definitions",
            "connections",
        ):
            for defined in getattr(self.definitions, kind):
                item = defined.item
                for key in (getattr(item, "arn", ""), getattr(item, "name", "")):
                    if key:
                        found.setdefault(key, defined.at())
        return found


def _closest(found: list[Any], near: str) -> Any:
    if not found:
        return None
    return max(found, key=lambda d: (d.path == near, _common_prefix_length(d.path, near)))


def _parse_structured(path: str, text: str) -> LocatedDoc:
    """YAML reads JSON too, and CloudFormation accepts the JSON-like templates only YAML reads
    (trailing commas); a `.json` file that neither reads reports its JSON error."""
    try:
        return load_located_yaml(text)
    except ParseError:
        if path.lower().endswith(".json"):
            return load_located_json(text)
        raise


def _definitions(files: list[RepoFile], model: RepositoryModel) -> None:
    modules: dict[str, list[tuple[str, LocatedDoc]]] = {}
    for repo_file in files:
        if is_buildspec(repo_file.path) or not is_infrastructure(repo_file.path, repo_file.text):
            continue
        try:
            if repo_file.path.lower().endswith(TERRAFORM_SUFFIXES):
                directory = posixpath.dirname(repo_file.path)
                modules.setdefault(directory, []).append((repo_file.path, load_hcl(repo_file.text)))
                continue
            doc = _parse_structured(repo_file.path, repo_file.text)
        except ParseError as error:
            model.syntax_errors.append((repo_file.path, error))
            continue
        if is_template(doc.data):
            model.definitions.extend(definitions_from_template(repo_file.path, doc))
        elif is_plan(doc.data):
            model.definitions.extend(
                definitions_from_plan(repo_file.path, repo_file.text, doc.data)
            )
        elif is_pipeline_json(doc.data):
            model.definitions.extend(definitions_from_pipeline_json(repo_file.path, doc))
    for module_files in modules.values():
        model.definitions.extend(definitions_from_module(module_files))


def _common_prefix_length(a: str, b: str) -> int:
    return len(posixpath.commonprefix([posixpath.dirname(a), posixpath.dirname(b)]))


def _find_file(reference: str, near: str, paths: list[str]) -> str:
    """The repository file a project or buildspec names; `${...}` parts match anything. Among
    several, the one closest to `near` (the file that names it)."""
    pattern = reference.strip().removeprefix("./")
    while "${" in pattern and "}" in pattern.split("${", 1)[1]:
        head, rest = pattern.split("${", 1)
        pattern = head + "*" + rest.split("}", 1)[1]
    if len(posixpath.basename(pattern).replace("*", "")) < 3:
        return ""  # `${var.buildspec}`: could be any file
    candidates = [
        p
        for p in paths
        if p == pattern or fnmatch.fnmatchcase(p, f"*/{pattern}") or fnmatch.fnmatchcase(p, pattern)
    ]
    if not candidates:
        return ""
    return max(candidates, key=lambda p: (_common_prefix_length(p, near), -len(p)))


def _link_buildspec(linked: LinkedProject, model: RepositoryModel, yaml_paths: list[str]) -> None:
    defined = linked.defined
    spec = defined.item.source.buildspec
    if "\n" in spec:
        anchor = defined.inline_buildspec_anchor or defined.line("buildspec")
        linked.buildspec = read_buildspec(defined.path, spec, defined.inline_buildspec_line, anchor)
        return
    if defined.item.source.type == "NO_SOURCE" and not spec:
        return
    linked.buildspec_file = _find_file(spec or DEFAULT_BUILDSPEC, defined.path, yaml_paths)
    if linked.buildspec_file:
        linked.buildspec = model.buildspec_files.get(linked.buildspec_file)


def _link_dockerfiles(linked: LinkedProject, dockerfiles: list[str]) -> None:
    if linked.buildspec is None:
        return
    near = linked.buildspec_file or linked.defined.path
    for command in linked.buildspec.commands:
        build = dockerfile_of_build(command.text)
        if build is None:
            continue
        dockerfile, context = build
        if "$" in context or "$" in dockerfile:
            continue
        # `-f` is relative to the working folder; without it the Dockerfile is in the context.
        reference = posixpath.normpath(
            dockerfile if dockerfile else posixpath.join(context or ".", "Dockerfile")
        )
        found = _find_file(reference, near, dockerfiles)
        if found and found not in linked.dockerfiles:
            linked.dockerfiles.append(found)


def build_model(files: list[RepoFile]) -> RepositoryModel:
    model = RepositoryModel()
    _definitions(files, model)
    for repo_file in files:
        if is_buildspec(repo_file.path):
            model.buildspec_files[repo_file.path] = read_buildspec(repo_file.path, repo_file.text)
    yaml_paths = [
        f.path
        for f in files
        if f.path.lower().endswith((".yml", ".yaml")) and not is_infrastructure(f.path, f.text)
    ]
    dockerfiles = [f.path for f in files if is_dockerfile(f.path)]
    for defined in model.definitions.projects:
        linked = LinkedProject(defined)
        linked.role = model.role(defined.item.service_role, defined.path)
        _link_buildspec(linked, model, yaml_paths)
        _link_dockerfiles(linked, dockerfiles)
        model.projects.append(linked)
    for pipeline in model.definitions.pipelines:
        for stage, action in pipeline.item.actions():
            if action.provider != "CodeBuild":
                continue
            if linked_project := model.project(
                action.configuration.get("ProjectName", ""), pipeline.path
            ):
                linked_project.actions.append(ActionRef(pipeline, stage, action))
    return model


_CACHE: OrderedDict[tuple[Any, ...], RepositoryModel] = OrderedDict()


def repository_model(snapshot: Snapshot) -> RepositoryModel:
    """The model of the snapshot's repository files (computed once per set of files)."""
    key = tuple((f.path, f.text) for f in snapshot.repo_files)
    if key in _CACHE:
        _CACHE.move_to_end(key)
        return _CACHE[key]
    model = build_model(snapshot.repo_files)
    _CACHE[key] = model
    if len(_CACHE) > 4:
        _CACHE.popitem(last=False)
    return model


def point_at_definitions(findings: list[Finding], model: RepositoryModel) -> None:
    """Findings about a resource (`role build`) get the `path:line` that defines it, when a
    scanned file does: code scanning shows them on that line."""
    places = model.locations()
    for finding in findings:
        _, _, line = finding.location.rpartition(":")
        if not line.isdigit() and (place := places.get(finding.resource)):
            finding.evidence.append(f"{finding.location} is defined at {place}")
            finding.location = place


def add_definitions_to_snapshot(snapshot: Snapshot) -> RepositoryModel:
    """Put what the repository defines into the snapshot (what it already has wins), so the
    snapshot-based rules (full-access policies on CI roles ...) also judge templates."""
    model = repository_model(snapshot)
    pairs: list[tuple[str, list[Any]]] = [
        ("projects", snapshot.projects),
        ("pipelines", snapshot.pipelines),
        ("roles", snapshot.roles),
        ("repositories", snapshot.ecr_repositories),
        ("task_definitions", snapshot.task_definitions),
        ("connections", snapshot.connections),
    ]
    for kind, target in pairs:
        known = {getattr(item, "arn", None) for item in target}
        for defined in getattr(model.definitions, kind):
            if defined.item.arn not in known:
                target.append(defined.item)
                known.add(defined.item.arn)
    return model
