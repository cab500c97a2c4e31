"""CodeBuild projects written in the API's JSON shape: `aws codebuild create-project
--cli-input-json file://project.json` input, its `{"project": ...}` answer and BatchGetProjects'
`{"projects": [...]}`, mapped as the collector maps them, with lines."""

from __future__ import annotations

from typing import Any

from pipedoctor.model.from_api import project_from_api
from pipedoctor.sources.definitions import UNKNOWN_ACCOUNT, UNKNOWN_REGION, Defined, Definitions
from pipedoctor.sources.located import LocatedDoc


def _is_project(data: Any) -> bool:
    return (
        isinstance(data, dict)
        and isinstance(data.get("name"), str)
        and isinstance(data.get("source"), dict)
        and isinstance(data.get("environment"), dict)
    )


def _projects(data: Any) -> list[tuple[tuple[Any, ...], dict[str, Any]]]:
    if _is_project(data):
        return [((), data)]
    if isinstance(data, dict) and _is_project(data.get("project")):
        return [(("project",), data["project"])]
    if isinstance(data, dict) and isinstance(data.get("projects"), list):
        return [(("projects", i), p) for i, p in enumerate(data["projects"]) if _is_project(p)]
    return []


# Where the API takes an object, and the texts it takes in them ("" : the project itself).
_SHAPE = {
    "": ("name", "arn", "serviceRole", "encryptionKey"),
    "source": ("type", "location", "buildspec"),
    "environment": ("type", "image", "computeType", "imagePullCredentialsType"),
    "logsConfig": (),
    "vpcConfig": ("vpcId",),
}


def _accepted(raw: dict[str, Any]) -> bool:
    """A project the API would accept: objects and texts where it takes them, named variables
    (what a file says may have any type where the API guarantees one)."""
    for block, texts in _SHAPE.items():
        body = raw.get(block, {}) if block else raw
        if not isinstance(body, dict) or any(
            not isinstance(body.get(key, ""), str) for key in texts
        ):
            return False
    variables = raw.get("environment", {}).get("environmentVariables", [])
    return isinstance(variables, list) and all(
        isinstance(v, dict)
        and isinstance(v.get("name"), str)
        and all(isinstance(v.get(key, ""), str) for key in ("value", "type"))
        for v in variables
    )


def is_project_json(data: Any) -> bool:
    return bool(_projects(data))


def definitions_from_project_json(path: str, doc: LocatedDoc) -> Definitions:
    out = Definitions()
    for base, raw in _projects(doc.data):
        if not _accepted(raw):
            continue
        project = project_from_api(raw, UNKNOWN_REGION)
        project.arn = (
            project.arn
            or f"arn:aws:codebuild:{UNKNOWN_REGION}:{UNKNOWN_ACCOUNT}:project/{project.name}"
        )

        def line(*sub: Any, base: tuple[Any, ...] = base) -> int:
            return doc.line((*base, *sub))

        defined: Defined[Any] = Defined(project, path, project.name, {"resource": line()})
        defined.lines.update(
            environment=line("environment"),
            privileged_mode=line("environment", "privilegedMode"),
            image=line("environment", "image"),
            service_role=line("serviceRole"),
            buildspec=line("source", "buildspec"),
        )
        for index, variable in enumerate(project.environment.variables):
            defined.lines[f"env:{variable.name}"] = line(
                "environment", "environmentVariables", index
            )
        if "\n" in project.source.buildspec:  # a JSON string: its lines are not the file's
            defined.inline_buildspec_anchor = defined.lines["buildspec"]
        out.projects.append(defined)
    return out
