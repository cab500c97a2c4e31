"""Collection at scale: 500 pipelines and 2,000 failed builds behind a 50 ms latency per call.

moto holds the pipelines, projects, roles, repositories and the artifact bucket; what moto cannot
hold (executions, action executions, failed builds, their logs) is answered from generated data
by botocore handlers keyed on the request. Every call, moto's or answered, first waits LATENCY.
Prints the API calls made, the wall time and the ratio to the ideal (calls x latency /
concurrency); runs 100 and 500 pipelines to show calls grow linearly with pipelines.
Goal: within 1.5x of the ideal.   Usage: python bench/bench_collect_scale.py [--pipelines N]
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
from botocore.awsrequest import AWSResponse

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "src"), str(REPO)]

from pipedoctor.collect import ClientFactory, CollectOptions, collect
from tests.collect.conftest import FAKE_AWS_ENV

REGION = "eu-west-2"
ACCOUNT = "123456789012"
LATENCY = 0.05
BUILDS_PER_PIPELINE = 4
PROJECTS = 50
WORKERS = 8
NOW = datetime(2026, 11, 27, tzinfo=UTC)


def trust(service: str) -> str:
    statement = {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def build_world(url: str, pipelines: int) -> None:
    def client(service: str) -> Any:
        return boto3.client(service, endpoint_url=url, region_name=REGION)

    iam, codebuild, codepipeline = client("iam"), client("codebuild"), client("codepipeline")
    client("s3").create_bucket(Bucket="artifacts", CreateBucketConfiguration={"LocationConstraint": REGION})
    pipeline_role = iam.create_role(RoleName="pipeline-role", AssumeRolePolicyDocument=trust("codepipeline.amazonaws.com"))
    for index in range(PROJECTS):
        role = iam.create_role(RoleName=f"build-role-{index}", AssumeRolePolicyDocument=trust("codebuild.amazonaws.com"))
        iam.attach_role_policy(RoleName=f"build-role-{index}", PolicyArn="arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPowerUser")
        codebuild.create_project(
            name=f"build-{index}",
            source={"type": "CODEPIPELINE", "location": "x"},
            artifacts={"type": "CODEPIPELINE", "location": "x"},
            environment={"type": "LINUX_CONTAINER", "image": "aws/codebuild/standard:7.0", "computeType": "BUILD_GENERAL1_SMALL"},
            serviceRole=role["Role"]["Arn"],
        )
        client("ecr").create_repository(repositoryName=f"app-{index}")
    for index in range(pipelines):
        codepipeline.create_pipeline(
            pipeline={
                "name": f"pipe-{index}",
                "roleArn": pipeline_role["Role"]["Arn"],
                "artifactStore": {"type": "S3", "location": "artifacts"},
                "stages": [
                    {"name": "Source", "actions": [{"name": "Source", "actionTypeId": {"category": "Source", "owner": "AWS", "provider": "S3", "version": "1"}, "configuration": {"S3Bucket": "src", "S3ObjectKey": "a.zip"}, "outputArtifacts": [{"name": "src"}]}]},
                    {"name": "Build", "actions": [{"name": f"Build{j}", "actionTypeId": {"category": "Build", "owner": "AWS", "provider": "CodeBuild", "version": "1"}, "configuration": {"ProjectName": f"build-{index % PROJECTS}"}, "inputArtifacts": [{"name": "src"}]} for j in range(BUILDS_PER_PIPELINE)]},
                ],
            }
        )


def _build(build_id: str) -> dict[str, Any]:
    project = build_id.split(":")[0]
    return {
        "id": build_id, "arn": f"arn:aws:codebuild:{REGION}:{ACCOUNT}:build/{build_id}", "projectName": project,
        "buildStatus": "FAILED", "startTime": NOW,
        "phases": [{"phaseType": "BUILD", "phaseStatus": "FAILED", "contexts": [{"statusCode": "COMMAND_EXECUTION_ERROR", "message": "exit status 1"}]}],
        "logs": {"groupName": f"/aws/codebuild/{project}", "streamName": build_id.split(":")[1]},
        "serviceRole": f"arn:aws:iam::{ACCOUNT}:role/build-role-{project.split('-')[1]}",
    }


def generated(operation: str, params: dict[str, Any]) -> dict[str, Any]:
    """The answer for what moto cannot hold, made from the request."""
    if operation == "ListPipelineExecutions":
        name = params["pipelineName"]
        return {"pipelineExecutionSummaries": [{"pipelineExecutionId": f"{name}-run", "status": "Failed", "startTime": NOW, "trigger": {"triggerType": "StartPipelineExecution"}}]}
    if operation == "ListActionExecutions":
        name, run = params["pipelineName"], params["filter"]["pipelineExecutionId"]
        index = int(name.split("-")[1])
        return {"actionExecutionDetails": [
            {"pipelineExecutionId": run, "actionExecutionId": f"{run}-{j}", "stageName": "Build", "actionName": f"Build{j}", "status": "Failed", "startTime": NOW,
             "input": {"actionTypeId": {"category": "Build", "owner": "AWS", "provider": "CodeBuild", "version": "1"}, "configuration": {"ProjectName": f"build-{index % PROJECTS}"}},
             "output": {"executionResult": {"externalExecutionId": f"build-{index % PROJECTS}:{name}-{j}", "externalExecutionSummary": "Build terminated with state: FAILED"}}}
            for j in range(BUILDS_PER_PIPELINE)
        ]}
    if operation == "BatchGetBuilds":
        return {"builds": [_build(build_id) for build_id in params["ids"]]}
    if operation == "GetLogEvents":
        return {"events": [{"timestamp": 0, "message": f"line {n}"} for n in range(params.get("limit", 200))]}
    raise KeyError(operation)


ANSWERED = {("codepipeline", "ListPipelineExecutions"), ("codepipeline", "ListActionExecutions"), ("codebuild", "BatchGetBuilds"), ("logs", "GetLogEvents")}


class LatencyFactory(ClientFactory):
    def create(self, service: str, region: str, config: Any = None) -> Any:
        client = super().create(service, region, config)
        events = client.meta.events

        def wait(**_: Any) -> None:
            time.sleep(LATENCY)

        def keep_params(params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
            context["bench_params"] = dict(params)

        def answer(model: Any, context: dict[str, Any], **_: Any) -> Any:
            if (service, model.name) not in ANSWERED:
                return None
            response = AWSResponse("https://bench", 200, {}, None)
            return response, generated(model.name, context["bench_params"])

        events.register_first("before-call", wait)
        events.register("before-parameter-build", keep_params)
        events.register("before-call", answer)
        return client


def run(url: str, pipelines: int) -> tuple[int, float]:
    factory = LatencyFactory(boto3.Session(), endpoint_url=url)
    options = CollectOptions(regions=[REGION], all_pipelines=True, workers=WORKERS)
    start = time.perf_counter()
    snapshot = collect(factory, options)
    elapsed = time.perf_counter() - start
    assert len(snapshot.pipelines) == pipelines and len(snapshot.builds) == pipelines * BUILDS_PER_PIPELINE, (len(snapshot.pipelines), len(snapshot.builds), snapshot.errors[:3])
    return factory.counter.total(), elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pipelines", type=int, nargs="+", default=[100, 500])
    args = parser.parse_args()
    os.environ.update(FAKE_AWS_ENV)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    from moto.server import ThreadedMotoServer

    measured: list[tuple[int, int]] = []
    for count in args.pipelines:
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        host, port = server.get_host_and_port()
        url = f"http://{host}:{port}"
        try:
            build_world(url, count)
            calls, elapsed = run(url, count)
        finally:
            # moto's state lives in this process: clear it before the next size.
            urllib.request.urlopen(urllib.request.Request(f"{url}/moto-api/reset", method="POST"))
            server.stop()
        measured.append((count, calls))
        ideal = calls * LATENCY / WORKERS
        print(f"{count} pipelines, {count * BUILDS_PER_PIPELINE} builds: {calls} API calls ({calls / count:.2f} per pipeline), "
              f"{elapsed:.1f} s; ideal {ideal:.1f} s (calls x {LATENCY * 1000:.0f} ms / {WORKERS}); ratio {elapsed / ideal:.2f} (goal <= 1.5)")
    if len(measured) >= 2:
        (n1, c1), (n2, c2) = measured[0], measured[-1]
        slope = (c2 - c1) / (n2 - n1)
        print(f"calls = {c1 - slope * n1:.0f} + {slope:.2f} x pipelines (fixed reads of roles, projects, repositories + per pipeline)")


if __name__ == "__main__":
    main()
