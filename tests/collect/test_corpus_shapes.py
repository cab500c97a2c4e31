"""The readers against real AWS responses from the shared corpus, replayed through a Stubber.

The Stubber validates each corpus response against the service model before the reader sees it.
"""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from pipedoctor.collect import builds, connections, executions, pipelines
from pipedoctor.collect.reader import Reader
from tests.conftest import CORPUS

RESPONSES = CORPUS / "api-responses"

pytestmark = pytest.mark.skipif(not RESPONSES.is_dir(), reason="../shared/corpus is not present")


def corpus(relative: str) -> dict[str, Any]:
    data = json.loads((RESPONSES / relative).read_text())
    return data.get("output") or data["json"]


def stubbed(service: str, operation: str, response: dict[str, Any]) -> Any:
    client = boto3.client(
        service, region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"
    )
    stubber = Stubber(client)
    stubber.add_response(operation, response)
    stubber.activate()
    return client


def test_get_pipeline() -> None:
    response = corpus("aws-cli-examples/codepipeline/get-pipeline.json")
    pipeline = pipelines.get_pipeline(
        stubbed("codepipeline", "get_pipeline", response), "MyFirstPipeline", "us-east-1"
    )
    raw = response["pipeline"]
    assert pipeline.name == raw["name"] and pipeline.role_arn == raw["roleArn"]
    assert [s.name for s in pipeline.stages] == [s["name"] for s in raw["stages"]]
    assert pipeline.artifact_stores[0].location == raw["artifactStore"]["location"]
    first = pipeline.stages[0].actions[0]
    assert (first.category, first.provider) == ("Source", "S3")
    assert first.configuration["S3Bucket"] == "awscodepipeline-demo-bucket"


def test_failed_codebuild_action_execution() -> None:
    response = corpus("awsdocs-examples/aws-codepipeline-user-guide__pipelines-view-cli.3.json")
    client = stubbed("codepipeline", "list_action_executions", response)
    (action,) = executions.action_executions(Reader(), client, "MyFirstPipeline", "Execution_ID")
    assert (action.stage_name, action.status, action.provider) == ("Beta", "Failed", "CodeBuild")
    assert action.summary == "Build terminated with state: FAILED"
    assert action.external_execution_id == "ID"


def test_action_execution_output_variables() -> None:
    response = corpus("aws-cli-examples/codepipeline/list-action-executions.json")
    client = stubbed("codepipeline", "list_action_executions", response)
    found = executions.action_executions(Reader(), client, "myPipeline", "x")
    source = next(a for a in found if a.stage_name == "Source")
    assert source.output_variables["RepositoryName"] == "my-repo"
    assert source.resolved_configuration["BranchName"] == "production"
    assert source.start_time.startswith("2020-08-27")


def test_client_error_build() -> None:
    response = corpus(
        "sdk-test-fixtures/codebuild-batch-get-builds-CLIENT_ERROR.aws-elastic-beanstalk-cli.json"
    )
    ids = [build["id"] for build in response["builds"]]
    found = builds.builds(Reader(), stubbed("codebuild", "batch_get_builds", response), ids, "x")
    assert len(found) == len(ids)
    phase = found[0].failed_phases()[0]
    assert (phase.phase_type, phase.phase_status) == ("PROVISIONING", "CLIENT_ERROR")
    assert phase.contexts[0].status_code == "ACCESS_DENIED"
    assert "CloudWatch Logs" in phase.contexts[0].message


def test_projects() -> None:
    response = corpus("aws-cli-examples/codebuild/batch-get-projects.json")
    # AWS sends `projectsNotFound: []`, which the model's min length 1 rejects in a Stubber
    response = {key: value for key, value in response.items() if value != []}
    names = [project["name"] for project in response["projects"]]
    client = stubbed("codebuild", "batch_get_projects", response)
    found = builds.projects(Reader(), client, names, "us-west-2")
    assert [p.name for p in found] == names
    assert found[0].source.buildspec.startswith("version: 0.2")
    assert all(p.service_role.startswith("arn:aws:iam::") for p in found)


def test_codestar_connection_namespace() -> None:
    response = corpus("aws-cli-examples/codestar-connections/get-connection.json")
    arn = response["Connection"]["ConnectionArn"]
    service = connections.client_service(arn)
    assert service == "codestar-connections"
    connection = connections.connection(Reader(), stubbed(service, "get_connection", response), arn)
    assert connection is not None
    assert (connection.provider_type, connection.status) == ("Bitbucket", "AVAILABLE")
    assert connection.service_prefix == "codestar-connections"
    assert connections.client_service(arn.replace("codestar-connections", "codeconnections")) == (
        "codeconnections"
    )
