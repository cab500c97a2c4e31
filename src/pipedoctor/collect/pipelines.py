"""CodePipeline definitions: `get_pipeline` -> Pipeline."""

from __future__ import annotations

from typing import Any

from pipedoctor import redact
from pipedoctor.collect.reader import Reader
from pipedoctor.model import ArtifactStore, GitTrigger, Pipeline, PipelineAction, PipelineStage


def list_pipeline_names(reader: Reader, client: Any) -> list[str]:
    pages = reader.pages(client, "list_pipelines") or []
    return [summary["name"] for page in pages for summary in page.get("pipelines", [])]


def get_pipeline(client: Any, name: str, region: str) -> Pipeline:
    """Raises the ClientError (PipelineNotFoundException ...) so the caller decides what it means."""
    response = client.get_pipeline(name=name)
    return to_pipeline(response["pipeline"], response.get("metadata", {}), region)


def to_pipeline(raw: dict[str, Any], metadata: dict[str, Any], region: str) -> Pipeline:
    return Pipeline(
        name=raw["name"],
        arn=metadata.get("pipelineArn", ""),
        role_arn=raw.get("roleArn", ""),
        region=region,
        pipeline_type=raw.get("pipelineType", "V1"),
        version=int(raw.get("version", 1)),
        stages=[
            PipelineStage(
                name=stage["name"], actions=[_action(a) for a in stage.get("actions", [])]
            )
            for stage in raw.get("stages", [])
        ],
        artifact_stores=_artifact_stores(raw),
        triggers=[_trigger(t) for t in raw.get("triggers", []) if "gitConfiguration" in t],
        variables={v["name"]: v.get("defaultValue", "") for v in raw.get("variables", [])},
    )


def _action(raw: dict[str, Any]) -> PipelineAction:
    type_id = raw.get("actionTypeId", {})
    return PipelineAction(
        name=raw["name"],
        category=type_id.get("category", ""),
        provider=type_id.get("provider", ""),
        owner=type_id.get("owner", "AWS"),
        configuration=redact.action_configuration(raw.get("configuration", {})),
        input_artifacts=[a["name"] for a in raw.get("inputArtifacts", [])],
        output_artifacts=[a["name"] for a in raw.get("outputArtifacts", [])],
        role_arn=raw.get("roleArn"),
        namespace=raw.get("namespace"),
        region=raw.get("region"),
        run_order=int(raw.get("runOrder", 1)),
    )


def _artifact_stores(raw: dict[str, Any]) -> list[ArtifactStore]:
    stores = [(None, raw["artifactStore"])] if "artifactStore" in raw else []
    stores += list(raw.get("artifactStores", {}).items())
    return [
        ArtifactStore(
            type=store.get("type", "S3"),
            location=store.get("location", ""),
            kms_key_id=store.get("encryptionKey", {}).get("id"),
            region=region,
        )
        for region, store in stores
    ]


def _trigger(raw: dict[str, Any]) -> GitTrigger:
    git = raw["gitConfiguration"]
    pushes = git.get("push", [])
    return GitTrigger(
        source_action=git.get("sourceActionName", ""),
        on_push_tags=[tag for push in pushes for tag in push.get("tags", {}).get("includes", [])],
        on_push_branches=[
            branch for push in pushes for branch in push.get("branches", {}).get("includes", [])
        ],
        on_pull_request=bool(git.get("pullRequest")),
    )
