"""LookupEvents through botocore's Stubber (moto has no LookupEvents)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import boto3
import pytest
from botocore.stub import ANY, Stubber

from pipedoctor.collect.trail_lookup import lookup_events
from pipedoctor.leastpriv.lookup_events import codebuild_session_names, usage_from_lookup_events
from tests.leastpriv.trail_records import ACCOUNT, ROLE_ARN, record

NOW = datetime(2025, 6, 30, tzinfo=UTC)


def event(body: dict | str, event_id: str = "e1") -> dict:
    """A LookupEvents entry shaped like the AWS CLI example in the corpus."""
    text = body if isinstance(body, str) else json.dumps(body)
    return {
        "EventId": event_id,
        "EventName": "x",
        "EventTime": NOW,
        "Username": "s",
        "CloudTrailEvent": text,
    }


@pytest.fixture
def cloudtrail():
    client = boto3.client(
        "cloudtrail", region_name="eu-west-1", aws_access_key_id="a", aws_secret_access_key="b"
    )
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


def test_pages_all_events_and_keeps_the_roles(cloudtrail) -> None:
    client, stubber = cloudtrail
    expected = {"StartTime": ANY, "EndTime": NOW}
    stubber.add_response(
        "lookup_events",
        {"Events": [event(record()), event(record(role="someone-else"), "e2")], "NextToken": "t"},
        expected,
    )
    stubber.add_response(
        "lookup_events",
        {"Events": [event(record(error="AccessDenied"), "e3"), event("{broken", "e4")]},
        {**expected, "NextToken": "t"},
    )
    records, skipped = usage_from_lookup_events(partial(lookup_events, client), ROLE_ARN, now=NOW)
    assert [(r.action, r.count, r.denied) for r in records] == [
        ("ecr:PutImage", 1, False),
        ("ecr:PutImage", 1, True),
    ]
    assert [(s.reason, s.examples) for s in skipped] == [("malformed CloudTrailEvent JSON", ["e4"])]


def test_one_username_lookup_per_codebuild_session(cloudtrail) -> None:
    client, stubber = cloudtrail
    names = codebuild_session_names(["app-build:11111111-aaaa", "app-build:22222222-bbbb"])
    assert names == ["AWSCodeBuild-11111111-aaaa", "AWSCodeBuild-22222222-bbbb"]
    for name in names:
        stubber.add_response(
            "lookup_events",
            {"Events": [event(record(session=name))]},
            {
                "StartTime": ANY,
                "EndTime": NOW,
                "LookupAttributes": [{"AttributeKey": "Username", "AttributeValue": name}],
            },
        )
    records, _ = usage_from_lookup_events(
        partial(lookup_events, client), "codebuild-app-role", days=400, session_names=names, now=NOW
    )
    assert [(r.principal_arn, r.count) for r in records] == [(ROLE_ARN, 2)]


def test_corpus_example_shape(cloudtrail, corpus: Path) -> None:
    client, stubber = cloudtrail
    example = json.loads(
        (corpus / "api-responses/aws-cli-examples/cloudtrail/lookup-events.json").read_text()
    )
    stubber.add_response("lookup_events", example["output"], {"StartTime": ANY, "EndTime": NOW})
    role = f"arn:aws:iam::{ACCOUNT[:0]}123456789012:role/my-role"
    records, skipped = usage_from_lookup_events(partial(lookup_events, client), role, now=NOW)
    # the example is a console sign-in: no permission to record, and said so
    assert records == []
    assert [s.reason for s in skipped] == ["not an API call (AwsConsoleSignIn)"]
