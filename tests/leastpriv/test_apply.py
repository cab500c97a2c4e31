"""`policy apply` and `policy rollback` against the moto server: attachments restored exactly."""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import pytest

from pipedoctor.commands.demo import demo_snapshot_text
from pipedoctor.model import dump, loads

ROLE = "codebuild-build-myapp-service-role"
ECR_FULL_ACCESS = "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryFullAccess"
POWER_USER = "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPowerUser"


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


def test_apply_then_rollback_restores_the_attachments(apply_world, moto_endpoint, tmp_path, run_cli) -> None:
    iam, role, snapshot = apply_world
    record = tmp_path / "record.json"
    base = ["policy", "apply", "--role", role, "--snapshot", str(snapshot), "--record", str(record), "--endpoint-url", moto_endpoint]
    code, out, _ = run_cli(*base)  # no --yes: a plan, nothing written
    assert code == 0 and "plan: detach" in out
    assert attached(iam, role) == {ECR_FULL_ACCESS, POWER_USER} and not record.exists()

    code, _, err = run_cli(*base, "--keep", POWER_USER, "--yes")
    assert code == 0, err
    written = json.loads(record.read_text())
    new_policy = written["policy_arn"]
    assert attached(iam, role) == {new_policy, POWER_USER}
    assert written["detached"] == [ECR_FULL_ACCESS] and written["created_policy"] is True
    version = iam.get_policy(PolicyArn=new_policy)["Policy"]["DefaultVersionId"]
    document = iam.get_policy_version(PolicyArn=new_policy, VersionId=version)["PolicyVersion"]["Document"]
    document = json.loads(document) if isinstance(document, str) else document
    actions = {a for s in document["Statement"] for a in s["Action"]}
    assert "ecr:PutImage" in actions and "ecr:DeleteRepository" not in actions

    code, _, err = run_cli("policy", "rollback", "--record", str(record), "--yes", "--endpoint-url", moto_endpoint)
    assert code == 0, err
    assert attached(iam, role) == {ECR_FULL_ACCESS, POWER_USER}
    with pytest.raises(iam.exceptions.NoSuchEntityException):
        iam.get_policy(PolicyArn=new_policy)


def test_applying_twice_adds_a_version_and_rollback_restores_it(apply_world, moto_endpoint, tmp_path, run_cli) -> None:
    iam, role, snapshot = apply_world
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    base = ["policy", "apply", "--role", role, "--snapshot", str(snapshot), "--endpoint-url", moto_endpoint, "--yes"]
    assert run_cli(*base, "--record", str(first))[0] == 0
    assert run_cli(*base, "--record", str(second))[0] == 0
    record = json.loads(second.read_text())
    assert record["created_policy"] is False and record["detached"] == []
    assert iam.get_policy(PolicyArn=record["policy_arn"])["Policy"]["DefaultVersionId"] == record["new_version"]
    assert run_cli("policy", "rollback", "--record", str(second), "--yes", "--endpoint-url", moto_endpoint)[0] == 0
    policy = iam.get_policy(PolicyArn=record["policy_arn"])["Policy"]
    assert policy["DefaultVersionId"] == record["previous_default_version"]
    assert run_cli("policy", "rollback", "--record", str(first), "--yes", "--endpoint-url", moto_endpoint)[0] == 0
    assert attached(iam, role) == {ECR_FULL_ACCESS, POWER_USER}


def test_a_broken_record_is_one_clear_error(tmp_path: Path, run_cli) -> None:
    bad = tmp_path / "record.json"
    bad.write_text('{"role_name": 1')
    code, _, err = run_cli("policy", "rollback", "--record", str(bad), "--yes")
    assert code == 2 and "not a pipedoctor apply record" in err
