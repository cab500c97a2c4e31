"""Every AWS failure of the least-privilege modes is one line and exit 3 (AWS) or 2 (input)."""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import pytest
from botocore.parsers import ResponseParserError
from botocore.stub import Stubber

from pipedoctor.app import usage as app_usage
from pipedoctor.commands.demo import demo_snapshot_text
from tests.collect.test_permissions import enforcing_moto, use_credentials, user_with_policy
from tests.leastpriv.trail_records import record, write_log

__all__ = ["enforcing_moto"]

ROLE = "codebuild-build-myapp-service-role"
ACCOUNT = "123456789012"


def demo_file(tmp_path: Path) -> Path:
    path = tmp_path / "demo.json"
    path.write_text(demo_snapshot_text())
    return path


def generate(tmp_path: Path, *extra: str) -> list[str]:
    return ["policy", "generate", "--role", ROLE, "--snapshot", str(demo_file(tmp_path)), *extra]


def one_error_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert "Traceback" not in err
    assert len(lines) == 1 and lines[0].startswith("pipedoctor: error: "), err
    return lines[0]


def test_a_missing_cloudtrail_path_is_an_input_error(tmp_path: Path, run_cli) -> None:
    code, out, err = run_cli(*generate(tmp_path, "--cloudtrail", str(tmp_path / "nonexistent")))
    assert code == 2 and out == ""
    assert "no such file or folder" in one_error_line(err)


class AnswersWithAPage:
    """A client behind a proxy that answers with an HTML page botocore cannot parse."""

    def get_paginator(self, _operation: str) -> None:
        raise ResponseParserError(
            "Unable to parse response (syntax error), invalid XML received:\n"
            "b'<!doctype html><html><title>502 Bad Gateway</title></html>'"
        )


def test_an_html_page_for_an_answer_is_one_aws_error(tmp_path: Path, run_cli, monkeypatch) -> None:
    monkeypatch.setattr(app_usage, "client_for", lambda *_: AnswersWithAPage())
    code, out, err = run_cli(*generate(tmp_path, "--lookup-events"))
    assert code == 3 and out == ""
    line = one_error_line(err)
    assert line.startswith("pipedoctor: error: --lookup-events: CloudTrail LookupEvents: cannot use AWS: ")
    assert line.endswith("not an AWS response: HTML page: 502 Bad Gateway")


def test_s3_trails_missing_empty_and_present(tmp_path: Path, run_cli, moto_endpoint: str) -> None:
    s3 = boto3.client("s3", endpoint_url=moto_endpoint, region_name="us-east-1")
    endpoint = ["--endpoint-url", moto_endpoint]
    code, _, err = run_cli(*generate(tmp_path, "--cloudtrail", "s3://missing-bucket/AWSLogs/", *endpoint))
    assert code == 2 and "NoSuchBucket" in one_error_line(err)

    s3.create_bucket(Bucket="empty-trail")
    code, _, err = run_cli(*generate(tmp_path, "--cloudtrail", "s3://empty-trail/AWSLogs/", *endpoint))
    assert code == 2 and "no CloudTrail log file" in one_error_line(err)

    s3.create_bucket(Bucket="trail")
    log = tmp_path / "one.json.gz"
    secret = f"arn:aws:secretsmanager:eu-west-2:{ACCOUNT}:secret:npm-token-AbCdEf"
    event = record("GetSecretValue", "secretsmanager.amazonaws.com", role=ROLE, account=ACCOUNT, region="eu-west-2", params={"secretId": secret})
    write_log(log, [event])
    s3.upload_file(str(log), "trail", "AWSLogs/123456789012/CloudTrail/eu-west-2/one.json.gz")
    code, out, err = run_cli(*generate(tmp_path, "--cloudtrail", "s3://trail/AWSLogs/", *endpoint))
    assert code == 0, err
    assert "secretsmanager:GetSecretValue" in out and "1 observed" in err


def stubbed(service: str, monkeypatch) -> Stubber:
    client = boto3.client(service, region_name="eu-west-2", aws_access_key_id="a", aws_secret_access_key="a")
    stubber = Stubber(client)
    monkeypatch.setattr(app_usage, "client_for", lambda *_: client)
    return stubber


def test_lookup_events_failing_is_one_aws_error(tmp_path: Path, run_cli, monkeypatch) -> None:
    stubber = stubbed("cloudtrail", monkeypatch)
    stubber.add_client_error("lookup_events", "AccessDeniedException", "not authorized to perform: cloudtrail:LookupEvents")
    stubber.activate()
    code, out, err = run_cli(*generate(tmp_path, "--lookup-events"))
    assert code == 3 and out == ""
    line = one_error_line(err)
    assert "LookupEvents" in line and "AccessDeniedException" in line


@pytest.mark.parametrize(
    ("error", "expected"),
    [("InvalidRequestException", 2), ("AccessDeniedException", 3), ("InternalServerException", 3)],
)
def test_athena_failing_is_one_error(tmp_path: Path, run_cli, monkeypatch, error: str, expected: int) -> None:
    stubber = stubbed("athena", monkeypatch)
    stubber.add_client_error("start_query_execution", error, "<html>\n<h1>Database trails\ndoes not exist</h1>\n</html>")
    stubber.activate()
    code, _, err = run_cli(*generate(tmp_path, "--athena-database", "trails", "--athena-table", "cloudtrail_logs"))
    assert code == expected and error in one_error_line(err)


