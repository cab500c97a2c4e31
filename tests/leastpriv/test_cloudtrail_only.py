"""`policy generate --role ARN --cloudtrail ...` without a snapshot: current policies from a file,
from IAM, or none; denied calls listed, not granted."""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import pytest

from tests.leastpriv.trail_records import record, write_log

ACCOUNT = "123456789012"
ROLE_NAME = "trail-only-role"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/ci/{ROLE_NAME}"
SECRET = f"arn:aws:secretsmanager:eu-west-2:{ACCOUNT}:secret:npm-token-AbCdEf"
BROAD = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["secretsmanager:*", "ssm:*"], "Resource": "*"}]}
GUARD = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "secretsmanager:GetSecretValue", "Resource": f"arn:aws:secretsmanager:eu-west-2:{ACCOUNT}:secret:prod/*"}]}


@pytest.fixture
def trail(tmp_path: Path) -> Path:
    folder = tmp_path / "trail"
    folder.mkdir()
    write_log(
        folder / "one.json.gz",
        [
            record("GetSecretValue", "secretsmanager.amazonaws.com", role=ROLE_NAME, account=ACCOUNT, region="eu-west-2", params={"secretId": SECRET}),
            record("GetParameter", "ssm.amazonaws.com", role=ROLE_NAME, account=ACCOUNT, region="eu-west-2", params={"name": "/app/url"}, error="AccessDenied"),
        ],
    )
    return folder


@pytest.fixture
def no_credentials(monkeypatch, tmp_path: Path) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)


