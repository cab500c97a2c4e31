"""The collector against a moto server, with Stubber replies for what moto cannot hold."""

from __future__ import annotations

from typing import Any

import pytest

from pipedoctor.collect import CollectOptions, collect
from pipedoctor.model import Snapshot, dumps, loads
from pipedoctor.redact import REDACTED
from tests.collect.stubs import Fault
from tests.collect.world import (
    ACCOUNT,
    BASE_POLICY,
    BUCKET,
    BUILD_ID,
    CODEBUILD_ROLE_ARN,
    CONNECTION_ARN,
    ECR_FULL_ACCESS,
    EXECUTION_ID,
    LOG_GROUP,
    PIPELINE,
    PIPELINE_ROLE_ARN,
    PROJECT,
    REGION,
    REPOSITORIES,
    SOURCE_ERROR,
    DemoWorld,
)


def run(factory: Any, **options: Any) -> Snapshot:
    return collect(factory, CollectOptions(regions=[REGION], pipelines=[PIPELINE], **options))


@pytest.fixture
def demo_snapshot(stubbed_factory: Any) -> tuple[Snapshot, Any]:
    factory = stubbed_factory()
    return run(factory), factory


def test_pipeline_definition(demo_snapshot: tuple[Snapshot, Any], demo_world: DemoWorld) -> None:
    snapshot, _ = demo_snapshot
    assert (snapshot.account_id, snapshot.origin, snapshot.regions) == (ACCOUNT, "live", [REGION])
    assert snapshot.collected_at.startswith("20")
    (pipeline,) = snapshot.pipelines
    assert pipeline.arn == f"arn:aws:codepipeline:{REGION}:{ACCOUNT}:{PIPELINE}"
    assert (pipeline.pipeline_type, pipeline.role_arn) == ("V2", PIPELINE_ROLE_ARN)
    assert [stage.name for stage in pipeline.stages] == ["Source", "Build"]
    (source,) = pipeline.source_actions()
    assert source.provider == "CodeStarSourceConnection"
    assert source.configuration["ConnectionArn"] == CONNECTION_ARN
    assert source.configuration["OutputArtifactFormat"] == "CODEBUILD_CLONE_REF"
    assert source.namespace == "SourceVariables"
    build_action = pipeline.find_action("Build", "Build")
    assert build_action is not None and build_action.configuration["ProjectName"] == PROJECT
    assert "#{SourceVariables.TagName}" in build_action.configuration["EnvironmentVariables"]
    (trigger,) = pipeline.triggers
    assert (trigger.source_action, trigger.on_push_tags) == ("Source", ["release*"])
    assert pipeline.variables == {"DeployEnv": "production"}
    (store,) = pipeline.artifact_stores
    assert (store.location, store.kms_key_id) == (BUCKET, demo_world.kms_key_arn)


def test_failed_execution_action_and_build(demo_snapshot: tuple[Snapshot, Any]) -> None:
    snapshot, _ = demo_snapshot
    (execution,) = snapshot.executions
    assert (execution.execution_id, execution.status) == (EXECUTION_ID, "Failed")
    assert (execution.trigger_type, execution.trigger_detail) == ("WebhookV2", CONNECTION_ARN)
    assert execution.source_revisions[0]["actionName"] == "Source"
    assert execution.variables == {"DeployEnv": "production"}

    failed = [a for a in snapshot.action_executions if a.status == "Failed"]
    assert [(a.stage_name, a.action_name, a.provider) for a in failed] == [
        ("Build", "Build", "CodeBuild")
    ]
    assert failed[0].summary == "Build terminated with state: FAILED"
    assert failed[0].error_code == "JobFailed"
    assert failed[0].external_execution_id == BUILD_ID
    assert "release-1.4.0" in failed[0].resolved_configuration["EnvironmentVariables"]
    source = next(a for a in snapshot.action_executions if a.stage_name == "Source")
    assert source.output_variables["TagName"] == "release-1.4.0"

    build = snapshot.build(BUILD_ID)
    assert build is not None and build.status == "FAILED"
    (phase,) = build.failed_phases()
    assert (phase.phase_type, phase.phase_status) == ("DOWNLOAD_SOURCE", "CLIENT_ERROR")
    assert phase.contexts[0].status_code == "CLIENT_ERROR"
    assert phase.contexts[0].message.startswith("authorization failed for primary source")
    assert (build.log_group, build.service_role) == (LOG_GROUP, CODEBUILD_ROLE_ARN)
    variables = {v.name: v.value for v in build.environment_variables}
    assert variables["TagName"] == "release-1.4.0"
    assert variables["DOCKERHUB_PASSWORD"] == REDACTED


