"""`pipedoctor permissions`: the published policy is exactly what collection needs.

A moto server of its own (in a subprocess, so enforcing IAM cannot disturb the other tests) checks
every request against the caller's policies once its first three requests have made an admin.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from pipedoctor.collect import CollectOptions, collect
from pipedoctor.model import Snapshot
from pipedoctor.operations import COLLECT
from pipedoctor.permissions import permissions_policy
from tests.collect.stubs import StubbedFactory
from tests.collect.world import BUCKET, PIPELINE, REGION, build_demo_world, stubbed_replies

# Where moto's IAM enforcement names an action differently from AWS. pipedoctor's table stays true
# to AWS; only the policy handed to moto is translated, and test_moto_still_differs_from_aws fails
# once moto agrees with AWS, so the allowance cannot outlive the mismatch.
# GetBucketEncryption: AWS authorizes it as s3:GetEncryptionConfiguration (API reference,
# "Permissions"; the service authorization reference lists no s3:GetBucketEncryption action);
# moto >= 5.2.6 asks for s3:GetBucketEncryption, named after the API.
MOTO_ACTION_NAMES = {"s3:GetEncryptionConfiguration": "s3:GetBucketEncryption"}
WRITE_VERBS = ("Create", "Put", "Delete", "Update", "Attach", "Detach", "Set", "Start", "Stop", "Tag", "Untag")


@pytest.fixture(scope="module")
def enforcing_moto() -> Iterator[tuple[str, dict[str, str]]]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "INITIAL_NO_AUTH_ACTION_COUNT": "3", "MOTO_IAM_LOAD_MANAGED_POLICIES": "true"}
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{url}/moto-api/", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        iam = boto3.client("iam", endpoint_url=url, region_name=REGION, aws_access_key_id="a", aws_secret_access_key="a")
        iam.create_user(UserName="admin")
        iam.attach_user_policy(UserName="admin", PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
        key = iam.create_access_key(UserName="admin")["AccessKey"]
        yield url, {"AWS_ACCESS_KEY_ID": key["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": key["SecretAccessKey"]}
    finally:
        server.terminate()
        server.wait(timeout=10)


def use_credentials(monkeypatch: pytest.MonkeyPatch, credentials: dict[str, str]) -> None:
    for name, value in credentials.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    monkeypatch.delenv("AWS_SECURITY_TOKEN", raising=False)


def as_moto_expects(policy: dict[str, Any]) -> dict[str, Any]:
    statements = [
        {**s, "Action": [MOTO_ACTION_NAMES.get(a, a) for a in s["Action"]]} for s in policy["Statement"]
    ]
    return {**policy, "Statement": statements}


def user_with_policy(
    url: str, admin: dict[str, str], name: str, policy: dict[str, Any], translate: bool = True
) -> dict[str, str]:
    iam = boto3.client("iam", endpoint_url=url, region_name=REGION, **boto_keys(admin))
    iam.create_user(UserName=name)
    document = as_moto_expects(policy) if translate else policy
    iam.put_user_policy(UserName=name, PolicyName="pipedoctor", PolicyDocument=json.dumps(document))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return {"AWS_ACCESS_KEY_ID": key["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": key["SecretAccessKey"]}


def collect_as(url: str, monkeypatch: pytest.MonkeyPatch, credentials: dict[str, str]) -> tuple[Snapshot, dict[str, int]]:
    use_credentials(monkeypatch, credentials)
    factory = StubbedFactory(url, stubbed_replies(), max_attempts=1)
    snapshot = collect(factory, CollectOptions(regions=[REGION], pipelines=[PIPELINE]))
    return snapshot, factory.counter.counts()


@pytest.fixture(scope="module")
def world(enforcing_moto) -> str:
    url, admin = enforcing_moto
    with pytest.MonkeyPatch.context() as patch:
        use_credentials(patch, admin)
        patch.setattr(boto3, "DEFAULT_SESSION", None)  # it caches the credentials of its first use
        build_demo_world(url)
    return url


def test_every_action_is_a_real_iam_action() -> None:
    from pipedoctor.iam import load_catalog

    catalog = load_catalog()
    actions = {a for s in permissions_policy("all")["Statement"] for a in s["Action"]}
    assert [a for a in actions if not catalog.action_exists(a)] == []


def test_read_modes_need_no_write_action() -> None:
    for mode in ("collect", "check"):
        actions = {a for s in permissions_policy(mode)["Statement"] for a in s["Action"]}
        assert actions and not [a for a in actions if a.split(":")[1].startswith(WRITE_VERBS)]


def test_the_collect_policy_is_complete_and_each_statement_is_needed(
    world: str, enforcing_moto, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, admin = enforcing_moto
    reference, calls = collect_as(url, monkeypatch, admin)
    assert reference.errors == []
    called = {tuple(key.split(":")) for key in calls}
    assert called <= set(COLLECT), f"calls missing from the operations table: {called - set(COLLECT)}"

    policy = permissions_policy("collect")
    limited = user_with_policy(url, admin, "pipedoctor-reader", policy)
    snapshot, _ = collect_as(url, monkeypatch, limited)
    assert snapshot.errors == []
    assert snapshot.pipelines == reference.pipelines and snapshot.roles == reference.roles

    moto_services = {service for service, operation in called} - {"sts", "codeconnections"}  # stubbed
    checked = 0
    for index, statement in enumerate(policy["Statement"]):
        service = statement["Action"][0].split(":")[0]
        if service not in moto_services:
            continue
        reduced = {**policy, "Statement": policy["Statement"][:index] + policy["Statement"][index + 1 :]}
        credentials = user_with_policy(url, admin, f"without-{service}", reduced)
        partial, _ = collect_as(url, monkeypatch, credentials)
        named = {error.service for error in partial.errors}
        assert service in named, f"removing {statement['Sid']} went unnoticed"
        checked += 1
    assert checked >= 6


def test_moto_still_differs_from_aws(world: str, enforcing_moto, monkeypatch: pytest.MonkeyPatch) -> None:
    from pipedoctor.iam import load_catalog

    url, admin = enforcing_moto
    catalog = load_catalog()
    for aws_name, moto_name in MOTO_ACTION_NAMES.items():
        assert catalog.action_exists(aws_name) and not catalog.action_exists(moto_name)
        allowed = {}
        for granted in (aws_name, moto_name):
            policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": granted, "Resource": "*"}]}
            credentials = user_with_policy(url, admin, f"probe-{granted.replace(':', '-')}", policy, translate=False)
            s3 = boto3.client("s3", endpoint_url=url, region_name=REGION, **boto_keys(credentials))
            try:
                s3.get_bucket_encryption(Bucket=BUCKET)
                allowed[granted] = True
            except s3.exceptions.ClientError as error:
                allowed[granted] = error.response["Error"]["Code"] != "AccessDenied"
        assert allowed == {aws_name: False, moto_name: True}, f"moto now agrees with AWS on {aws_name}: drop the allowance"


def boto_keys(credentials: dict[str, str]) -> dict[str, str]:
    return {"aws_access_key_id": credentials["AWS_ACCESS_KEY_ID"], "aws_secret_access_key": credentials["AWS_SECRET_ACCESS_KEY"]}


def test_permissions_cli_prints_json_and_terraform(run_cli) -> None:
    code, out, _ = run_cli("permissions", "--for", "collect")
    assert code == 0 and json.loads(out) == permissions_policy("collect")
    code, out, _ = run_cli("permissions", "--for", "policy-apply", "--format", "terraform")
    assert code == 0 and 'resource "aws_iam_policy" "pipedoctor_policy_apply"' in out and "iam:AttachRolePolicy" in out
