"""usage_from_cloudtrail: file layouts, principals, denied calls, time window, S3 input, corpus."""

from __future__ import annotations

import json
from pathlib import Path

import boto3

from pipedoctor.leastpriv.cloudtrail import (
    Identity,
    principal_matches,
    principal_of,
    usage_from_cloudtrail,
)
from tests.leastpriv.trail_records import ACCOUNT, ROLE_ARN, record, write_log

REPO = f"arn:aws:ecr:eu-west-1:{ACCOUNT}:repository/app"


def by_action(records: list) -> dict[tuple[str, str, bool], object]:
    return {(r.action, r.resource, r.denied): r for r in records}


def test_sessions_aggregate_to_their_role_with_counts_and_times(tmp_path: Path) -> None:
    write_log(tmp_path / "a.json.gz", [
        record(when="2025-06-01T10:00:00Z", session="AWSCodeBuild-a"),
        record(when="2025-06-03T10:00:00Z", session="AWSCodeBuild-b"),
    ])  # fmt: skip
    (tmp_path / "sub").mkdir()
    write_log(tmp_path / "sub" / "b.json", [
        record(when="2025-05-30T09:00:00Z", session="AWSCodeBuild-c"),
        record("GetAuthorizationToken", params={}),
    ])  # fmt: skip
    records, skipped = usage_from_cloudtrail([str(tmp_path)])
    assert skipped == []
    found = by_action(records)
    push = found[("ecr:PutImage", REPO, False)]
    assert (push.principal_arn, push.count) == (ROLE_ARN, 3)
    assert (push.first_seen, push.last_seen) == ("2025-05-30T09:00:00Z", "2025-06-03T10:00:00Z")
    assert found[("ecr:GetAuthorizationToken", "*", False)].count == 1
    assert {r.principal_arn for r in records} == {ROLE_ARN}


def test_json_lines_single_record_and_array_files(tmp_path: Path) -> None:
    (tmp_path / "lines.jsonl").write_text(
        "\n".join(json.dumps(record(session=f"s{i}")) for i in range(3))
    )
    (tmp_path / "single.json").write_text(
        json.dumps(record("DescribeRepositories", params={}), indent=2)
    )
    (tmp_path / "array.json").write_text(
        json.dumps([record("ListImages"), record("ListImages")], indent=1)
    )
    records, skipped = usage_from_cloudtrail([str(tmp_path)])
    assert skipped == []
    counts = {r.action: r.count for r in records}
    assert counts == {"ecr:PutImage": 3, "ecr:DescribeRepositories": 1, "ecr:ListImages": 2}


def test_denied_calls_are_kept_apart_and_auth_failures_skipped(tmp_path: Path) -> None:
    write_log(tmp_path / "a.json", [
        record(),
        record(error="AccessDenied"),
        record(error="AccessDenied"),
        record("DescribeImages", error="RepositoryNotFoundException"),
        record("DescribeImages", error="ExpiredToken"),
    ])  # fmt: skip
    records, skipped = usage_from_cloudtrail([str(tmp_path)])
    found = by_action(records)
    assert found[("ecr:PutImage", REPO, True)].count == 2
    assert found[("ecr:PutImage", REPO, False)].count == 1
    assert found[("ecr:PutImage", REPO, True)].need().source == "denied"
    # failed after authorization: the permission was used
    assert found[("ecr:DescribeImages", REPO, False)].count == 1
    assert [(s.reason, s.count) for s in skipped] == [("failed authentication (ExpiredToken)", 1)]


def test_principal_filter_by_name_or_arn_and_session_without_issuer(tmp_path: Path) -> None:
    write_log(tmp_path / "a.json", [
        record(),
        record(issuer=False, session="manual"),
        record(role="other-role"),
    ])  # fmt: skip
    by_name, _ = usage_from_cloudtrail([str(tmp_path)], principal="codebuild-app-role")
    by_arn, _ = usage_from_cloudtrail([str(tmp_path)], principal=ROLE_ARN)
    assert sum(r.count for r in by_name) == sum(r.count for r in by_arn) == 2
    everyone, _ = usage_from_cloudtrail([str(tmp_path)])
    # without a session issuer the role path is unknown: the ARN is rebuilt without it
    assert {r.principal_arn for r in everyone} == {
        ROLE_ARN,
        f"arn:aws:iam::{ACCOUNT}:role/codebuild-app-role",
        f"arn:aws:iam::{ACCOUNT}:role/service-role/other-role",
    }


