"""CodePipeline definitions: `get_pipeline` -> Pipeline."""

from __future__ import annotations

from typing import Any

from pipedoctor.collect.reader import Reader
from pipedoctor.model import Pipeline
from pipedoctor.model.from_api import pipeline_from_api


def list_pipeline_names(reader: Reader, client: Any) -> list[str]:
    pages = reader.pages(client, "list_pipelines") or []
    return [summary["name"] for page in pages for summary in page.get("pipelines", [])]


def get_pipeline(client: Any, name: str, region: str) -> Pipeline:
    """Raises the ClientError (PipelineNotFoundException ...) so the caller decides what it means."""
    response = client.get_pipeline(name=name)
    arn = response.get("metadata", {}).get("pipelineArn", "")
    return pipeline_from_api(response["pipeline"], region, arn)
