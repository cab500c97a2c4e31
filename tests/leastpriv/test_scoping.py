"""Every resource scoped that can be: ARNs filled from CloudTrail records, the cited table of
calls AWS authorizes against another ARN, redundant resources merged, "*" explained."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from pipedoctor.iam import PolicySet, Request, evaluate, load_catalog
from pipedoctor.iam.matching import arn_match
from pipedoctor.leastpriv.authorization_forms import table as forms_table
from pipedoctor.leastpriv.cloudtrail import usage_from_cloudtrail
from pipedoctor.leastpriv.event_actions import Event, map_event
from pipedoctor.leastpriv.globlang import covers
from pipedoctor.leastpriv.synthesize import synthesize
from pipedoctor.leastpriv.usage import Need

ACCOUNT, REGION = "111122223333", "eu-west-1"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/r"


def needs(source: str, name: str, params: dict | None = None, resources: tuple[str, ...] = ()) -> set[tuple[str, str]]:
    texts = {k: v if isinstance(v, str) else json.dumps(v) for k, v in (params or {}).items()}
    mapped = map_event(Event(source, name, REGION, ACCOUNT, "aws", texts, resources))
    assert mapped.skip_reason is None, mapped.skip_reason
    return set(mapped.needs)


def allowed(document: dict, action: str, resource: str) -> bool:
    request = Request(action=action, resource=resource, principal_arn=ROLE, context={})
    return evaluate(request, PolicySet(identity=[document])).allowed


def test_resources_named_in_request_parameters() -> None:
    ec2 = f"arn:aws:ec2:{REGION}:{ACCOUNT}"
    assert needs("cloudtrail.amazonaws.com", "DeleteTrail", {"name": "main"}) == {
        ("cloudtrail:DeleteTrail", f"arn:aws:cloudtrail:{REGION}:{ACCOUNT}:trail/main")
    }
    assert needs("ec2.amazonaws.com", "ModifySnapshotAttribute", {"snapshotId": "snap-1"}) == {
        ("ec2:ModifySnapshotAttribute", f"arn:aws:ec2:{REGION}::snapshot/snap-1")
    }
    assert needs("ec2.amazonaws.com", "GetPasswordData", {"instanceId": "i-1"}) == {("ec2:GetPasswordData", f"{ec2}:instance/i-1")}
    assert needs("ec2.amazonaws.com", "DescribeInstanceAttribute", {"instanceId": "i-1", "attribute": "userData"}) == {
        ("ec2:DescribeInstanceAttribute", f"{ec2}:instance/i-1")
    }
    assert needs("bedrock.amazonaws.com", "InvokeModel", {"modelId": "anthropic.claude-v2"}) == {
        ("bedrock:InvokeModel", f"arn:aws:bedrock:{REGION}::foundation-model/anthropic.claude-v2")
    }
    profile = f"arn:aws:bedrock:{REGION}:{ACCOUNT}:application-inference-profile/p1"
    assert needs("bedrock.amazonaws.com", "InvokeModel", {"modelId": profile}) == {("bedrock:InvokeModel", profile)}  # an ARN is used as it is
    assert needs("sts.amazonaws.com", "AssumeRole", {"roleArn": f"arn:aws:iam::{ACCOUNT}:role/deploy"}) == {
        ("sts:AssumeRole", f"arn:aws:iam::{ACCOUNT}:role/deploy")
    }


def test_lists_and_nested_sets_give_one_arn_each_and_every_resource_type_named() -> None:
    ec2 = f"arn:aws:ec2:{REGION}:{ACCOUNT}"
    started = needs("ec2.amazonaws.com", "StartInstances", {"instancesSet": {"items": [{"instanceId": "i-1"}, {"instanceId": "i-2"}]}})
    assert started == {("ec2:StartInstances", f"{ec2}:instance/i-1"), ("ec2:StartInstances", f"{ec2}:instance/i-2")}
    sent = needs("ssm.amazonaws.com", "SendCommand", {"documentName": "AWS-RunShellScript", "instanceIds": ["i-1", "mi-2"]})
    assert sent == {
        ("ssm:SendCommand", f"arn:aws:ssm:{REGION}:{ACCOUNT}:document/AWS-RunShellScript"),
        ("ssm:SendCommand", f"{ec2}:instance/i-1"),
        ("ssm:SendCommand", f"arn:aws:ssm:{REGION}:{ACCOUNT}:managed-instance/mi-2"),
    }


def test_the_checked_rows_of_the_table_hold() -> None:
    # S3 bucket vs object
    assert needs("s3.amazonaws.com", "ListObjectsV2", {"bucketName": "art"}) == {("s3:ListBucket", "arn:aws:s3:::art")}
    assert needs("s3.amazonaws.com", "GetObject", {"bucketName": "art", "key": "a.zip"}) == {("s3:GetObject", "arn:aws:s3:::art/a.zip")}
    # KMS used by a service for the caller: the key is only in the record's resources
    key = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    context = {"encryptionContext": {"aws:s3:arn": "arn:aws:s3:::art/a.zip"}}
    assert needs("kms.amazonaws.com", "Decrypt", context, (key,)) == {("kms:Decrypt", key)}
    data = forms_table()
    for row in [*data["grant"].values(), *data["checked"].values()]:
        assert row["why"] and row["sources"] and all(s.startswith("https://") for s in row["sources"])
    for action in data["grant"]:
        assert load_catalog().action_exists(action)


def test_create_log_group_is_granted_on_both_forms_aws_authorizes() -> None:
    group = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/codebuild/app"
    document = synthesize([Need(ROLE, "logs:CreateLogGroup", group, "required")])
    assert allowed(document, "logs:CreateLogGroup", group)
    assert allowed(document, "logs:CreateLogGroup", f"{group}:log-stream:")
    assert not allowed(document, "logs:CreateLogGroup", f"{group}-other")
    token = synthesize([Need(ROLE, "ecr:GetAuthorizationToken", f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/app", "observed")])
    assert token["Statement"][0]["Resource"] == "*"


def test_redundant_resources_are_merged() -> None:
    group = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:app"
    document = synthesize(
        [
            Need(ROLE, "logs:PutLogEvents", f"{group}:log-stream:*", "required"),
            Need(ROLE, "logs:PutLogEvents", f"{group}:log-stream:build-1", "observed"),
            Need(ROLE, "s3:GetObject", "arn:aws:s3:::art/*", "required"),
            Need(ROLE, "s3:GetObject", "arn:aws:s3:::art/x/y.zip", "observed"),
            Need(ROLE, "s3:GetObject", "arn:aws:s3:::other/y.zip", "observed"),
        ]
    )
    resources = {s["Action"][0]: s["Resource"] for s in document["Statement"]}
    assert resources["logs:PutLogEvents"] == f"{group}:log-stream:*"
    assert sorted(resources["s3:GetObject"]) == ["arn:aws:s3:::art/*", "arn:aws:s3:::other/y.zip"]


PIECES = st.sampled_from(["a", "b", "/", ":", "*", "?", "ab"])


@settings(max_examples=300, deadline=None)
@given(
    outer=st.lists(PIECES, max_size=5).map(lambda p: "arn:aws:s3:::" + "".join(p)),
    inner=st.lists(PIECES, max_size=5).map(lambda p: "arn:aws:s3:::" + "".join(p)),
    fills=st.lists(st.sampled_from(["", "a", "b/", ":", "ab:b"]), min_size=1, max_size=4),
)
def test_covers_agrees_with_the_evaluators_matching(outer: str, inner: str, fills: list[str]) -> None:
    samples = {inner.replace("*", fill).replace("?", fill[:1] or "a") for fill in fills}
    if covers(outer, inner):
        assert all(arn_match(outer, sample) for sample in samples if arn_match(inner, sample))
    if outer == inner:
        assert covers(outer, inner)


def test_corpus_resources_are_scoped(corpus: Path) -> None:
    logs = corpus / "cloudtrail" / "stratus-red-team-detonation-logs"
    records, _ = usage_from_cloudtrail([str(logs)])
    wanted = {"cloudtrail:DeleteTrail", "ec2:ModifySnapshotAttribute", "ec2:GetPasswordData", "ec2:DescribeInstanceAttribute", "bedrock:InvokeModel"}
    found = {r.action: r.resource for r in records if r.action in wanted}
    assert set(found) == wanted
    catalog = load_catalog()
    for record in records:
        if record.action in wanted:
            assert record.resource.startswith("arn:aws:"), record
    unscoped = sorted({r.action for r in records if r.resource == "*" and catalog.supports_resource_level(r.action)})
    assert len(unscoped) <= 3, unscoped  # ec2:RunInstances, ec2:DeleteFlowLogs: nothing in their records names one ARN
