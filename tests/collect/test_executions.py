"""Which executions are read: the N most recent, or one by id (moto's own executions)."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from pipedoctor.collect import CollectOptions, collect
from pipedoctor.errors import UserError
from tests.collect.world import PIPELINE, REGION, DemoWorld, pipeline_definition

NIGHTLY = "nightly-myapp"


@pytest.fixture(scope="module")
def nightly_runs(moto_endpoint: str, demo_world: DemoWorld) -> list[str]:
    """Three executions of a second pipeline, oldest first."""
    client = boto3.client("codepipeline", region_name=REGION, endpoint_url=moto_endpoint)
    definition = pipeline_definition(demo_world.kms_key_arn)
    client.create_pipeline(pipeline={**definition, "name": NIGHTLY})
    return [
        client.start_pipeline_execution(
            name=NIGHTLY, variables=[{"name": "DeployEnv", "value": f"run-{n}"}]
        )["pipelineExecutionId"]
        for n in range(3)
    ]


def no_action_executions(count: int) -> dict[tuple[str, str], list[dict[str, Any]]]:
    """moto has no ListActionExecutions: answer each call with an empty list."""
    reply = {"response": {"actionExecutionDetails": []}}
    return {("codepipeline", "list_action_executions"): [reply] * count}


def test_n_most_recent(stubbed_factory: Any, nightly_runs: list[str]) -> None:
    factory = stubbed_factory(replies=no_action_executions(2))
    options = CollectOptions(regions=[REGION], pipelines=[NIGHTLY], executions=2)
    snapshot = collect(factory, options)
    assert [e.execution_id for e in snapshot.executions] == nightly_runs[:0:-1]
    assert all(e.trigger_type == "StartPipelineExecution" for e in snapshot.executions)
    assert [e.variables for e in snapshot.executions] == [
        {"DeployEnv": "run-2"},
        {"DeployEnv": "run-1"},
    ]
    calls = factory.counter.counts()
    assert calls["codepipeline:ListPipelineExecutions"] == 1
    assert calls["codepipeline:GetPipelineExecution"] == 2
    assert calls["codepipeline:ListActionExecutions"] == 2


def test_one_by_id(stubbed_factory: Any, nightly_runs: list[str]) -> None:
    factory = stubbed_factory(replies=no_action_executions(1))
    options = CollectOptions(regions=[REGION], pipelines=[NIGHTLY], execution=nightly_runs[0])
    snapshot = collect(factory, options)
    (execution,) = snapshot.executions
    assert (execution.execution_id, execution.status) == (nightly_runs[0], "Succeeded")
    assert "codepipeline:ListPipelineExecutions" not in factory.counter.counts()


def test_unknown_execution_id(stubbed_factory: Any, nightly_runs: list[str]) -> None:
    options = CollectOptions(regions=[REGION], pipelines=[PIPELINE], execution="no-such-run")
    with pytest.raises(UserError, match="execution 'no-such-run' not found") as raised:
        collect(stubbed_factory(replies={}), options)
    assert raised.value.exit_code == 2
