"""Facts about the pipeline of an incident: its source, artifact store and connection."""

from __future__ import annotations

from typing import Any

from pipedoctor.knowledge.arns import arn_account, arn_service, split_arn
from pipedoctor.knowledge.connections import other_prefix_arn
from pipedoctor.model import Pipeline, Snapshot


def snapshot_facts(snapshot: Snapshot) -> dict[str, Any]:
    """The partition, account and region of the snapshot."""
    facts: dict[str, Any] = {"partition": snapshot.partition}
    if snapshot.account_id:
        facts["account"] = snapshot.account_id
    if snapshot.regions:
        facts["region"] = snapshot.regions[0]
    return facts


def pipeline_facts(pipeline: Pipeline) -> dict[str, Any]:
    """The pipeline's name, role and triggers, its artifact store and its first source action."""
    tag_filters = [tag for trigger in pipeline.triggers for tag in trigger.on_push_tags]
    facts: dict[str, Any] = {
        "pipeline.name": pipeline.name,
        "pipeline.arn": pipeline.arn,
        "pipeline.role": pipeline.role_arn,
        "pipeline.tag_filters": tag_filters,
        "account": arn_account(pipeline.arn),  # a multi-account snapshot: the pipeline's own
        "pipeline.has_tag_trigger": bool(tag_filters),
        "region": pipeline.region,
    }
    for store in pipeline.artifact_stores[:1]:
        facts["artifact.bucket"] = store.location
        facts["artifact.bucket_arn"] = f"arn:aws:s3:::{store.location}"
        if store.kms_key_id:
            facts["artifact.kms_key"] = store.kms_key_id
    sources = pipeline.source_actions()
    if sources:
        source = sources[0]
        facts["source.action"] = source.name
        facts["source.provider"] = source.provider
        facts["source.output_format"] = source.configuration.get("OutputArtifactFormat", "CODE_ZIP")
        if connection_arn := source.configuration.get("ConnectionArn"):
            facts["source.connection_arn"] = connection_arn
        if source.namespace:
            facts["source.namespace"] = source.namespace
        repository = source.configuration.get("RepositoryName")
        arn_parts = split_arn(pipeline.arn)
        if source.provider == "CodeCommit" and repository and arn_parts:
            _, partition, _, region, account, _ = arn_parts
            facts["source.repository_arn"] = f"arn:{partition}:codecommit:{region}:{account}:{repository}"
    if "artifact.kms_key" in facts:
        facts["artifact.kms_key_ref"] = _key_reference_form(facts["artifact.kms_key"])
    return facts


def _key_reference_form(key: str) -> str:
    """"arn", "alias-arn", "alias" or "id": only a full key ARN resolves in the key owner's account."""
    if key.startswith("arn:"):
        return "alias-arn" if ":alias/" in key else "arn"
    return "alias" if key.startswith("alias/") else "id"


def artifact_store_facts(snapshot: Snapshot, facts: dict[str, Any]) -> dict[str, Any]:
    """How the artifact bucket is encrypted, when the bucket was collected."""
    bucket_name = facts.get("artifact.bucket")
    bucket = next((b for b in snapshot.buckets if b.name == bucket_name), None) if bucket_name else None
    if bucket is None:
        return {}
    found: dict[str, Any] = {"artifact.bucket_encryption": bucket.encryption or "none"}
    kms_encrypted = bucket.encryption == "aws:kms" or "artifact.kms_key" in facts
    found["artifact.kms_encrypted"] = kms_encrypted
    if bucket.kms_key_arn:
        found["artifact.bucket_kms_key"] = bucket.kms_key_arn
    return found


def connection_facts(snapshot: Snapshot, arn: str) -> dict[str, Any]:
    """The source connection: its ARN, service prefix, status and provider."""
    facts: dict[str, Any] = {"connection.arn": arn, "connection.prefix": arn_service(arn)}
    connection = snapshot.connection(arn)
    if connection is not None:
        facts["connection.status"] = connection.status
        facts["connection.provider"] = connection.provider_type
    facts.update(_other_prefix_facts(arn))
    return facts


def _other_prefix_facts(arn: str) -> dict[str, Any]:
    """The connection ARN and action namespace of the *other* connections service.

    codestar-connections and codeconnections are two names for one service; a policy written for one
    prefix while the connection ARN uses the other is a classic cause of "Unable to use Connection".
    """
    other = other_prefix_arn(arn)
    if other is None:
        return {}
    return {"connection.other_prefix": arn_service(other), "connection.other_arn": other}
