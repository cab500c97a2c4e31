"""The linked picture of a delivery chain: which buildspec each project runs, under which role,
from which pipeline actions, and which Dockerfiles its builds build.

Built from `Snapshot.repo_files` merged with what the snapshot collected from AWS (so posture
rules see a live pipeline, a snapshot and a repository alike); the files are read once per set of
files, the linking is redone when the collected resources change.
"""

from __future__ import annotations

import fnmatch
import posixpath
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pipedoctor.knowledge.shell import dockerfile_of_build
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
from pipedoctor.sources.buildspec import (
    BuildspecFacts,
    read_buildspec,
    read_buildspec_template,
)
from pipedoctor.sources.cdk import GENERATED_NOTE, CdkAssets
from pipedoctor.sources.cloudformation import definitions_from_template, is_template
from pipedoctor.sources.collected import SNAPSHOT_LISTS, collected_items, merge_collected
from pipedoctor.sources.definitions import Defined, Definitions
from pipedoctor.sources.file_kinds import TERRAFORM_SUFFIXES, is_infrastructure
from pipedoctor.sources.hcl import load_hcl
from pipedoctor.sources.located import LocatedDoc, load_located_json, load_located_yaml
from pipedoctor.sources.pipeline_json import definitions_from_pipeline_json, is_pipeline_json
from pipedoctor.sources.policy_json import definitions_from_policy_json, is_policy_document
from pipedoctor.sources.project_json import definitions_from_project_json, is_project_json
from pipedoctor.sources.repository import (
    TEMPLATE_SUFFIXES,
    in_cdk_output,
    is_buildspec,
    is_buildspec_template,
    is_cdk_metadata,
    is_dockerfile,
)
from pipedoctor.sources.terraform import definitions_from_modules, definitions_from_plan, is_plan
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
    # Several files or roles fit and none is closer: not linked, the candidates are reported.
    buildspec_candidates: list[str] = field(default_factory=list)
    role_candidates: list[Defined[Role]] = field(default_factory=list)

    @property
    def project(self) -> Project:
        return self.defined.item


@dataclass
class RepositoryModel:
    definitions: Definitions = field(default_factory=Definitions)
    projects: list[LinkedProject] = field(default_factory=list)
    buildspec_files: dict[str, BuildspecFacts] = field(default_factory=dict)
    syntax_errors: list[tuple[str, ParseError]] = field(default_factory=list)
    # Project or task definition ARN -> Dockerfiles of the images it runs (CDK assets).
    image_dockerfiles: dict[str, list[str]] = field(default_factory=dict)

    def role_candidates(self, name_or_arn: str, near: str = "") -> list[Defined[Role]]:
        """The role so named: the one defined closest to `near` when several files define one;
        several when none is closer."""
        found = [d for d in self.definitions.roles if d.names(name_or_arn)]
        return _closest(found, near, lambda d: d.path)

    def role(self, name_or_arn: str, near: str = "") -> Defined[Role] | None:
        found = self.role_candidates(name_or_arn, near)
        return found[0] if len(found) == 1 else None

    def project(self, name: str, near: str = "") -> LinkedProject | None:
        found = [p for p in self.projects if p.defined.names(name)]
        closest = _closest(found, near, lambda p: p.defined.path)
        return closest[0] if len(closest) == 1 else None

    def locations(self) -> dict[str, str]:
        """ARN (and name) of every resource a file defines -> `path:line` of its definition."""
        found: dict[str, str] = {}
        for kind in (
            "roles",
            "projects",
            "pipelines",
            "repositories",
            "task_definitions",
            "connections",
            "policies",
        ):
            for defined in getattr(self.definitions, kind):
                if defined.collected:
                    continue
                item = defined.item
                for key in (getattr(item, "arn", ""), getattr(item, "name", ""), *defined.aliases):
                    if key:
                        found.setdefault(key, defined.at())
        return found

    def collected_only(self) -> set[str]:
        """ARNs of the resources known from AWS only (no file defines them)."""
        return {str(getattr(d.item, "arn", "")) for d in self.definitions.all() if d.collected}


def _closest(found: list[Any], near: str, path_of: Callable[[Any], str]) -> list[Any]:
    """The items defined closest to `near` (in its file, else sharing most of its folder)."""

    def score(item: Any) -> tuple[bool, int]:
        return path_of(item) == near, _common_prefix_length(path_of(item), near)

    best = max((score(item) for item in found), default=None)
    return [item for item in found if score(item) == best]


