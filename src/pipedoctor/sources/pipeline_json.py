"""Pipeline structures in the `get-pipeline` / `create-pipeline` JSON shape (camelCase keys).

CloudFormation's `AWS::CodePipeline::Pipeline` has the same structure with capitalised keys;
`camel_keys` turns it into this shape so both go through `pipeline_from_structure`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pipedoctor.model import ArtifactStore, GitTrigger, Pipeline, PipelineAction, PipelineStage
from pipedoctor.sources.definitions import UNKNOWN_ACCOUNT, UNKNOWN_REGION, Defined, Definitions
from pipedoctor.sources.located import LocatedDoc

Render = Callable[[Any], Any]  # resolves template expressions in a value
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


def _text(value: Any, render: Render) -> str:
    rendered = render(value)
    if isinstance(rendered, bool):
        return "true" if rendered else "false"
    if isinstance(rendered, dict | list):
        import json

        return json.dumps(rendered)
    return "" if rendered is None else str(rendered)


def _names(items: Any, render: Render) -> list[str]:
    if not isinstance(items, list):
        return []
    return [_text(item.get("name"), render) for item in items if isinstance(item, dict)]


def _trigger(raw: dict[str, Any], render: Render) -> GitTrigger | None:
    git = raw.get("gitConfiguration")
    if not isinstance(git, dict):
        return None
    trigger = GitTrigger(source_action=_text(git.get("sourceActionName"), render))
    for push in git.get("push") or []:
        if not isinstance(push, dict):
            continue
        tags = push.get("tags") if isinstance(push.get("tags"), dict) else {}
        branches = push.get("branches") if isinstance(push.get("branches"), dict) else {}
        trigger.on_push_tags += [_text(t, render) for t in tags.get("includes") or []]
        trigger.on_push_branches += [_text(b, render) for b in branches.get("includes") or []]
    trigger.on_pull_request = bool(git.get("pullRequest"))
    return trigger


def pipeline_from_structure(
    structure: dict[str, Any],
    render: Render,
    name: str,
    line_of: Callable[[tuple[Any, ...]], int],
) -> tuple[Pipeline, dict[str, int]]:
    """The Pipeline and the lines of its actions ("action:S/A") and their settings
    ("config:S/A:Key"); `line_of` takes a path below the structure."""
    pipeline = Pipeline(
        name=name,
        arn=f"arn:aws:codepipeline:{UNKNOWN_REGION}:{UNKNOWN_ACCOUNT}:{name}",
        role_arn=_text(structure.get("roleArn"), render),
        region=UNKNOWN_REGION,
        pipeline_type=_text(structure.get("pipelineType"), render) or "V1",
    )
    lines: dict[str, int] = {"role": line_of(("roleArn",))}
    store = structure.get("artifactStore")
    if isinstance(store, dict):
        key = store.get("encryptionKey") if isinstance(store.get("encryptionKey"), dict) else {}
        pipeline.artifact_stores.append(
            ArtifactStore(
                type=_text(store.get("type"), render) or "S3",
                location=_text(store.get("location"), render),
                kms_key_id=_text(key.get("id"), render) or None,
            )
        )
    for s_index, raw_stage in enumerate(structure.get("stages") or []):
        if not isinstance(raw_stage, dict):
            continue
        stage = PipelineStage(name=_text(raw_stage.get("name"), render))
        for a_index, raw in enumerate(raw_stage.get("actions") or []):
            if not isinstance(raw, dict):
                continue
            type_id = raw.get("actionTypeId") if isinstance(raw.get("actionTypeId"), dict) else {}
            configuration = (
                raw.get("configuration") if isinstance(raw.get("configuration"), dict) else {}
            )
            action = PipelineAction(
                name=_text(raw.get("name"), render),
                category=_text(type_id.get("category"), render),
                provider=_text(type_id.get("provider"), render),
                owner=_text(type_id.get("owner"), render) or "AWS",
                configuration={str(k): _text(v, render) for k, v in configuration.items()},
                input_artifacts=_names(raw.get("inputArtifacts"), render),
                output_artifacts=_names(raw.get("outputArtifacts"), render),
                role_arn=_text(raw.get("roleArn"), render) or None,
                namespace=_text(raw.get("namespace"), render) or None,
                region=_text(raw.get("region"), render) or None,
            )
            stage.actions.append(action)
            where = f"{stage.name}/{action.name}"
            base = ("stages", s_index, "actions", a_index)
            lines[f"action:{where}"] = line_of(base)
            for key in configuration:
                lines[f"config:{where}:{key}"] = line_of((*base, "configuration", key))
        pipeline.stages.append(stage)
    for t_index, raw in enumerate(structure.get("triggers") or []):
        if isinstance(raw, dict) and (trigger := _trigger(raw, render)) is not None:
            pipeline.triggers.append(trigger)
            lines.setdefault("triggers", line_of(("triggers", t_index)))
    for raw in structure.get("variables") or []:
        if isinstance(raw, dict) and raw.get("name"):
            pipeline.variables[_text(raw["name"], render)] = _text(raw.get("defaultValue"), render)
    return pipeline, lines


def _identity(value: Any) -> Any:
    return value


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
    pipeline, lines = pipeline_from_structure(
        structure, _identity, name, lambda sub: doc.line((*base, *sub))
    )
    lines["resource"] = doc.line(base)
    return Definitions(pipelines=[Defined(pipeline, path, name, lines)])