def test_principal_mapping() -> None:
    session = f"arn:aws:sts::{ACCOUNT}:assumed-role/r/AWSCodeBuild-1"
    assert principal_of(Identity("AssumedRole", session)) == (f"arn:aws:iam::{ACCOUNT}:role/r", "")
    assert (
        principal_of(Identity("AWSService", invoked_by="config.amazonaws.com"))[0]
        == "config.amazonaws.com"
    )
    assert principal_of(Identity("AWSAccount"))[0] is None
    assert principal_matches(f"arn:aws:iam::{ACCOUNT}:role/path/r", session)
    assert not principal_matches(f"arn:aws:iam::{ACCOUNT}:role/r2", "r")


def test_days_keeps_only_recent_events(tmp_path: Path) -> None:
    write_log(
        tmp_path / "a.json",
        [record(when="2001-01-01T00:00:00Z"), record("ListImages", when="2999-01-01T00:00:00Z")],
    )
    records, _ = usage_from_cloudtrail([str(tmp_path)], days=30)
    assert [r.action for r in records] == ["ecr:ListImages"]


def test_s3_prefix_is_downloaded_and_read(tmp_path: Path, moto_endpoint: str) -> None:
    from pipedoctor.collect.trail_files import download_trail_files

    log = write_log(tmp_path / "x.json.gz", [record(), record("ListImages")])
    s3 = boto3.client("s3", endpoint_url=moto_endpoint, region_name="us-east-1")
    s3.create_bucket(Bucket="downloaded-trail")
    key = f"AWSLogs/{ACCOUNT}/CloudTrail/eu-west-1/2025/06/01/{ACCOUNT}_CloudTrail_eu-west-1_x.json.gz"
    s3.put_object(Bucket="downloaded-trail", Key=key, Body=log.read_bytes())
    s3.put_object(
        Bucket="downloaded-trail", Key=f"AWSLogs/{ACCOUNT}/CloudTrail-Digest/readme.txt", Body=b"x"
    )
    target = tmp_path / "downloaded"
    files = download_trail_files(s3, f"s3://downloaded-trail/AWSLogs/{ACCOUNT}/", target)
    assert [path.name for path in files] == [key.rsplit("/", 1)[-1]]
    records, skipped = usage_from_cloudtrail([str(target)])
    assert skipped == []
    assert {r.action for r in records} == {"ecr:PutImage", "ecr:ListImages"}


def test_trailscrapers_input_covers_its_expected_policy(corpus: Path) -> None:
    fixtures = corpus / "cloudtrail" / "trailscraper-fixtures"
    log = next(fixtures.glob("111111111111_CloudTrail_*.json"))
    expected = json.loads(next(fixtures.glob("expected-policy-for-*.json")).read_text())
    records, skipped = usage_from_cloudtrail([str(log)])
    ours = {(r.action, r.resource) for r in records}
    for statement in expected["Statement"]:
        for action in statement["Action"]:
            for resource in statement["Resource"]:
                assert (action, resource) in ours
    assert skipped == []


def test_whole_cloudtrail_corpus_reads_and_reports(corpus: Path) -> None:
    records, skipped = usage_from_cloudtrail([str(corpus / "cloudtrail")])
    reasons = {s.reason: s for s in skipped}
    assert len(records) > 100
    assert any(r.denied for r in records)
    malformed = [s for s in skipped if s.reason.startswith("unreadable file: Malformed JSON")]
    assert malformed and malformed[0].examples[0].endswith("aws.execution.ec2-user-data.json")
    assert "no CloudTrail records in file" in reasons  # the JSON-lines wrappers and policies


def test_aws_documentation_examples_for_ci_services(corpus: Path, tmp_path: Path) -> None:
    """The AWS docs' CodeBuild/ECR/ECS examples, unwrapped from the corpus into JSON lines."""
    lines = (corpus / "cloudtrail" / "awsdocs-cloudtrail-examples.jsonl").read_text().splitlines()
    (tmp_path / "docs.jsonl").write_text(
        "\n".join(json.dumps(json.loads(line)["record"]) for line in lines)
    )
    records, skipped = usage_from_cloudtrail([str(tmp_path)])
    found = {(r.principal_arn, r.action, r.resource) for r in records}
    assert (
        "arn:aws:iam::123456789012:role/Admin",
        "ecr:CreateRepository",
        "arn:aws:ecr:us-east-2:123456789012:repository/testrepo",
    ) in found
    assert {
        "ecr:PutImage",
        "ecr:BatchGetImage",
        "ecs:CreateCluster",
        "codebuild:CreateProject",
    } <= {action for _, action, _ in found}
    assert all(s.count for s in skipped)
