"""Configuration checks on artifacts: the files a deploy action reads from a build's output."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterator
from typing import Any

from pipedoctor.diagnose.hit import Hit
from pipedoctor.diagnose.posture.common import LIST_ITEM, usable_buildspec
from pipedoctor.model import Pipeline, Snapshot
from pipedoctor.model.findings import TextEdit
from pipedoctor.sources.buildspec import BuildspecFacts
from pipedoctor.sources.definitions import Defined, is_unresolved
from pipedoctor.sources.repository_model import LinkedProject, RepositoryModel, repository_model

_DEPLOY_IMAGE_FILES = {"imagedefinitions.json", "imagedetail.json"}



def _required_files(provider: str, configuration: dict[str, str]) -> list[tuple[str, str]]:
    """(artifact name or "" for the first input, file) a deploy action reads."""
    if provider == "ECS":
        return [("", configuration.get("FileName") or "imagedefinitions.json")]
    if provider == "CodeDeployToECS":
        needs = []
        if configuration.get("Image1ArtifactName"):
            needs.append((configuration["Image1ArtifactName"], "imageDetail.json"))
        if configuration.get("TaskDefinitionTemplateArtifact"):
            needs.append(
                (
                    configuration["TaskDefinitionTemplateArtifact"],
                    configuration.get("TaskDefinitionTemplatePath") or "taskdef.json",
                )
            )
        if configuration.get("AppSpecTemplateArtifact"):
            needs.append(
                (
                    configuration["AppSpecTemplateArtifact"],
                    configuration.get("AppSpecTemplatePath") or "appspec.yaml",
                )
            )
        return needs
    return []


def _covers(patterns: list[str], required: str) -> bool:
    """Whether artifacts.files ships `required`, written at the top of the source folder (where
    the build's commands write it unless they change folder)."""
    for pattern in patterns:
        pattern = pattern.strip().removeprefix("./")
        if "$" in pattern:
            return True  # resolved at build time: cannot tell
        while pattern.startswith("**/"):
            pattern = pattern[3:]
        if pattern in ("**", "") or fnmatch.fnmatchcase(required, pattern):
            return True
    return False


def _producer(pipeline: Pipeline, artifact: str) -> Any:
    return next(
        ((s, a) for s, a in pipeline.actions() if artifact in a.output_artifacts), (None, None)
    )


def _deploy_inputs(
    model: RepositoryModel,
) -> Iterator[tuple[Defined[Pipeline], str, str, str, LinkedProject, BuildspecFacts, list[str]]]:
    """(pipeline, deploy action, artifact, required file, producing project, its buildspec, files)."""
    for pipeline in model.definitions.pipelines:
        if "stages" in pipeline.unknown:
            continue
        for stage, action in pipeline.item.actions():
            for artifact, required in _required_files(action.provider, action.configuration):
                artifact = artifact or (action.input_artifacts[0] if action.input_artifacts else "")
                _, producer = _producer(pipeline.item, artifact)
                if producer is None or producer.provider != "CodeBuild" or is_unresolved(required):
                    continue
                linked = model.project(producer.configuration.get("ProjectName", ""), pipeline.path)
                facts = usable_buildspec(linked) if linked else None
                if linked is None or facts is None:
                    continue
                primary = not producer.output_artifacts or producer.output_artifacts[0] == artifact
                files = (
                    facts.artifact_files
                    if primary
                    else facts.secondary_artifact_files.get(artifact)
                )
                if files is None or facts.artifacts_base_directory:
                    continue  # a base-directory moves where files are looked for
                yield (
                    pipeline,
                    f"{stage.name}/{action.name}",
                    artifact,
                    required,
                    linked,
                    facts,
                    files,
                )


def _writes(facts: BuildspecFacts, name: str) -> bool:
    return any(name.lower() in command.text.lower() for command in facts.commands)


_FILES_KEY = re.compile(r"^(?P<indent>\s*)files\s*:\s*(?P<rest>.*)$")


def _artifact_file_edits(snapshot: Snapshot, facts: BuildspecFacts, required: str) -> list[TextEdit]:
    """The edit that lists `required` first in the buildspec's `artifacts.files`, when the build
    writes it at the top of its working folder and the list is written one way or the other."""
    if facts.artifacts_base_directory or not _writes(facts, required):
        return []
    text = snapshot.repo_text(facts.path)
    lines = text.splitlines()
    if not 0 < facts.artifacts_line <= len(lines):
        return []
    heading = lines[facts.artifacts_line - 1]
    artifacts_indent = len(heading) - len(heading.lstrip())
    for number in range(facts.artifacts_line + 1, len(lines) + 1):
        line = lines[number - 1]
        if line.strip() and len(line) - len(line.lstrip()) <= artifacts_indent:
            return []  # past the artifacts section
        found = _FILES_KEY.match(line)
        if found is None:
            continue
        rest = found["rest"]
        if rest.startswith("["):
            return [TextEdit(facts.path, number, "[", f"[{required}, ", line.index("[") + 1)]
        following = lines[number] if number < len(lines) else ""
        item = LIST_ITEM.match(following)
        if not rest and item is not None:
            old = f"- {item['command']}"
            return [TextEdit(facts.path, number + 1, old, f"- {required}\n{item['indent']}{old}", len(item["indent"]) + 1)]
        return []
    return []


def deploy_file_not_in_artifact(snapshot: Snapshot, params: dict[str, Any]) -> Iterator[Hit]:
    """A deploy action reads a file the producing build's artifact does not contain."""
    wrong_image_file = params.get("wrong_image_file", False)
    for pipeline, where, artifact, required, linked, facts, files in _deploy_inputs(
        repository_model(snapshot)
    ):
        if _covers(files, required):
            continue
        other = (
            next((f for f in _DEPLOY_IMAGE_FILES if f != required.lower()), "")
            if required.lower() in _DEPLOY_IMAGE_FILES
            else ""
        )
        swapped = bool(other) and (
            _covers(files, "imageDetail.json" if other == "imagedetail.json" else other)
            or _writes(facts, other)
        )
        if swapped != wrong_image_file:
            continue
        location = f"{facts.path}:{facts.artifacts_line}"
        yield Hit(
            facts={
                "action": where,
                "artifact": artifact,
                "file_needed": required,
                "project.name": linked.project.name,
                "artifact.files": ", ".join(files) or "(none)",
                "file": facts.path,
                "line": facts.artifacts_line,
            },
            location=location,
            resource=f"{pipeline.item.arn}#{where}#{required}",
            evidence=[
                f"{pipeline.at(f'action:{where}')}: {where} reads {required} from {artifact}",
                f"{location}: {linked.project.name}'s artifact holds {', '.join(files) or 'no files'}",
            ],
            edits=_artifact_file_edits(snapshot, facts, required) if not wrong_image_file else [],
        )
