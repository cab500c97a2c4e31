"""`pipedoctor permissions --for policy-generate`: complete for what `policy generate` calls, and
each statement needed, proven against an IAM-enforcing moto server for the S3 trail and IAM reads
(LookupEvents, which moto lacks, and Athena, which its standalone server does not route, are
checked against the operations table and through Stubber in test_policy_errors.py)."""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import pytest

import pipedoctor.collect
from pipedoctor.operations import POLICY_GENERATE
from pipedoctor.permissions import permissions_policy
from tests.collect.test_permissions import enforcing_moto, use_credentials, user_with_policy
from tests.leastpriv.trail_records import record, write_log

__all__ = ["enforcing_moto"]

ROLE_NAME = "usage-role"
ACCOUNT = "123456789012"
SECRET = f"arn:aws:secretsmanager:eu-west-2:{ACCOUNT}:secret:npm-token-AbCdEf"
BUCKET = "enforced-trail"
# moto 5.2.6 authorizes these S3 calls under the operation's name instead of the IAM action.
MOTO_EXTRA_NAMES = {"s3:ListBucket": ["s3:ListObjectsV2"], "s3:GetObject": ["s3:HeadObject"]}


def for_moto(policy: dict) -> dict:
    statements = [
        {**s, "Action": s["Action"] + [extra for a in s["Action"] for extra in MOTO_EXTRA_NAMES.get(a, [])]}
        for s in policy["Statement"]
    ]
    return {**policy, "Statement": statements}


@pytest.fixture(scope="module")
def usage_world(enforcing_moto, tmp_path_factory) -> str:
    url, admin = enforcing_moto
    keys = {"aws_access_key_id": admin["AWS_ACCESS_KEY_ID"], "aws_secret_access_key": admin["AWS_SECRET_ACCESS_KEY"]}
    iam = boto3.client("iam", endpoint_url=url, region_name="us-east-1", **keys)
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "codebuild.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
    arn = iam.create_role(RoleName=ROLE_NAME, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    iam.put_role_policy(RoleName=ROLE_NAME, PolicyName="broad", PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["secretsmanager:*"], "Resource": "*"}]}))
    s3 = boto3.client("s3", endpoint_url=url, region_name="us-east-1", **keys)
    s3.create_bucket(Bucket=BUCKET)
    log = tmp_path_factory.mktemp("trail") / "one.json.gz"
    write_log(log, [record("GetSecretValue", "secretsmanager.amazonaws.com", role=ROLE_NAME, account=ACCOUNT, region="eu-west-2", params={"secretId": SECRET})])
    s3.upload_file(str(log), BUCKET, "AWSLogs/one.json.gz")
    return arn


def generate_as(run_cli, monkeypatch, url: str, credentials: dict[str, str], role_arn: str) -> tuple[int, str, str, set[tuple[str, str]]]:
    """Runs `policy generate` from the trail bucket with these credentials; the calls it made."""
    use_credentials(monkeypatch, credentials)
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)
    calls: set[tuple[str, str]] = set()
    real = pipedoctor.collect.make_session

    def recording_session(*args, **kwargs):
        session = real(*args, **kwargs)

        def record_call(model=None, **_):
            if model is not None:
                calls.add((model.service_model.service_name, model.name))

        session.events.register("after-call", record_call)
        session.events.register("after-call-error", record_call)
        return session

    monkeypatch.setattr(pipedoctor.collect, "make_session", recording_session)
    code, out, err = run_cli("policy", "generate", "--role", role_arn, "--cloudtrail", f"s3://{BUCKET}/AWSLogs/", "--endpoint-url", url)
    return code, out, err, calls


def test_the_policy_generate_policy_is_complete_and_each_statement_is_needed(usage_world: str, enforcing_moto, run_cli, monkeypatch) -> None:
    url, admin = enforcing_moto
    code, _, err, calls = generate_as(run_cli, monkeypatch, url, admin, usage_world)
    assert code == 0, err
    assert calls <= set(POLICY_GENERATE), f"calls missing from the operations table: {calls - set(POLICY_GENERATE)}"

    policy = permissions_policy("policy-generate")
    limited = user_with_policy(url, admin, "pipedoctor-usage", for_moto(policy))
    code, out, err, _ = generate_as(run_cli, monkeypatch, url, limited, usage_world)
    assert code == 0, err
    assert "current policies read from IAM" in err and SECRET in out

    by_sid = {statement["Sid"]: statement for statement in policy["Statement"]}
    for sid, symptom in (("UsageS3", "AccessDenied"), ("UsageIam", "could not read the role from IAM")):
        reduced = {**policy, "Statement": [s for s in policy["Statement"] if s is not by_sid[sid]]}
        credentials = user_with_policy(url, admin, f"without-{sid.lower()}", for_moto(reduced))
        code, _, err, _ = generate_as(run_cli, monkeypatch, url, credentials, usage_world)
        assert symptom in err, f"removing {sid} went unnoticed: {err[-300:]}"
        if sid == "UsageS3":
            assert code == 3 and err.strip().count("\n") == 0


def test_all_lists_every_mode_and_assume_role(run_cli) -> None:
    everything = {a for s in permissions_policy("all")["Statement"] for a in s["Action"]}
    for mode in ("collect", "policy-generate", "policy-apply"):
        assert {a for s in permissions_policy(mode)["Statement"] for a in s["Action"]} <= everything
    assert {"cloudtrail:LookupEvents", "athena:StartQueryExecution", "glue:GetTable", "s3:PutObject", "sts:AssumeRole"} <= everything
    code, out, _ = run_cli("permissions", "--for", "policy-generate")
    assert code == 0 and json.loads(out) == permissions_policy("policy-generate")


def test_the_trail_download_and_apply_reads_are_in_the_tables(tmp_path: Path) -> None:
    from pipedoctor.operations import POLICY_APPLY

    assert ("s3", "HeadObject") in POLICY_GENERATE  # download_file asks for the size first
    assert ("iam", "GetPolicyVersion") in POLICY_APPLY  # apply reads every attached policy for Deny
