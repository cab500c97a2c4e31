"""ARNs: `arn:partition:service:region:account:resource`, split once, here."""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=65536)  # the IAM evaluator splits the same resources over and over
def split_arn(arn: str) -> tuple[str, str, str, str, str, str] | None:
    """(`arn`, partition, service, region, account, resource) or None when not an ARN."""
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn":
        return None
    return parts[0], parts[1], parts[2], parts[3], parts[4], parts[5]


def arn_partition(arn: str) -> str:
    parts = split_arn(arn)
    return parts[1] if parts else ""


def arn_service(arn: str) -> str:
    parts = split_arn(arn)
    return parts[2] if parts else ""


def arn_region(arn: str) -> str:
    parts = split_arn(arn)
    return parts[3] if parts else ""


def arn_account(arn: str) -> str:
    """The account field ("" for global resources such as S3 buckets, or no ARN)."""
    parts = split_arn(arn)
    return parts[4] if parts else ""


def arn_resource(arn: str) -> str:
    parts = split_arn(arn)
    return parts[5] if parts else ""


def with_service(arn: str, service: str) -> str:
    """The same ARN under another service prefix; `arn` unchanged when it is no ARN."""
    parts = split_arn(arn)
    if parts is None:
        return arn
    return ":".join((*parts[:2], service, *parts[3:]))


def secret_arn(reference: str) -> str:
    """The secret's own ARN from a Secrets Manager reference, which may go on with
    `:json-key:version-stage:version-id` (ECS secrets, CodeBuild variables); other ARNs unchanged."""
    parts = split_arn(reference)
    if parts is None or parts[2] != "secretsmanager":
        return reference
    kind, _, rest = parts[5].partition(":")
    return ":".join((*parts[:5], kind, rest.partition(":")[0]))
