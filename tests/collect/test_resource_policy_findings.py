"""The resource policies the collector reads (artifact bucket, ECR repositories, the artifact key)
from a moto server, judged by the resource-policy rules: open to anyone, other accounts."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from pipedoctor.collect import CollectOptions, collect
from pipedoctor.diagnose import load_rules, posture_findings
from pipedoctor.model import Finding
from tests.collect.world import ACCOUNT, BUCKET, PIPELINE, REGION, DemoWorld, policy

OUTSIDER = "444455556666"


@pytest.fixture
def opened_world(moto_endpoint: str, demo_world: DemoWorld) -> Iterator[DemoWorld]:
    """The demo world with a public bucket statement, a repository shared with an outside account
    and a key any principal may use; put back as it was afterwards (the world is shared)."""

    def client(service: str) -> Any:
        return boto3.client(service, region_name=REGION, endpoint_url=moto_endpoint)

    s3, ecr, kms = client("s3"), client("ecr"), client("kms")
    key_policy = kms.get_key_policy(KeyId=demo_world.kms_key_arn, PolicyName="default")["Policy"]
    s3.put_bucket_policy(
        Bucket=BUCKET,
        Policy=policy(
            {
                "Sid": "PublicRead",
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{BUCKET}/*",
            }
        ),
    )
    ecr.set_repository_policy(
        repositoryName="myapp",
        policyText=policy(
            {
                "Sid": "VendorPull",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{OUTSIDER}:root"},
                "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
            }
        ),
    )
    document = json.loads(key_policy)
    document["Statement"].append(
        {"Sid": "Anyone", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:Decrypt", "Resource": "*"}
    )
    kms.put_key_policy(KeyId=demo_world.kms_key_arn, PolicyName="default", Policy=json.dumps(document))
    try:
        yield demo_world
    finally:
        s3.delete_bucket_policy(Bucket=BUCKET)
        ecr.delete_repository_policy(repositoryName="myapp")
        kms.put_key_policy(KeyId=demo_world.kms_key_arn, PolicyName="default", Policy=key_policy)


def _findings(factory: Any) -> list[Finding]:
    snapshot = collect(factory, CollectOptions(regions=[REGION], pipelines=[PIPELINE]))
    rules = [rule for rule in load_rules() if rule.id.startswith("resource-policy-")]
    return posture_findings(snapshot, rules)


def test_collected_policies_that_open_the_pipeline_resources_are_found(
    opened_world: DemoWorld, stubbed_factory: Any
) -> None:
    findings = _findings(stubbed_factory())
    anyone = {f.where.arn: f for f in findings if f.rule == "resource-policy-open-to-anyone"}
    assert set(anyone) == {f"arn:aws:s3:::{BUCKET}", opened_world.kms_key_arn}
    bucket = anyone[f"arn:aws:s3:::{BUCKET}"]
    assert "statement 'PublicRead' allows s3:GetObject" in bucket.message
    assert '"Principal": "*"' in bucket.message  # the statement that opens it
    assert not bucket.where.in_repository and bucket.resources == [f"arn:aws:s3:::{BUCKET}"]
    [shared] = [f for f in findings if f.rule == "resource-policy-other-accounts"]
    assert shared.where.arn == f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/myapp"
    assert OUTSIDER in shared.message and "'VendorPull'" in shared.message


def test_the_demo_world_policies_open_nothing(demo_world: DemoWorld, stubbed_factory: Any) -> None:
    """billing-api's policy names the account itself; the key policy is the default one."""
    assert _findings(stubbed_factory()) == []
