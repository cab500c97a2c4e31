"""The ECS readers against real AWS responses from the shared corpus, replayed through a Stubber."""

from __future__ import annotations

import pytest

from pipedoctor.collect import ecs
from pipedoctor.collect.reader import Reader
from tests.collect.test_corpus_shapes import RESPONSES, corpus, stubbed

pytestmark = pytest.mark.skipif(not RESPONSES.is_dir(), reason="../shared/corpus is not present")


def test_describe_services() -> None:
    response = corpus("aws-cli-examples/ecs/describe-services.json")
    client = stubbed("ecs", "describe_services", response)
    found = ecs.service(Reader(), client, "default", "my-http-service", "us-west-2")
    assert found is not None
    assert (found.cluster, found.name, found.deployment_controller) == (
        "default",
        "my-http-service",
        "ECS",
    )
    assert found.task_definition.endswith("task-definition/amazon-ecs-sample:1")
    assert found.events[0].message == "(service my-http-service) has reached a steady state."
    assert found.events[0].created_at.startswith("2016-06-24")


def test_describe_task_definition_keeps_no_environment_values() -> None:
    response = corpus("aws-cli-examples/ecs/describe-task-definition.json")
    client = stubbed("ecs", "describe_task_definition", response)
    arn = response["taskDefinition"]["taskDefinitionArn"]
    found = ecs.task_definition(Reader(), client, arn, "us-east-1")
    assert found is not None
    assert [(c.name, c.image) for c in found.containers] == [
        ("wordpress", "wordpress"),
        ("mysql", "mysql"),
    ]
    assert (found.execution_role, found.cpu_architecture) == ("", "")
    assert "password" not in repr(found)  # plaintext environment values are never read


def test_describe_tasks() -> None:
    response = corpus("aws-cli-examples/ecs/describe-tasks.json")
    (task,) = [ecs.parse_task(raw) for raw in response["tasks"]]
    assert task.cluster == "MyCluster"
    assert task.task_definition.endswith("console-sample-app-static2:1")
    assert [(c.name, c.image, c.exit_code) for c in task.containers] == [
        ("simple-app", "httpd:2.4", None)
    ]