def _parse_structured(path: str, text: str) -> LocatedDoc:
    """YAML reads JSON too, and CloudFormation accepts the JSON-like templates only YAML reads
    (trailing commas); a `.json` file that neither reads reports its JSON error."""
    try:
        return load_located_yaml(text)
    except ParseError:
        if path.lower().endswith(".json"):
            return load_located_json(text)
        raise


# A synthesized resource and the asset folder its `aws:asset:path` metadata names.
AssetUse = tuple[Defined[Any], str]


def _definitions(files: list[RepoFile], model: RepositoryModel) -> list[AssetUse]:
    """Read every definition into the model; the CDK asset folders resources name."""
    modules: dict[str, list[tuple[str, LocatedDoc]]] = {}
    asset_uses: list[AssetUse] = []
    for repo_file in files:
        if (
            is_buildspec(repo_file.path)
            or is_cdk_metadata(repo_file.path)
            or not is_infrastructure(repo_file.path, repo_file.text)
        ):
            continue
        try:
            if repo_file.path.lower().endswith(TERRAFORM_SUFFIXES):
                directory = posixpath.dirname(repo_file.path)
                modules.setdefault(directory, []).append((repo_file.path, load_hcl(repo_file.text)))
                continue
            doc = _parse_structured(repo_file.path, repo_file.text)
        except ParseError as error:
            if not repo_file.path.lower().endswith(TEMPLATE_SUFFIXES):
                model.syntax_errors.append((repo_file.path, error))
            continue  # a template's placeholders need not be valid JSON: best effort
        if is_template(doc.data):
            found = definitions_from_template(repo_file.path, doc)
            if in_cdk_output(repo_file.path):
                _mark_generated(found)
                asset_uses += _asset_metadata(doc, found)
            model.definitions.extend(found)
        elif is_plan(doc.data):
            model.definitions.extend(
                definitions_from_plan(repo_file.path, repo_file.text, doc.data)
            )
        elif is_pipeline_json(doc.data):
            model.definitions.extend(definitions_from_pipeline_json(repo_file.path, doc))
        elif is_project_json(doc.data):
            model.definitions.extend(definitions_from_project_json(repo_file.path, doc))
        elif is_policy_document(doc.data):
            model.definitions.extend(definitions_from_policy_json(repo_file.path, doc))
    if modules:
        texts = {f.path: f.text for f in files}
        model.definitions.extend(definitions_from_modules(modules, texts))
    return asset_uses


def _mark_generated(found: Definitions) -> None:
    for kind in ("projects", "pipelines", "roles", "repositories", "task_definitions"):
        for defined in getattr(found, kind):
            defined.generated = True


def _asset_metadata(doc: LocatedDoc, found: Definitions) -> list[AssetUse]:
    """`aws:asset:path` metadata: the resource runs the image of that asset folder."""
    resources = doc.data.get("Resources") if isinstance(doc.data, dict) else None
    uses: list[AssetUse] = []
    for defined in [*found.projects, *found.task_definitions]:
        body = resources.get(defined.logical_id) if isinstance(resources, dict) else None
        metadata = body.get("Metadata") if isinstance(body, dict) else None
        asset = metadata.get("aws:asset:path") if isinstance(metadata, dict) else None
        if isinstance(asset, str):
            uses.append((defined, asset))
    return uses


def _common_prefix_length(a: str, b: str) -> int:
    return len(posixpath.commonprefix([posixpath.dirname(a), posixpath.dirname(b)]))


def _find_files(reference: str, near: str, paths: list[str], root: str) -> list[str]:
    """The repository file a project or buildspec names; `${...}` parts match anything. The file
    at that path from the repository's root, else the ones closest to `near` (the file that names
    it): several when none is closer."""
    pattern = reference.strip().removeprefix("./")
    while "${" in pattern and "}" in pattern.split("${", 1)[1]:
        head, rest = pattern.split("${", 1)
        pattern = head + "*" + rest.split("}", 1)[1]
    if len(posixpath.basename(pattern).replace("*", "")) < 3:
        return []  # `${var.buildspec}`: could be any file
    candidates = [
        p
        for p in paths
        if p == pattern or fnmatch.fnmatchcase(p, f"*/{pattern}") or fnmatch.fnmatchcase(p, pattern)
    ]
    from_root = posixpath.join(root, pattern) if root else pattern
    exact = [p for p in candidates if p in (pattern, from_root)]
    return exact[:1] or _closest(candidates, near, lambda p: p)


