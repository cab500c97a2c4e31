"""`policy generate` with observed usage: CloudTrail files and event history join the configuration."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import boto3
from botocore.stub import Stubber

from pipedoctor.app import usage as app_usage
from pipedoctor.commands.demo import demo_snapshot_text
from tests.leastpriv.trail_records import record, write_log

ROLE = "codebuild-build-myapp-service-role"
ACCOUNT = "123456789012"
SECRET = f"arn:aws:secretsmanager:eu-west-2:{ACCOUNT}:secret:npm-token-AbCdEf"


def demo_file(tmp_path: Path) -> Path:
    path = tmp_path / "demo.json"
    path.write_text(demo_snapshot_text())
    return path


def role_record(name: str, source: str, params: dict, error: str | None = None) -> dict:
    return record(name, source, role=ROLE, account=ACCOUNT, region="eu-west-2", params=params, error=error)


def actions(document: dict) -> dict[str, set]:
    found: dict[str, set] = {}
    for statement in document["Statement"]:
        resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
        for action in statement["Action"]:
            found.setdefault(action, set()).update(resources)
    return found


def test_cloudtrail_usage_and_denials_join_the_configuration(tmp_path: Path, run_cli) -> None:
    trail = tmp_path / "trail"
    trail.mkdir()
    write_log(
        trail / "one.json.gz",
        [
            role_record("GetSecretValue", "secretsmanager.amazonaws.com", {"secretId": SECRET}),
            role_record("GetParameters", "ssm.amazonaws.com", {"names": ["/myapp/url"]}, error="AccessDenied"),
            record("DeleteRepository", "ecr.amazonaws.com", role="someone-else", account=ACCOUNT),
        ],
    )
    snapshot = demo_file(tmp_path)
    code, out, err = run_cli("policy", "generate", "--role", ROLE, "--snapshot", str(snapshot), "--cloudtrail", str(trail))
    granted = actions(json.loads(out))
    assert SECRET in granted["secretsmanager:GetSecretValue"]
    assert "ssm:GetParameters" not in granted  # denied in the trail: listed, not granted
    assert "requested, denied (1)" in err and "! ssm:GetParameters on" in err
    assert "ecr:DeleteRepository" not in granted  # another principal's call
    assert "1 observed" in err
    assert code == 0
    code, out, err = run_cli("policy", "generate", "--role", ROLE, "--snapshot", str(snapshot), "--cloudtrail", str(trail), "--include-denied")
    assert code == 0 and "ssm:GetParameters" in actions(json.loads(out))
    assert "1 denied" in err and "requested, denied" not in err


def test_lookup_events_usage(tmp_path: Path, run_cli, monkeypatch) -> None:
    client = boto3.client("cloudtrail", region_name="eu-west-2", aws_access_key_id="a", aws_secret_access_key="a")
    stubber = Stubber(client)
    event = role_record("GetSecretValue", "secretsmanager.amazonaws.com", {"secretId": SECRET})
    when = datetime(2026, 11, 20, tzinfo=UTC)
    for _ in range(3):  # one lookup per CodeBuild session of the demo's builds
        stubber.add_response(
            "lookup_events",
            {"Events": [{"EventId": "1", "EventName": "GetSecretValue", "EventTime": when, "CloudTrailEvent": json.dumps(event)}]},
        )
    stubber.activate()
    monkeypatch.setattr(app_usage, "client_for", lambda *_: client)
    code, out, _ = run_cli("policy", "generate", "--role", ROLE, "--snapshot", str(demo_file(tmp_path)), "--lookup-events")
    assert code == 0
    assert SECRET in actions(json.loads(out))["secretsmanager:GetSecretValue"]
    stubber.assert_no_pending_responses()