def test_log_excerpt_is_the_tail_only(
    demo_snapshot: tuple[Snapshot, Any], demo_world: DemoWorld, stubbed_factory: Any
) -> None:
    snapshot, _ = demo_snapshot
    build = snapshot.build(BUILD_ID)
    assert build is not None
    assert len(demo_world.log_lines) == 300
    assert build.log_excerpt == demo_world.log_lines[-200:]
    assert build.log_excerpt[-1].endswith(SOURCE_ERROR)

    short = run(stubbed_factory(), log_lines=25).build(BUILD_ID)
    assert short is not None and short.log_excerpt == demo_world.log_lines[-25:]


def test_project_roles_connection_repositories(
    demo_snapshot: tuple[Snapshot, Any], demo_world: DemoWorld
) -> None:
    snapshot, _ = demo_snapshot
    project = snapshot.project(PROJECT)
    assert project is not None
    assert (project.source.type, project.source.buildspec) == ("CODEPIPELINE", "buildspec.yml")
    assert project.environment.privileged_mode is True
    assert project.service_role == CODEBUILD_ROLE_ARN
    assert project.log_group == LOG_GROUP
    variables = {v.name: v.value for v in project.environment.variables}
    assert variables["IMAGE_REPO_NAME"] == "myapp"
    assert variables["AWS_ACCOUNT_ID"] == ACCOUNT
    assert variables["DOCKERHUB_PASSWORD"] == REDACTED

    role = snapshot.role(CODEBUILD_ROLE_ARN)
    assert role is not None
    assert role.trust_policy["Statement"][0]["Principal"] == {"Service": "codebuild.amazonaws.com"}
    attached = {policy.name: policy for policy in role.attached_policies}
    ecr_full = attached["AmazonEC2ContainerRegistryFullAccess"]
    assert ecr_full.arn == ECR_FULL_ACCESS and ecr_full.aws_managed
    actions = [statement["Action"] for statement in ecr_full.document["Statement"]]
    assert any("ecr:*" in ([a] if isinstance(a, str) else a) for a in actions)
    base = attached[BASE_POLICY]
    resources = [r for s in base.document["Statement"] for r in s["Resource"]]
    assert f"arn:aws:s3:::codepipeline-{REGION}-*" in resources
    assert (
        role.inline_policies["ecr-login"]["Statement"][0]["Action"] == "ecr:GetAuthorizationToken"
    )
    pipeline_role = snapshot.role(PIPELINE_ROLE_ARN)
    assert pipeline_role is not None and "pipeline" in pipeline_role.inline_policies

    (connection,) = snapshot.connections
    assert (connection.arn, connection.provider_type, connection.status) == (
        CONNECTION_ARN,
        "GitHub",
        "AVAILABLE",
    )
    assert connection.service_prefix == "codeconnections"

    repositories = {r.name: r for r in snapshot.ecr_repositories}
    assert set(repositories) == set(REPOSITORIES)
    billing_policy = repositories["billing-api"].policy
    assert billing_policy is not None and billing_policy["Statement"][0]["Sid"] == "pull"
    assert repositories["myapp"].policy is None

    (bucket,) = snapshot.buckets
    assert (bucket.name, bucket.encryption, bucket.kms_key_arn) == (
        BUCKET,
        "aws:kms",
        demo_world.kms_key_arn,
    )
    (key,) = snapshot.kms_keys
    assert (key.arn, key.key_manager) == (demo_world.kms_key_arn, "CUSTOMER")
    assert key.policy is not None and "Statement" in key.policy
    assert snapshot.errors == []