def _find_file(reference: str, near: str, paths: list[str], root: str) -> str:
    found = _find_files(reference, near, paths, root)
    return found[0] if len(found) == 1 else ""


def _link_buildspec(
    linked: LinkedProject, model: RepositoryModel, yaml_paths: list[str], root: str
) -> None:
    defined = linked.defined
    spec = defined.item.source.buildspec
    if "\n" in spec or "phases" in spec:  # inline (a one-line JSON one too), not a path
        anchor = defined.inline_buildspec_anchor or defined.line("buildspec")
        where = defined.path or defined.item.arn  # collected: lines of the project's buildspec
        linked.buildspec = read_buildspec(where, spec, defined.inline_buildspec_line, anchor)
        return
    if defined.item.source.type == "NO_SOURCE" and not spec:
        return
    found = _find_files(spec or DEFAULT_BUILDSPEC, defined.path, yaml_paths, root)
    if len(found) > 1:
        if "${" not in spec:  # a `${...}` path names one file per value: unknown, not ambiguous
            linked.buildspec_candidates = found
    elif found:
        linked.buildspec_file = found[0]
        linked.buildspec = model.buildspec_files.get(linked.buildspec_file)


def _link_role(linked: LinkedProject, model: RepositoryModel) -> None:
    found = model.role_candidates(linked.defined.item.service_role, linked.defined.path)
    if len(found) > 1:  # one module block read for several calls: the project's own call's role
        found = [d for d in found if d.scope == linked.defined.scope] or found
    if len(found) > 1:
        linked.role_candidates = found
    elif found:
        linked.role = found[0]


def _link_dockerfiles(linked: LinkedProject, dockerfiles: list[str], root: str) -> None:
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
        found = _find_file(reference, near, dockerfiles, root)
        if found and found not in linked.dockerfiles:
            linked.dockerfiles.append(found)


def _root(files: list[RepoFile]) -> str:
    """The folder every file is in (the repository a PATH names)."""
    folders = [posixpath.dirname(f.path) for f in files]
    if not folders:
        return ""
    try:
        return posixpath.commonpath(folders)
    except ValueError:  # absolute and relative paths mixed
        return ""


def _link_cdk_assets(
    model: RepositoryModel, files: list[RepoFile], asset_uses: list[AssetUse]
) -> None:
    assets = CdkAssets(files)
    for defined, folder in asset_uses:
        if found := assets.at_path(defined.path, folder):
            model.image_dockerfiles.setdefault(defined.item.arn, []).append(found)
    for linked in model.projects:
        if not linked.defined.generated:
            continue
        project = linked.project
        for path in assets.named_in(project.environment.image):
            model.image_dockerfiles.setdefault(project.arn, []).append(path)
        commands = " ".join(c.text for c in linked.buildspec.commands) if linked.buildspec else ""
        for path in assets.named_in(commands):  # `cdk-assets publish <hash>:...` builds it
            if path not in linked.dockerfiles:
                linked.dockerfiles.append(path)
    for task in model.definitions.task_definitions:
        if task.generated:
            for container in task.item.containers:
                for path in assets.named_in(container.image):
                    model.image_dockerfiles.setdefault(task.item.arn, []).append(path)
    for arn, paths in model.image_dockerfiles.items():
        model.image_dockerfiles[arn] = list(dict.fromkeys(paths))


def _read_buildspec_file(repo_file: RepoFile) -> BuildspecFacts:
    """A buildspec; one that is a template under a buildspec's name is read as a template."""
    facts = read_buildspec(repo_file.path, repo_file.text)
    if facts.error is not None and ("{{" in repo_file.text or "%{" in repo_file.text):
        templated = read_buildspec_template(repo_file.path, repo_file.text)
        return templated if templated.error is None else facts
    return facts


@dataclass
class _FilesRead:
    """What reading one repository's files gives, before linking."""

    definitions: Definitions
    buildspec_files: dict[str, BuildspecFacts]
    syntax_errors: list[tuple[str, ParseError]]
    asset_uses: list[AssetUse]

    def item_ids(self) -> set[int]:
        return {id(defined.item) for defined in self.definitions.all()}


def _read_files(files: list[RepoFile]) -> _FilesRead:
    model = RepositoryModel()
    asset_uses = _definitions(files, model)
    for repo_file in files:
        if is_buildspec(repo_file.path):
            model.buildspec_files[repo_file.path] = _read_buildspec_file(repo_file)
        elif is_buildspec_template(repo_file.path):
            model.buildspec_files[repo_file.path] = read_buildspec_template(
                repo_file.path, repo_file.text
            )
    return _FilesRead(model.definitions, model.buildspec_files, model.syntax_errors, asset_uses)


