"""Least-privilege policy from configuration and denials, proven with the IAM engine."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from pipedoctor.commands.demo import demo_snapshot_text
from pipedoctor.iam import PolicySet, Request, evaluate
from pipedoctor.leastpriv.generate import generate_policy
from pipedoctor.leastpriv.synthesize import policy_size, synthesize
from pipedoctor.leastpriv.usage import Need
from pipedoctor.model import EnvironmentVariable, RepoFile, loads

ROLE = "codebuild-build-myapp-service-role"
REPO = "arn:aws:ecr:eu-west-2:123456789012:repository/myapp"
CONNECTION = (
    "arn:aws:codeconnections:eu-west-2:123456789012:connection/7d3e1f2a-5b6c-4d8e-9f01-23456789abcd"
)


def allowed(document: dict, action: str, resource: str) -> bool:
    """Whether the identity policy grants it (a cross-account resource is judged on the identity side)."""
    principal = "arn:aws:iam::123456789012:role/r"
    request = Request(
        action=action,
        resource=resource,
        principal_arn=principal,
        resource_account="123456789012",
        context={},
    )
    return evaluate(request, PolicySet(identity=[document])).allowed


@pytest.fixture
def demo():
    return loads(demo_snapshot_text())


def test_demo_replaces_ecr_full_access_with_scoped_push_and_adds_use_connection(demo) -> None:
    generated = generate_policy(demo, demo.role(ROLE))
    document = generated.document
    assert allowed(document, "ecr:GetAuthorizationToken", "*")
    for action in (
        "ecr:PutImage",
        "ecr:InitiateLayerUpload",
        "ecr:UploadLayerPart",
        "ecr:CompleteLayerUpload",
    ):
        assert allowed(document, action, REPO)
        assert not allowed(
            document, action, "arn:aws:ecr:eu-west-2:123456789012:repository/billing-api"
        )
    assert not allowed(document, "ecr:DeleteRepository", REPO)
    assert allowed(document, "codeconnections:UseConnection", CONNECTION)
    assert generated.proof.holds
    assert generated.proof.explicit_additions == [("codeconnections:UseConnection", CONNECTION)]
    assert "ecr:DeleteRepository" in generated.diff.dropped
    assert generated.diff.added == {"codeconnections:UseConnection"}


def test_configuration_adds_secrets_parameters_and_private_base_images(demo) -> None:
    project = demo.projects[0]
    project.environment.variables += [
        EnvironmentVariable("DB_PASSWORD", "prod/db:password", "SECRETS_MANAGER"),
        EnvironmentVariable("API_URL", "/myapp/api-url", "PARAMETER_STORE"),
    ]
    demo.repo_files.append(
        RepoFile(
            "base.dockerfile", "FROM 210987654321.dkr.ecr.eu-west-2.amazonaws.com/base/node:20\n"
        )
    )
    generated = generate_policy(demo, demo.role(ROLE))
    document = generated.document
    cross_account = {n.resource for n in generated.proof.identity_side_only}
    assert cross_account == {"arn:aws:ecr:eu-west-2:210987654321:repository/base/node"}
    assert allowed(
        document,
        "secretsmanager:GetSecretValue",
        "arn:aws:secretsmanager:eu-west-2:123456789012:secret:prod/db-AbCdEf",
    )
    assert allowed(
        document, "ssm:GetParameters", "arn:aws:ssm:eu-west-2:123456789012:parameter/myapp/api-url"
    )
    assert allowed(
        document, "ecr:BatchGetImage", "arn:aws:ecr:eu-west-2:210987654321:repository/base/node"
    )
    assert not allowed(
        document, "ecr:PutImage", "arn:aws:ecr:eu-west-2:210987654321:repository/base/node"
    )


def test_denials_in_build_logs_become_needs(demo) -> None:
    build = demo.builds[0]
    build.log_excerpt.append(
        "An error occurred (AccessDeniedException) when calling the GetSecretValue operation: User: "
        f"arn:aws:sts::123456789012:assumed-role/{ROLE}/AWSCodeBuild-1 is not authorized to perform: "
        "secretsmanager:GetSecretValue on resource: arn:aws:secretsmanager:eu-west-2:123456789012:secret:npm-token-Xy12Ab"
    )
    generated = generate_policy(demo, demo.role(ROLE))
    assert any(
        n.source == "denied" and n.action == "secretsmanager:GetSecretValue"
        for n in generated.needs
    )
    assert allowed(
        generated.document,
        "secretsmanager:GetSecretValue",
        "arn:aws:secretsmanager:eu-west-2:123456789012:secret:npm-token-Xy12Ab",
    )


def test_proof_reports_new_access_the_old_policies_never_gave(demo) -> None:
    role = demo.role(ROLE)
    role.attached_policies = [
        p for p in role.attached_policies if "ContainerRegistry" not in p.name
    ]
    generated = generate_policy(demo, role)
    # The push set is needed but no longer held: listed as explicit additions, not hidden.
    assert ("ecr:PutImage", REPO) in generated.proof.explicit_additions
    assert generated.proof.new_access == []


def test_synthesis_merges_into_wildcards_only_within_the_needed_actions() -> None:
    role = "arn:aws:iam::111122223333:role/r"
    needs = [
        Need(role, a, "*", "observed")
        for a in (
            "ecr:BatchGetImage",
            "ecr:BatchCheckLayerAvailability",
            "ecr:BatchDeleteImage",
            "ecr:BatchGetRepositoryScanningConfiguration",
            "ecr:DescribeImages",
        )
    ]
    needs += [
        Need(role, "s3:GetObject", f"arn:aws:s3:::bucket-{i}/*", "observed") for i in range(200)
    ]
    document = synthesize(needs, limit=2000)
    ecr = next(s for s in document["Statement"] if s["Resource"] == "*")
    assert any(action.endswith("*") for action in ecr["Action"])
    for action in ("ecr:BatchGetImage", "ecr:DescribeImages"):
        assert allowed(document, action, "*")
    assert not allowed(document, "ecr:PutImage", "*")
    unmerged = synthesize(needs)
    assert policy_size(document) <= policy_size(unmerged)


def test_cli_generate_prints_only_the_policy_on_stdout(tmp_path: Path, run_cli) -> None:
    snapshot = tmp_path / "demo.json"
    snapshot.write_text(demo_snapshot_text())
    code, out, err = run_cli("policy", "generate", "--role", ROLE, "--snapshot", str(snapshot))
    assert code == 0
    document = json.loads(out)
    assert document["Version"] == "2012-10-17"
    assert "proof: all" in err and "explicit addition" in err
    code, out, _ = run_cli(
        "policy",
        "generate",
        "--role",
        ROLE,
        "--snapshot",
        str(snapshot),
        "--format",
        "cloudformation",
    )
    template = json.loads(out)
    (resource,) = template["Resources"].values()
    assert (
        resource["Type"] == "AWS::IAM::ManagedPolicy"
        and resource["Properties"]["PolicyDocument"] == document
    )
    code, out, _ = run_cli(
        "policy", "generate", "--role", ROLE, "--snapshot", str(snapshot), "--format", "terraform"
    )
    assert 'resource "aws_iam_policy"' in out and "codeconnections:UseConnection" in out
    code, out, _ = run_cli("policy", "diff", "--role", ROLE, "--snapshot", str(snapshot))
    assert code == 0 and "dropped" in out and "ecr:DeleteRepository" in out
    code, _, err = run_cli("policy", "generate", "--role", "nobody", "--snapshot", str(snapshot))
    assert code == 2 and "not in the snapshot" in err


def test_a_need_the_boundary_blocks_fails_the_proof(demo) -> None:
    from pipedoctor.model import ManagedPolicy

    role = demo.role(ROLE)
    boundary = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": ["logs:*", "s3:*", "ecr:*"], "Resource": "*"}],
    }
    role.permissions_boundary = ManagedPolicy(
        "arn:aws:iam::123456789012:policy/boundary", "boundary", boundary
    )
    generated = generate_policy(demo, replace(role))
    assert [n.action for n in generated.proof.insufficient] == ["codeconnections:UseConnection"]
    assert not generated.proof.holds


def test_pipeline_role_needs_builds_deploys_and_passes_only_the_task_roles(demo) -> None:
    from pipedoctor.model import EcsService, TaskDefinition

    task_role = "arn:aws:iam::123456789012:role/myapp-task"
    execution_role = "arn:aws:iam::123456789012:role/myapp-execution"
    definition = "arn:aws:ecs:eu-west-2:123456789012:task-definition/myapp:7"
    demo.task_definitions = [
        TaskDefinition(definition, "myapp", task_role=task_role, execution_role=execution_role)
    ]
    demo.ecs_services = [
        EcsService(
            "myapp-cluster",
            "myapp",
            "arn:aws:ecs:eu-west-2:123456789012:service/myapp-cluster/myapp",
            task_definition=definition,
        )
    ]
    role = demo.role(demo.pipelines[0].role_arn)
    generated = generate_policy(demo, role)
    document = generated.document
    assert allowed(
        document,
        "codebuild:StartBuild",
        "arn:aws:codebuild:eu-west-2:123456789012:project/build-myapp",
    )
    assert allowed(
        document,
        "ecs:UpdateService",
        "arn:aws:ecs:eu-west-2:123456789012:service/myapp-cluster/myapp",
    )
    assert allowed(document, "iam:PassRole", task_role) and allowed(
        document, "iam:PassRole", execution_role
    )
    assert not allowed(document, "iam:PassRole", "arn:aws:iam::123456789012:role/admin")
    assert allowed(document, "codeconnections:UseConnection", CONNECTION)
    # The current grant holds only when the role is passed to ECS tasks (StringEqualsIfExists
    # iam:PassedToService): passing the task roles anywhere is a listed addition, not hidden.
    assert generated.proof.holds
    assert generated.proof.explicit_additions == [
        ("iam:PassRole", execution_role),
        ("iam:PassRole", task_role),
    ]
    assert len(generated.diff.dropped) > 200  # s3:* and ecs:* on "*" go


ARTIFACTS = "arn:aws:s3:::codepipeline-eu-west-2-583920174615"
OBJECT_ACTIONS = ["s3:GetObject", "s3:PutObject"]


def test_a_narrower_deny_is_carried_into_the_new_policy(demo) -> None:
    from pipedoctor.model import ManagedPolicy

    role = demo.role(ROLE)
    guard = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "NoProd",
                "Effect": "Deny",
                "Action": OBJECT_ACTIONS,
                "Resource": f"{ARTIFACTS}/prod/*",
            }
        ],
    }
    role.attached_policies.append(
        ManagedPolicy("arn:aws:iam::123456789012:policy/no-prod", "no-prod", guard)
    )
    generated = generate_policy(demo, role)
    assert allowed(generated.document, "s3:GetObject", f"{ARTIFACTS}/build-myapp/out.zip")
    assert not allowed(generated.document, "s3:GetObject", f"{ARTIFACTS}/prod/app.zip")
    assert generated.proof.holds and generated.proof.new_access == []
    blocked = {(n.action, n.resource) for n in generated.proof.kept_deny_blocks}
    assert ("s3:GetObject", f"{ARTIFACTS}/*") in blocked
    assert "partly denied by a Deny of the current policies" in generated.report()


def test_a_not_resource_grant_fails_the_proof_with_a_replaying_counterexample(demo) -> None:
    from pipedoctor.leastpriv.compare import AccessSide, replays

    role = demo.role(ROLE)
    base = next(p for p in role.attached_policies if p.name.startswith("CodeBuildBasePolicy"))
    for statement in base.document["Statement"]:
        if "s3:GetObject" in statement["Action"]:
            statement.pop("Resource")
            statement["NotResource"] = f"{ARTIFACTS}/prod/*"
    generated = generate_policy(demo, role)
    assert not generated.proof.holds
    examples = generated.proof.new_access
    assert examples and all(e.resource.startswith(f"{ARTIFACTS}/prod/") for e in examples)
    old = AccessSide([document for _, document in role.identity_documents()])
    new = AccessSide([generated.document])
    assert all(replays(e, role.arn, old, new) for e in examples)
    report = generated.report()
    assert "proof FAILED" in report and f"on {ARTIFACTS}/prod/" in report