def granted(out: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for statement in json.loads(out)["Statement"]:
        if statement["Effect"] != "Allow":
            continue
        resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
        for action in statement["Action"]:
            found.setdefault(action, set()).update(resources)
    return found


def test_no_current_policies_generates_proves_sufficiency_and_says_no_comparison(trail: Path, run_cli, no_credentials) -> None:
    code, out, err = run_cli("policy", "generate", "--role", ROLE_ARN, "--cloudtrail", str(trail))
    assert code == 0, err
    assert granted(out) == {"secretsmanager:GetSecretValue": {SECRET}}
    assert "proof: all 1 needs" in err and "no comparison was made" in err
    assert "no AWS credentials" in err
    assert "requested, denied (1)" in err and "ssm:GetParameter" in err
    code, out, _ = run_cli("policy", "generate", "--role", ROLE_ARN, "--cloudtrail", str(trail), "--include-denied")
    assert code == 0 and "ssm:GetParameter" in granted(out)


def authorization_details(tmp_path: Path, with_guard_document: bool = True) -> Path:
    policies = [{"PolicyName": "broad", "Arn": f"arn:aws:iam::{ACCOUNT}:policy/broad", "DefaultVersionId": "v1", "PolicyVersionList": [{"Document": BROAD, "VersionId": "v1", "IsDefaultVersion": True}]}]
    if with_guard_document:
        policies.append({"PolicyName": "guard", "Arn": f"arn:aws:iam::{ACCOUNT}:policy/guard", "DefaultVersionId": "v1", "PolicyVersionList": [{"Document": json.dumps(GUARD), "VersionId": "v1", "IsDefaultVersion": True}]})
    details = {
        "RoleDetailList": [
            {
                "RoleName": ROLE_NAME,
                "Arn": ROLE_ARN,
                "Path": "/ci/",
                "RolePolicyList": [],
                "AttachedManagedPolicies": [
                    {"PolicyName": "broad", "PolicyArn": f"arn:aws:iam::{ACCOUNT}:policy/broad"},
                    {"PolicyName": "guard", "PolicyArn": f"arn:aws:iam::{ACCOUNT}:policy/guard"},
                ],
            }
        ],
        "Policies": policies,
    }
    path = tmp_path / "details.json"
    path.write_text(json.dumps(details))
    return path


def test_current_policies_from_authorization_details(trail: Path, tmp_path: Path, run_cli) -> None:
    details = authorization_details(tmp_path)
    code, out, err = run_cli("policy", "generate", "--role", ROLE_ARN, "--cloudtrail", str(trail), "--authorization-details", str(details))
    assert code == 0, err
    assert "proof: nothing allowed that the current policies did not allow" in err
    document = json.loads(out)
    assert any(s["Effect"] == "Deny" and s["Sid"].startswith("KeptDeny") for s in document["Statement"])
    partial = authorization_details(tmp_path, with_guard_document=False)
    code, _, err = run_cli("policy", "generate", "--role", ROLE_ARN, "--cloudtrail", str(trail), "--authorization-details", str(partial))
    assert code == 0 and "no comparison was made" in err and "lacks the documents of" in err
    code, _, err = run_cli("policy", "generate", "--role", f"arn:aws:iam::{ACCOUNT}:role/other", "--cloudtrail", str(trail), "--authorization-details", str(details))
    assert code == 2 and "no role" in err


def test_current_policies_from_iam_live(trail: Path, run_cli, moto_endpoint: str) -> None:
    iam = boto3.client("iam", endpoint_url=moto_endpoint, region_name="us-east-1")
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "codebuild.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
    arn = iam.create_role(RoleName=ROLE_NAME, Path="/ci/", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    iam.put_role_policy(RoleName=ROLE_NAME, PolicyName="broad", PolicyDocument=json.dumps(BROAD))
    code, out, err = run_cli("policy", "generate", "--role", arn, "--cloudtrail", str(trail), "--endpoint-url", moto_endpoint)
    assert code == 0, err
    assert "current policies read from IAM" in err and "nothing allowed that the current policies did not allow" in err
    assert granted(out) == {"secretsmanager:GetSecretValue": {SECRET}}


def test_without_a_snapshot_the_role_must_be_an_arn_and_a_trail_given(trail: Path, run_cli) -> None:
    code, _, err = run_cli("policy", "generate", "--role", ROLE_NAME, "--cloudtrail", str(trail))
    assert code == 2 and "give the role's ARN" in err
    code, _, err = run_cli("policy", "generate", "--role", ROLE_ARN)
    assert code == 2 and "--cloudtrail" in err


def test_corpus_roles_from_cloudtrail_alone(corpus: Path, run_cli, no_credentials) -> None:
    logs = corpus / "cloudtrail" / "stratus-red-team-detonation-logs"
    attacker = "arn:aws:iam::457448411975:role/stratus-red-team-ec2-get-password-data-role"
    code, out, err = run_cli("policy", "generate", "--role", attacker, "--cloudtrail", str(logs))
    assert code == 0, err
    assert granted(out) == {}  # every call it made was denied: nothing granted
    denied = [line for line in err.splitlines() if line.startswith("  ! ")]
    assert "requested, denied (30)" in err and len(denied) == 30
    assert all(line.startswith("  ! ec2:GetPasswordData on arn:aws:ec2:") and ":instance/i-" in line for line in denied)
    user = "arn:aws:iam::494659789341:role/test-role"  # the Bedrock detonation's role
    code, out, err = run_cli("policy", "generate", "--role", user, "--cloudtrail", str(logs))
    assert code == 0, err
    assert granted(out)["bedrock:InvokeModel"] == {
        "arn:aws:bedrock:megov-northeast-1r::foundation-model/anthropic.claude-3-sonnet-20240229-v1:0"
    }
    left = next(line for line in err.splitlines() if line.startswith('left at "*" (they take no resource)'))
    assert "bedrock:PutUseCaseForModelAccess" in left and "bedrock:InvokeModel" not in left


def test_lookup_events_alone(run_cli, monkeypatch, no_credentials) -> None:
    from datetime import UTC, datetime

    from botocore.stub import Stubber

    from pipedoctor.app import usage as app_usage

    client = boto3.client("cloudtrail", region_name="eu-west-2", aws_access_key_id="a", aws_secret_access_key="a")
    stubber = Stubber(client)
    event = record("GetSecretValue", "secretsmanager.amazonaws.com", role=ROLE_NAME, account=ACCOUNT, region="eu-west-2", params={"secretId": SECRET})
    when = datetime(2026, 11, 20, tzinfo=UTC)
    stubber.add_response("lookup_events", {"Events": [{"EventId": "1", "EventName": "GetSecretValue", "EventTime": when, "CloudTrailEvent": json.dumps(event)}]})
    stubber.activate()
    monkeypatch.setattr(app_usage, "client_for", lambda *_: client)
    code, out, err = run_cli("policy", "generate", "--role", ROLE_ARN, "--lookup-events")
    assert code == 0, err
    assert granted(out) == {"secretsmanager:GetSecretValue": {SECRET}}
    assert "no comparison was made" in err
    stubber.assert_no_pending_responses()


def test_a_same_named_role_of_another_account_in_the_trail_is_someone_else(tmp_path: Path, run_cli, no_credentials) -> None:
    folder = tmp_path / "shared-trail"
    folder.mkdir()
    other_account = "210987654321"
    other_secret = f"arn:aws:secretsmanager:eu-west-2:{other_account}:secret:other-AbCdEf"
    write_log(
        folder / "org.json.gz",
        [
            record("GetSecretValue", "secretsmanager.amazonaws.com", role=ROLE_NAME, account=ACCOUNT, region="eu-west-2", params={"secretId": SECRET}),
            record("GetSecretValue", "secretsmanager.amazonaws.com", role=ROLE_NAME, account=other_account, region="eu-west-2", params={"secretId": other_secret}),
        ],
    )
    code, out, err = run_cli("policy", "generate", "--role", ROLE_ARN, "--cloudtrail", str(folder))
    assert code == 0, err
    assert granted(out) == {"secretsmanager:GetSecretValue": {SECRET}}
