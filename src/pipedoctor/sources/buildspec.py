"""Buildspecs read once: with file lines (commands, env, runtime versions, artifacts), also when
inlined in a template, or as a plain mapping; and the ECR images a build pushes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pipedoctor.knowledge.images import ecr_image
from pipedoctor.knowledge.shell import push_targets, resolve_variables, with_assignments
from pipedoctor.sources.buildspec_template import render_buildspec_template
from pipedoctor.sources.located import LocatedDoc, load_located_json, load_located_yaml
from pipedoctor.textparse import ParseError, parse_yaml

PHASES = ["install", "pre_build", "build", "post_build"]


@dataclass
class Command:
    text: str
    line: int  # file line
    phase: str


@dataclass
class BuildspecFacts:
    path: str  # the file holding it (a buildspec file, or the template it is inlined in)
    commands: list[Command] = field(default_factory=list)
    env_variables: dict[str, int] = field(
        default_factory=dict
    )  # env.variables / parameter-store / secrets-manager
    exported_variables: dict[str, int] = field(default_factory=dict)
    runtime_versions: dict[str, tuple[str, int]] = field(default_factory=dict)
    artifact_files: list[str] = field(default_factory=list)
    secondary_artifact_files: dict[str, list[str]] = field(default_factory=dict)
    artifacts_line: int = 1
    artifacts_base_directory: str = ""
    shell: str = ""
    # Variables of a buildspec template, filled in before CodeBuild reads it: defined, unknown.
    template_variables: dict[str, int] = field(default_factory=dict)
    error: ParseError | None = None
    error_line: int = 1


class _Lines:
    """Buildspec line -> file line: an offset for files and literal blocks, else one anchor."""

    def __init__(self, doc: LocatedDoc, first_line: int | None, anchor: int) -> None:
        self.doc, self.first_line, self.anchor = doc, first_line, anchor

    def __call__(self, *path: Any) -> int:
        if self.first_line is None:
            return self.anchor
        return self.first_line + self.doc.line(path) - 1


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [str(item) for item in value] if isinstance(value, list) else []


def read_buildspec(
    path: str, text: str, first_line: int | None = 1, anchor: int = 1
) -> BuildspecFacts:
    """`first_line`: the file line of the buildspec's line 1 (None when lines do not map, e.g. a
    JSON string in a template: everything then points at `anchor`)."""
    facts = BuildspecFacts(path=path)
    try:
        stripped = text.lstrip()
        doc = load_located_json(text) if stripped.startswith("{") else load_located_yaml(text)
    except ParseError as error:
        facts.error = error
        facts.error_line = (
            (first_line + (error.line or 1) - 1) if first_line is not None else anchor
        )
        return facts

    data = doc.data if isinstance(doc.data, dict) else {}
    line = _Lines(doc, first_line, anchor)
    env = data.get("env") if isinstance(data.get("env"), dict) else {}
    for section in ("variables", "parameter-store", "secrets-manager"):
        if isinstance(env.get(section), dict):
            for name in env[section]:
                facts.env_variables[str(name)] = line("env", section, name)
    for index, name in enumerate(_strings(env.get("exported-variables"))):
        facts.exported_variables[name] = line("env", "exported-variables", index)
    facts.shell = str(env.get("shell", ""))
    phases = data.get("phases") if isinstance(data.get("phases"), dict) else {}
    for phase in PHASES:
        body = phases.get(phase)
        if not isinstance(body, dict):
            continue
        for index, command in enumerate(body.get("commands") or []):
            if isinstance(command, str):
                facts.commands.append(
                    Command(command, line("phases", phase, "commands", index), phase)
                )
        finally_commands = body.get("finally")
        for index, command in enumerate(
            finally_commands if isinstance(finally_commands, list) else []
        ):
            if isinstance(command, str):
                facts.commands.append(
                    Command(command, line("phases", phase, "finally", index), phase)
                )
        if phase == "install" and isinstance(body.get("runtime-versions"), dict):
            for language, version in body["runtime-versions"].items():
                path = ("phases", phase, "runtime-versions", language)
                written = doc.number_texts.get(path, str(version))
                facts.runtime_versions[str(language)] = (written, line(*path))
    artifacts = data.get("artifacts") if isinstance(data.get("artifacts"), dict) else {}
    facts.artifact_files = _strings(artifacts.get("files"))
    facts.artifacts_line = line("artifacts")
    facts.artifacts_base_directory = str(artifacts.get("base-directory") or "")
    secondary = artifacts.get("secondary-artifacts")
    if isinstance(secondary, dict):
        for identifier, body in secondary.items():
            if isinstance(body, dict):
                facts.secondary_artifact_files[str(identifier)] = _strings(body.get("files"))
    return facts


def read_buildspec_template(path: str, text: str) -> BuildspecFacts:
    """A buildspec template read as the buildspec it renders to, its variables left unknown."""
    rendered, variables = render_buildspec_template(text)
    facts = read_buildspec(path, rendered)
    facts.template_variables = variables
    for name, line in variables.items():
        facts.env_variables.setdefault(name, line)
    return facts


def parse_buildspec(text: str) -> dict[str, Any]:
    """The buildspec as a mapping ({} for anything else); raises ParseError on invalid YAML."""
    data = parse_yaml(text)
    return data if isinstance(data, dict) else {}


def commands(buildspec: dict[str, Any]) -> list[str]:
    phases = buildspec.get("phases") or {}
    found: list[str] = []
    for phase in PHASES:
        body = phases.get(phase) if isinstance(phases, dict) else None
        if isinstance(body, dict) and isinstance(body.get("commands"), list):
            found += [command for command in body["commands"] if isinstance(command, str)]
    return found


def pushed_ecr_repositories(buildspec: dict[str, Any], env: dict[str, str]) -> list[tuple[str, str, str]]:
    """(account, region, repository name) of every ECR image `docker push`ed."""
    env = with_assignments(commands(buildspec), env)
    targets = []
    for command in commands(buildspec):
        for target in push_targets(command):
            image = ecr_image(resolve_variables(target, env).strip("\"'"))
            if image is not None and (entry := (image.account, image.region, image.repository)) not in targets:
                targets.append(entry)
    return targets