def test_access_denied_partway_through_apply_undoes_and_exits_3(enforcing_moto, tmp_path: Path, run_cli, monkeypatch) -> None:
    url, admin = enforcing_moto
    iam = boto3.client("iam", endpoint_url=url, region_name="us-east-1", aws_access_key_id=admin["AWS_ACCESS_KEY_ID"], aws_secret_access_key=admin["AWS_SECRET_ACCESS_KEY"])
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "codebuild.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
    arn = iam.create_role(RoleName="apply-denied", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    full_access = "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryFullAccess"
    iam.attach_role_policy(RoleName="apply-denied", PolicyArn=full_access)
    snapshot = json.loads(demo_snapshot_text())
    role = next(r for r in snapshot["roles"] if r["name"] == ROLE)
    for project in snapshot["projects"]:
        if project["service_role"] == role["arn"]:
            project["service_role"] = arn
    role["name"], role["arn"] = "apply-denied", arn
    path = tmp_path / "snapshot.json"
    path.write_text(json.dumps(snapshot))
    may_not_attach = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": ["iam:*"], "Resource": "*"},
            {"Effect": "Deny", "Action": ["iam:AttachRolePolicy"], "Resource": "*"},
        ],
    }
    use_credentials(monkeypatch, user_with_policy(url, admin, "cannot-attach", may_not_attach))
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)
    record_path = tmp_path / "record.json"
    code, out, err = run_cli("policy", "apply", "--role", "apply-denied", "--snapshot", str(path), "--record", str(record_path), "--endpoint-url", url, "--yes")
    assert code == 3, err
    assert "plan: attach" in out  # the plan was printed before anything changed
    last = err.strip().splitlines()[-1]
    assert "Traceback" not in err and last.startswith("pipedoctor: error: apply failed to attach")
    assert "AccessDenied" in last and "undid the 1 change(s)" in last
    policies = [p["Arn"] for p in iam.list_policies(Scope="Local")["Policies"]]
    assert not [p for p in policies if "apply-denied-least-privilege" in p]  # the created policy is gone
    assert [p["PolicyArn"] for p in iam.list_attached_role_policies(RoleName="apply-denied")["AttachedPolicies"]] == [full_access]
    assert json.loads(record_path.read_text())["status"] == "failed, undone"


def test_the_policy_apply_policy_is_enough_for_apply_and_rollback(enforcing_moto, tmp_path: Path, run_cli, monkeypatch) -> None:
    from pipedoctor.permissions import permissions_policy
    from tests.leastpriv.test_generate_permissions import for_moto

    url, admin = enforcing_moto
    iam = boto3.client("iam", endpoint_url=url, region_name="us-east-1", aws_access_key_id=admin["AWS_ACCESS_KEY_ID"], aws_secret_access_key=admin["AWS_SECRET_ACCESS_KEY"])
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "codebuild.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
    arn = iam.create_role(RoleName="apply-allowed", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    full_access = "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryFullAccess"
    iam.attach_role_policy(RoleName="apply-allowed", PolicyArn=full_access)
    snapshot = json.loads(demo_snapshot_text())
    role = next(r for r in snapshot["roles"] if r["name"] == ROLE)
    for project in snapshot["projects"]:
        if project["service_role"] == role["arn"]:
            project["service_role"] = arn
    role["name"], role["arn"] = "apply-allowed", arn
    path = tmp_path / "snapshot.json"
    path.write_text(json.dumps(snapshot))
    # moto authorizes IAM calls against Resource "*" only (it does not derive the ARN of the call):
    # the actions are what this proves; the ARN scoping is checked with the evaluator below.
    policy = permissions_policy("policy-apply")
    unscoped = {**policy, "Statement": [{**s, "Resource": "*"} for s in policy["Statement"]]}
    use_credentials(monkeypatch, user_with_policy(url, admin, "pipedoctor-apply", for_moto(unscoped)))
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)
    record = tmp_path / "record.json"
    code, _, err = run_cli("policy", "apply", "--role", "apply-allowed", "--snapshot", str(path), "--record", str(record), "--endpoint-url", url, "--yes")
    assert code == 0, err
    attached = {p["PolicyArn"] for p in iam.list_attached_role_policies(RoleName="apply-allowed")["AttachedPolicies"]}
    assert full_access not in attached and len(attached) == 1
    code, _, err = run_cli("policy", "rollback", "--record", str(record), "--yes", "--endpoint-url", url)
    assert code == 0, err
    assert [p["PolicyArn"] for p in iam.list_attached_role_policies(RoleName="apply-allowed")["AttachedPolicies"]] == [full_access]
    from pipedoctor.iam import PolicySet, Request, evaluate

    caller = "arn:aws:iam::123456789012:user/pipedoctor-apply"
    for action, resource in (
        ("iam:GetPolicyVersion", full_access),
        ("iam:CreatePolicy", "arn:aws:iam::123456789012:policy/pipedoctor/apply-allowed-least-privilege"),
        ("iam:DetachRolePolicy", arn),
    ):
        assert evaluate(Request(action, resource, caller), PolicySet(identity=[policy])).allowed, action
    assert not evaluate(Request("iam:CreatePolicy", "arn:aws:iam::123456789012:policy/admin", caller), PolicySet(identity=[policy])).allowed