def test_round_trips_through_dump_and_load(
    demo_snapshot: tuple[Snapshot, Any], tmp_path: Any
) -> None:
    from pipedoctor.model import dump, load

    snapshot, _ = demo_snapshot
    assert loads(dumps(snapshot)) == snapshot
    dump(snapshot, tmp_path / "snapshot.json")
    assert load(tmp_path / "snapshot.json") == snapshot


def test_each_resource_is_read_once(demo_snapshot: tuple[Snapshot, Any]) -> None:
    snapshot, factory = demo_snapshot
    calls = factory.counter.counts()
    assert calls["sts:GetCallerIdentity"] == 1
    assert calls["codepipeline:GetPipeline"] == 1
    assert calls["codepipeline:ListPipelineExecutions"] == 1
    assert calls["codepipeline:GetPipelineExecution"] == 1  # the pipeline declares variables
    assert calls["codepipeline:ListActionExecutions"] == 1
    assert calls["codebuild:BatchGetBuilds"] == 1
    assert calls["codebuild:BatchGetProjects"] == 1
    assert calls["logs:GetLogEvents"] == 1
    assert calls["codeconnections:GetConnection"] == 1
    assert calls["iam:GetRole"] == len(snapshot.roles) == 2
    assert calls["iam:ListRolePolicies"] == 2
    assert calls["iam:ListAttachedRolePolicies"] == 2
    assert calls["iam:GetRolePolicy"] == 2  # one inline policy on each role
    attached = {p.arn for role in snapshot.roles for p in role.attached_policies}
    assert calls["iam:GetPolicy"] == calls["iam:GetPolicyVersion"] == len(attached) == 2
    assert calls["ecr:DescribeRepositories"] == 1
    assert calls["ecr:GetRepositoryPolicy"] == len(REPOSITORIES)
    # the key is named by both the artifact store and the bucket encryption: read once
    assert calls["kms:DescribeKey"] == calls["kms:GetKeyPolicy"] == 1
    assert calls["s3:GetBucketEncryption"] == calls["s3:GetBucketPolicy"] == 1
    writes = [op for op in calls if op.split(":")[1].startswith(("Put", "Create", "Delete"))]
    assert writes == []
    for stubber in factory.stubbers:
        stubber.assert_no_pending_responses()


def test_partial_permissions_degrade(stubbed_factory: Any) -> None:
    factory = stubbed_factory(
        faults=[
            Fault("ecr", "DescribeRepositories", "AccessDeniedException", "not authorized"),
            Fault("iam", "GetRolePolicy", "AccessDenied", "not authorized"),
            Fault("kms", "GetKeyPolicy", "ThrottlingException", "Rate exceeded"),
        ],
        max_attempts=1,
    )
    snapshot = run(factory)
    failed = {(e.service, e.operation, e.code) for e in snapshot.errors}
    assert failed == {
        ("ecr", "DescribeRepositories", "AccessDeniedException"),
        ("iam", "GetRolePolicy", "AccessDenied"),
        ("kms", "GetKeyPolicy", "ThrottlingException"),
    }
    # retried (botocore max_attempts counts retries after the first try), then given up
    assert factory.attempts["kms:GetKeyPolicy"] == 2
    assert factory.attempts["iam:GetRolePolicy"] == 2  # one call per role, not retried
    by_operation = {e.operation: e for e in snapshot.errors}
    assert by_operation["DescribeRepositories"].resource == REGION
    assert by_operation["GetKeyPolicy"].message == "Rate exceeded"
    assert snapshot.ecr_repositories == []
    role = snapshot.role(CODEBUILD_ROLE_ARN)
    assert role is not None and role.inline_policies == {}
    assert {p.name for p in role.attached_policies} == {
        "AmazonEC2ContainerRegistryFullAccess",
        BASE_POLICY,
    }
    (key,) = snapshot.kms_keys
    assert key.key_manager == "CUSTOMER" and key.policy is None
    assert snapshot.build(BUILD_ID) is not None
    assert snapshot.project(PROJECT) is not None
    assert len(snapshot.connections) == 1
    assert loads(dumps(snapshot)).errors == snapshot.errors
