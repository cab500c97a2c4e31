"""Pipeline structures in the `get-pipeline` / `create-pipeline` JSON shape (camelCase keys),
mapped by `model.from_api` as the collector maps them, with their lines.

CloudFormation's `AWS::CodePipeline::Pipeline` has the same structure with capitalised keys;
`camel_keys` turns it into this shape; Terraform's blocks are put in it by its reader.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pipedoctor.model import Pipeline
from pipedoctor.model.from_api import pipeline_from_api
from pipedoctor.sources.definitions import UNKNOWN_ACCOUNT, UNKNOWN_REGION, Defined, Definitions
from pipedoctor.sources.located import LocatedDoc

_INTRINSIC_KEYS = {"Ref", "Condition"}


def camel_keys(value: Any, keep_below: frozenset[str] = frozenset({"Configuration"})) -> Any:
    """`{"Stages": [{"Name": ...}]}` -> `{"stages": [{"name": ...}]}`; action configuration
    keys (ProjectName, BranchName ...) are the same in every shape and stay as they are."""
    if isinstance(value, dict):
        if (
            len(value) == 1
            and next(iter(value)) in _INTRINSIC_KEYS
            or any(isinstance(key, str) and key.startswith("Fn::") for key in value)
        ):
            return value  # a CloudFormation function, resolved later
        return {
            (key[:1].lower() + key[1:] if isinstance(key, str) else key): (
                item if key in keep_below else camel_keys(item, keep_below)
            )
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [camel_keys(item, keep_below) for item in value]
    return value


def _indexed(items: Any) -> list[tuple[int, dict[str, Any]]]:
    """(index, item) of the objects of a list, as the mapping reads them (others skipped)."""
    return [(i, item) for i, item in enumerate(items) if isinstance(item, dict)] if isinstance(items, list) else []


def pipeline_lines(
    pipeline: Pipeline, structure: dict[str, Any], line_of: Callable[[tuple[Any, ...]], int]
) -> dict[str, int]:
    """The lines of a pipeline's role, actions ("action:S/A"), their settings ("config:S/A:Key")
    and triggers; `line_of` takes a path below the API-shaped structure it was mapped from."""
    lines: dict[str, int] = {"role": line_of(("roleArn",))}
    for (s_index, raw_stage), stage in zip(_indexed(structure.get("stages")), pipeline.stages, strict=False):
        for (a_index, raw), action in zip(_indexed(raw_stage.get("actions")), stage.actions, strict=False):
            where = f"{stage.name}/{action.name}"
            base = ("stages", s_index, "actions", a_index)
            lines[f"action:{where}"] = line_of(base)
            configuration = raw.get("configuration")
            for key in configuration if isinstance(configuration, dict) else {}:
                lines[f"config:{where}:{key}"] = line_of((*base, "configuration", key))
    for t_index, raw in _indexed(structure.get("triggers")):
        if isinstance(raw.get("gitConfiguration"), dict):
            lines.setdefault("triggers", line_of(("triggers", t_index)))
    return lines


def is_pipeline_json(data: Any) -> bool:
    body = data.get("pipeline", data) if isinstance(data, dict) else None
    return (
        isinstance(body, dict)
        and isinstance(body.get("stages"), list)
        and any(isinstance(stage, dict) and "actions" in stage for stage in body["stages"])
    )


def definitions_from_pipeline_json(path: str, doc: LocatedDoc) -> Definitions:
    """A `get-pipeline` response (`{"pipeline": {...}}`) or a bare pipeline structure."""
    data = doc.data
    base: tuple[Any, ...] = ("pipeline",) if isinstance(data.get("pipeline"), dict) else ()
    structure = data["pipeline"] if base else data
    name = str(structure.get("name") or path.rsplit("/", 1)[-1])
    arn = f"arn:aws:codepipeline:{UNKNOWN_REGION}:{UNKNOWN_ACCOUNT}:{name}"
    pipeline = pipeline_from_api({**structure, "name": name}, UNKNOWN_REGION, arn)
    lines = pipeline_lines(pipeline, structure, lambda sub: doc.line((*base, *sub)))
    lines["resource"] = doc.line(base)
    return Definitions(pipelines=[Defined(pipeline, path, name, lines)])
