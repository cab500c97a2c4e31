"""Artifact store buckets (encryption, policy) and their KMS keys."""

from __future__ import annotations

import json
from typing import Any

from pipedoctor.collect.reader import Reader
from pipedoctor.model import ArtifactBucket, KmsKey


def bucket(reader: Reader, client: Any, name: str, region: str) -> ArtifactBucket:
    found = ArtifactBucket(name=name, region=region)
    encryption = reader.call(
        client,
        "get_bucket_encryption",
        resource=name,
        absent=("ServerSideEncryptionConfigurationNotFoundError",),
        Bucket=name,
    )
    rules = (encryption or {}).get("ServerSideEncryptionConfiguration", {}).get("Rules", [])
    for rule in rules[:1]:
        default = rule.get("ApplyServerSideEncryptionByDefault", {})
        found.encryption = default.get("SSEAlgorithm", "")
        found.kms_key_arn = default.get("KMSMasterKeyID", "")
    policy = reader.call(
        client, "get_bucket_policy", resource=name, absent=("NoSuchBucketPolicy",), Bucket=name
    )
    if policy is not None:
        found.policy = json.loads(policy["Policy"])
    return found


def key(reader: Reader, client: Any, key_id: str) -> KmsKey | None:
    """The key; its policy only when customer managed (AWS managed key policies are fixed)."""
    described = reader.call(client, "describe_key", resource=key_id, KeyId=key_id)
    if described is None:
        return None
    metadata = described["KeyMetadata"]
    found = KmsKey(arn=metadata["Arn"], key_manager=metadata.get("KeyManager", ""))
    if found.key_manager == "CUSTOMER":
        policy = reader.call(
            client, "get_key_policy", resource=found.arn, KeyId=found.arn, PolicyName="default"
        )
        if policy is not None:
            found.policy = json.loads(policy["Policy"])
    return found