def _link(files: list[RepoFile], read: _FilesRead, definitions: Definitions) -> RepositoryModel:
    model = RepositoryModel(definitions, [], read.buildspec_files, read.syntax_errors)
    root = _root(files)
    buildspec_paths = [
        f.path
        for f in files
        if (f.path.lower().endswith((".yml", ".yaml")) and not is_infrastructure(f.path, f.text))
        or is_buildspec_template(f.path)
    ]
    dockerfiles = [f.path for f in files if is_dockerfile(f.path) and not in_cdk_output(f.path)]
    for defined in model.definitions.projects:
        linked = LinkedProject(defined)
        _link_role(linked, model)
        _link_buildspec(linked, model, buildspec_paths, root)
        _link_dockerfiles(linked, dockerfiles, root)
        model.projects.append(linked)
    _link_cdk_assets(model, files, read.asset_uses)
    for pipeline in model.definitions.pipelines:
        for stage, action in pipeline.item.actions():
            if action.provider != "CodeBuild":
                continue
            if linked_project := model.project(
                action.configuration.get("ProjectName", ""), pipeline.path
            ):
                linked_project.actions.append(ActionRef(pipeline, stage, action))
    return model


def build_model(files: list[RepoFile], collected: Snapshot | None = None) -> RepositoryModel:
    """The linked model of one repository's files (link across repositories by building one
    model per repository), merged with what `collected` holds from AWS."""
    read = _read_files(files)
    definitions = read.definitions
    if collected is not None:
        definitions = merge_collected(definitions, collected, read.item_ids())
    return _link(files, read, definitions)


_FILES_CACHE: OrderedDict[tuple[Any, ...], _FilesRead] = OrderedDict()
# (files, ids of the collected resources) -> (the model, those resources: kept alive so that
# their ids cannot be reused while the entry stands).
_CACHE: OrderedDict[tuple[Any, ...], tuple[RepositoryModel, list[Any]]] = OrderedDict()
_CACHE_SIZE = 4


def _cached(cache: OrderedDict[tuple[Any, ...], Any], key: tuple[Any, ...], make: Any) -> Any:
    if key in cache:
        cache.move_to_end(key)
        return cache[key]
    cache[key] = value = make()
    if len(cache) > _CACHE_SIZE:
        cache.popitem(last=False)
    return value


def repository_model(snapshot: Snapshot) -> RepositoryModel:
    """The model of the snapshot's repository files and collected resources (the files read
    once per set of files, the model built once per set of collected resources)."""
    files_key = tuple((f.path, f.text) for f in snapshot.repo_files)
    read: _FilesRead = _cached(_FILES_CACHE, files_key, lambda: _read_files(snapshot.repo_files))
    own = read.item_ids()
    collected = [
        item
        for kind in SNAPSHOT_LISTS
        for item in collected_items(snapshot, kind)
        if id(item) not in own
    ]
    key = (files_key, tuple(id(item) for item in collected))

    def make() -> tuple[RepositoryModel, list[Any]]:
        definitions = merge_collected(read.definitions, snapshot, own)
        return _link(snapshot.repo_files, read, definitions), collected

    model: RepositoryModel = _cached(_CACHE, key, make)[0]
    return model


def point_at_definitions(findings: list[Finding], model: RepositoryModel) -> None:
    """Findings about a resource (`role build`) get the `path:line` that defines it, when a
    scanned file does: code scanning shows them on that line. Findings in CDK output say so."""
    places, from_aws = model.locations(), model.collected_only()
    for finding in findings:
        _, _, line = finding.location.rpartition(":")
        if not line.isdigit() and (place := places.get(finding.resource)):
            finding.evidence.append(f"{finding.location} is defined at {place}")
            finding.location = place
        path = finding.location.rpartition(":")[0]
        if in_cdk_output(path):
            finding.evidence.append(GENERATED_NOTE.format(path=path))
        arn = finding.location if finding.location in from_aws else path
        if arn in from_aws:
            finding.evidence.append(f"{arn} was read from AWS: no repository file defines it")


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
            if not (defined.collected or defined.aliases) and defined.item.arn not in known:
                target.append(defined.item)
                known.add(defined.item.arn)
    return model
