"""`policy apply` and `policy rollback` against the moto server: a Deny is never lost, the plan
comes first, applying twice changes nothing, a failure undoes itself, rollback twice is a no-op."""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import pytest

from pipedoctor.commands.demo import demo_snapshot_text
from pipedoctor.leastpriv.apply_plan import plan_apply
from pipedoctor.model import EnvironmentVariable, dump, loads
from pipedoctor.writes.role_policies import ApplyRecord, ChangeFailed, apply_plan, read_role_state

ROLE = "codebuild-build-myapp-service-role"
ECR_FULL_ACCESS = "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryFullAccess"
POWER_USER = "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPowerUser"
ARTIFACTS = "arn:aws:s3:::codepipeline-eu-west-2-583920174615"
NO_PROD = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Deny", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": f"{ARTIFACTS}/prod/*"}
    ],
}


@pytest.fixture
def apply_world(moto_endpoint: str, tmp_path: Path):
    """The demo role in moto under a fresh name, and a snapshot that names it."""
    iam = boto3.client("iam", endpoint_url=moto_endpoint, region_name="us-east-1")
    name = f"apply-test-{tmp_path.name[-12:]}".replace("_", "-")
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "codebuild.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
    arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    for policy in (ECR_FULL_ACCESS, POWER_USER):
        iam.attach_role_policy(RoleName=name, PolicyArn=policy)
    snapshot = loads(demo_snapshot_text())
    role = snapshot.role(ROLE)
    old_arn = role.arn
    role.name, role.arn = name, arn
    for project in snapshot.projects:
        if project.service_role == old_arn:
            project.service_role = arn
    path = tmp_path / "snapshot.json"
    dump(snapshot, path)
    return iam, name, path


