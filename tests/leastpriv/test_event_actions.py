"""Event -> IAM action mapping: the table's exceptions, resources from request parameters, and
trailscraper's mapping cases (../shared/corpus/cloudtrail/trailscraper-fixtures)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipedoctor.iam import load_catalog
from pipedoctor.leastpriv.event_actions import Event, base_event_name, map_event, table

ACCOUNT, REGION = "111122223333", "eu-west-1"


def needs(source: str, event_name: str, /, **params: str) -> set[tuple[str, str]]:
    mapped = map_event(Event(source, event_name, REGION, ACCOUNT, "aws", params))
    assert mapped.skip_reason is None, mapped.skip_reason
    return set(mapped.needs)


def test_every_table_row_cites_a_source_and_names_catalog_actions() -> None:
    catalog = load_catalog()
    data = table()
    for row in data["events"].values():
        assert row["source"].startswith("https://docs.aws.amazon.com/")
        for entry in row["actions"]:
            assert catalog.action_exists(entry["action"]), entry
    for renamed in data["sources"].values():
        assert renamed["source"].startswith("https://docs.aws.amazon.com/")
        assert catalog.service_exists(renamed["prefix"])
    for source in data["no_permission"].values():
        assert source.startswith("https://docs.aws.amazon.com/")
    for action in data["version_variants"]["actions"].values():
        assert catalog.action_exists(action)


@pytest.mark.parametrize(
    ("name", "action"),
    [
        ("ListObjectsV2", "s3:ListBucket"),
        ("ListObjects", "s3:ListBucket"),
        ("HeadBucket", "s3:ListBucket"),
        ("CreateMultipartUpload", "s3:PutObject"),
        ("UploadPart", "s3:PutObject"),
        ("CompleteMultipartUpload", "s3:PutObject"),
        ("PutBucketCors", "s3:PutBucketCORS"),
    ],
)
def test_s3_exceptions(name: str, action: str) -> None:
    assert {a for a, _ in needs("s3.amazonaws.com", name, bucketName="b", key="k")} == {action}


def test_s3_object_resources_and_head_object() -> None:
    assert needs("s3.amazonaws.com", "HeadObject", bucketName="art", key="a/b.zip") == {
        ("s3:GetObject", "arn:aws:s3:::art/a/b.zip")
    }
    assert needs("s3.amazonaws.com", "ListObjectsV2", bucketName="art", prefix="a/") == {
        ("s3:ListBucket", "arn:aws:s3:::art")
    }


def test_versioned_object_calls_need_the_version_action() -> None:
    assert needs("s3.amazonaws.com", "GetObject", bucketName="b", key="k", versionId="v1") == {
        ("s3:GetObjectVersion", "arn:aws:s3:::b/k")
    }


def test_copy_object_reads_the_source_and_writes_the_target() -> None:
    copy = needs(
        "s3.amazonaws.com",
        "CopyObject",
        bucketName="dst",
        key="out/x",
        **{"x-amz-copy-source": "src/in%20put/x?versionId=1"},
    )
    assert copy == {
        ("s3:GetObject", "arn:aws:s3:::src/in put/x"),
        ("s3:PutObject", "arn:aws:s3:::dst/out/x"),
    }


def test_lambda_and_versioned_event_names() -> None:
    assert base_event_name("Invoke20150331") == "Invoke"
    assert base_event_name("GetFunction20150331v2") == "GetFunction"
    assert base_event_name("UpdateDistribution2016_11_25") == "UpdateDistribution"
    assert needs("lambda.amazonaws.com", "Invoke", functionName="deploy-hook") == {
        ("lambda:InvokeFunction", f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:deploy-hook")
    }
    full = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:other"
    assert needs("lambda.amazonaws.com", "GetFunction20150331v2", functionName=full) == {
        ("lambda:GetFunction", full)
    }


def test_kms_reencrypt_needs_from_and_to_on_each_key() -> None:
    assert needs("kms.amazonaws.com", "ReEncrypt", sourceKeyId="k-1", destinationKeyId="k-2") == {
        ("kms:ReEncryptFrom", f"arn:aws:kms:{REGION}:{ACCOUNT}:key/k-1"),
        ("kms:ReEncryptTo", f"arn:aws:kms:{REGION}:{ACCOUNT}:key/k-2"),
    }


def test_kms_alias_falls_back_to_the_events_resources() -> None:
    key = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234"
    event = Event(
        "kms.amazonaws.com", "Decrypt", REGION, ACCOUNT, "aws", {"keyId": "alias/build"}, (key,)
    )
    assert map_event(event).needs == (("kms:Decrypt", key),)


@pytest.mark.parametrize(
    ("source", "name", "params", "expected"),
    [
        ("ecr.amazonaws.com", "PutImage", {"repositoryName": "app"}, ("ecr:PutImage", f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/app")),
        ("api.ecr.amazonaws.com", "BatchGetImage", {"repositoryName": "app"}, ("ecr:BatchGetImage", f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/app")),
        ("ecr.amazonaws.com", "GetAuthorizationToken", {}, ("ecr:GetAuthorizationToken", "*")),
        ("logs.amazonaws.com", "CreateLogStream", {"logGroupName": "/aws/codebuild/p", "logStreamName": "s1"}, ("logs:CreateLogStream", f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/codebuild/p:log-stream:s1")),
        ("logs.amazonaws.com", "CreateLogGroup", {"logGroupName": "/aws/codebuild/p"}, ("logs:CreateLogGroup", f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/codebuild/p")),
        ("secretsmanager.amazonaws.com", "GetSecretValue", {"secretId": "ci/token"}, ("secretsmanager:GetSecretValue", f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:ci/token-??????")),
        ("ssm.amazonaws.com", "GetParameter", {"name": "/ci/image"}, ("ssm:GetParameter", f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/ci/image")),
        ("codebuild.amazonaws.com", "StartBuild", {"projectName": "build"}, ("codebuild:StartBuild", f"arn:aws:codebuild:{REGION}:{ACCOUNT}:project/build")),
        ("iam.amazonaws.com", "GetRole", {"roleName": "deploy"}, ("iam:GetRole", f"arn:aws:iam::{ACCOUNT}:role/deploy")),
        ("monitoring.amazonaws.com", "PutMetricData", {}, ("cloudwatch:PutMetricData", "*")),
        ("codeconnections.amazonaws.com", "GetConnection", {"connectionArn": f"arn:aws:codeconnections:{REGION}:{ACCOUNT}:connection/c1"}, ("codeconnections:GetConnection", f"arn:aws:codeconnections:{REGION}:{ACCOUNT}:connection/c1")),
        ("codestar-connections.amazonaws.com", "GetConnection", {"connectionArn": f"arn:aws:codestar-connections:{REGION}:{ACCOUNT}:connection/c1"}, ("codestar-connections:GetConnection", f"arn:aws:codestar-connections:{REGION}:{ACCOUNT}:connection/c1")),
    ],
)  # fmt: skip
def test_resources_are_built_from_request_parameters(
    source: str, name: str, params: dict[str, str], expected: tuple[str, str]
) -> None:
    assert needs(source, name, **params) == {expected}


def test_calls_that_need_no_permission_are_not_skips() -> None:
    mapped = map_event(Event("sts.amazonaws.com", "GetCallerIdentity"))
    assert mapped.no_permission and mapped.needs == () and mapped.skip_reason is None


def test_unknown_sources_and_actions_come_back_with_a_reason() -> None:
    assert "unknown event source" in (
        map_event(Event("nosuch.amazonaws.com", "Do")).skip_reason or ""
    )
    assert "no IAM action" in (map_event(Event("s3.amazonaws.com", "NoSuchCall")).skip_reason or "")


def test_trailscraper_mapping_cases(corpus: Path) -> None:
    """Where trailscraper's expected action exists in today's catalog, ours is the same."""
    catalog = load_catalog()
    cases = [
        json.loads(line)
        for line in (
            corpus / "cloudtrail/trailscraper-fixtures/event-to-iam-action-cases.jsonl"
        ).open()
    ]
    checked = 0
    for case in cases:
        mapped = map_event(Event(case["eventSource"], case["eventName"], REGION, ACCOUNT))
        expected = case["expected_iam_action"]
        if expected is None:
            assert mapped.no_permission, case
        elif catalog.action_exists(expected):
            assert expected in {action for action, _ in mapped.needs}, case
            checked += 1
        else:
            # "unknown:something": reported, not invented
            assert mapped.skip_reason, case
    assert checked >= 7