def attached(iam, role: str) -> set[str]:
    return {p["PolicyArn"] for p in iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"]}


def apply_args(role: str, snapshot: Path, record: Path, endpoint: str) -> list[str]:
    return ["policy", "apply", "--role", role, "--snapshot", str(snapshot), "--record", str(record), "--endpoint-url", endpoint]


def test_apply_writes_the_plan_first_and_rollback_restores_the_attachments(apply_world, moto_endpoint, tmp_path, run_cli) -> None:
    iam, role, snapshot = apply_world
    record = tmp_path / "record.json"
    base = apply_args(role, snapshot, record, moto_endpoint)
    code, out, _ = run_cli(*base)  # no --yes: the plan, nothing written
    assert code == 0 and f"plan: detach {ECR_FULL_ACCESS}: Allow statements only" in out
    assert attached(iam, role) == {ECR_FULL_ACCESS, POWER_USER} and not record.exists()

    code, out, err = run_cli(*base, "--keep", POWER_USER, "--yes")
    assert code == 0, err
    assert f"plan: keep {POWER_USER}: asked to keep (--keep)" in out
    written = json.loads(record.read_text())
    new_policy = written["policy_arn"]
    assert written["status"] == "applied"
    assert {"action": "detach", "target": ECR_FULL_ACCESS, "why": "Allow statements only: replaced by the proven policy"} in written["plan"]
    assert [c["op"] for c in written["done"]] == ["create_policy", "attach", "detach"]
    assert attached(iam, role) == {new_policy, POWER_USER}
    version = iam.get_policy(PolicyArn=new_policy)["Policy"]["DefaultVersionId"]
    document = iam.get_policy_version(PolicyArn=new_policy, VersionId=version)["PolicyVersion"]["Document"]
    document = json.loads(document) if isinstance(document, str) else document
    actions = {a for s in document["Statement"] for a in s["Action"]}
    assert "ecr:PutImage" in actions and "ecr:DeleteRepository" not in actions

    rollback = ["policy", "rollback", "--record", str(record), "--yes", "--endpoint-url", moto_endpoint]
    code, _, err = run_cli(*rollback)
    assert code == 0, err
    assert attached(iam, role) == {ECR_FULL_ACCESS, POWER_USER}
    with pytest.raises(iam.exceptions.NoSuchEntityException):
        iam.get_policy(PolicyArn=new_policy)
    code, out, err = run_cli(*rollback)  # twice: nothing left to undo, no AWS error
    assert code == 0 and "nothing to roll back" in err and "rolled back" in err
    assert err.count("\n") == 1


def test_a_managed_policy_holding_a_deny_is_kept(apply_world, moto_endpoint, tmp_path, run_cli) -> None:
    iam, role, snapshot = apply_world
    guard = iam.create_policy(PolicyName=f"no-prod-{role}", PolicyDocument=json.dumps(NO_PROD))["Policy"]["Arn"]
    iam.attach_role_policy(RoleName=role, PolicyArn=guard)
    record = tmp_path / "record.json"
    code, out, err = run_cli(*apply_args(role, snapshot, record, moto_endpoint), "--yes")
    assert code == 0, err
    assert f"plan: keep {guard}: holds Deny statements" in out
    new_policy = json.loads(record.read_text())["policy_arn"]
    assert attached(iam, role) == {new_policy, guard}


def test_applying_twice_changes_nothing_and_a_new_version_rolls_back(apply_world, moto_endpoint, tmp_path, run_cli) -> None:
    iam, role, snapshot = apply_world
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    assert run_cli(*apply_args(role, snapshot, first, moto_endpoint), "--yes")[0] == 0
    before = first.read_text()
    code, _, err = run_cli(*apply_args(role, snapshot, second, moto_endpoint), "--yes")
    assert code == 0 and "nothing to do" in err and not second.exists()
    assert first.read_text() == before
    policy_arn = json.loads(before)["policy_arn"]
    assert iam.get_policy(PolicyArn=policy_arn)["Policy"]["DefaultVersionId"] == "v1"

    changed = loads(snapshot.read_text())
    changed.projects[0].environment.variables.append(
        EnvironmentVariable("API_URL", "/myapp/api-url", "PARAMETER_STORE")
    )
    dump(changed, snapshot)
    code, _, err = run_cli(*apply_args(role, snapshot, second, moto_endpoint), "--yes")
    assert code == 0, err
    record = json.loads(second.read_text())
    assert [c["op"] for c in record["done"]] == ["create_version"]
    assert iam.get_policy(PolicyArn=policy_arn)["Policy"]["DefaultVersionId"] == record["done"][0]["version"]
    assert run_cli("policy", "rollback", "--record", str(second), "--yes", "--endpoint-url", moto_endpoint)[0] == 0
    assert iam.get_policy(PolicyArn=policy_arn)["Policy"]["DefaultVersionId"] == "v1"
    assert run_cli("policy", "rollback", "--record", str(first), "--yes", "--endpoint-url", moto_endpoint)[0] == 0
    assert attached(iam, role) == {ECR_FULL_ACCESS, POWER_USER}


def test_a_failure_halfway_undoes_what_was_done(apply_world, tmp_path) -> None:
    iam, role, _ = apply_world
    target = f"arn:aws:iam::123456789012:policy/pipedoctor/{role}-least-privilege"
    document = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"}]}
    current, existing = read_role_state(iam, role, target)
    plan = plan_apply(role, target, document, current, existing, keep=[])
    iam.detach_role_policy(RoleName=role, PolicyArn=POWER_USER)  # someone else changes the role meanwhile
    saved: list[str] = []
    with pytest.raises(ChangeFailed) as failure:
        apply_plan(iam, plan, document, lambda record: saved.append(record.dumps()))
    message = str(failure.value)
    assert "NoSuchEntity" in message and "undid the" in message and "\n" not in message
    assert attached(iam, role) == {ECR_FULL_ACCESS}  # the detach done before it was re-attached
    with pytest.raises(iam.exceptions.NoSuchEntityException):
        iam.get_policy(PolicyArn=target)
    last = ApplyRecord.loads(saved[-1])
    assert last.status == "failed, undone" and last.pending_undo == []
    assert json.loads(saved[0])["done"] == [] and json.loads(saved[0])["plan"]  # the plan came first


def test_a_broken_record_is_one_clear_error(tmp_path: Path, run_cli) -> None:
    bad = tmp_path / "record.json"
    bad.write_text('{"role_name": 1')
    code, _, err = run_cli("policy", "rollback", "--record", str(bad), "--yes")
    assert code == 2 and "not a pipedoctor apply record" in err
