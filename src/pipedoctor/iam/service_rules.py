"""Service-specific rules that sit outside the policies themselves (IAM User Guide and the
service guides):

- `sts:GetCallerIdentity` needs no permission and cannot be denied;
- KMS key policies and IAM role trust policies must allow the request themselves: an identity
  policy alone never opens a key or lets a principal assume a role, even in the same account;
- resources that AWS owns cannot be changed by customers: AWS managed policies, roles under the
  `/aws-reserved/` path (IAM Identity Center) and `alias/aws/*` KMS aliases. Only read and list
  actions can succeed on them.
"""

from __future__ import annotations

from pipedoctor.iam.catalog import Catalog
from pipedoctor.knowledge.arns import split_arn

ALWAYS_ALLOWED_ACTIONS = frozenset({"sts:getcalleridentity"})


def is_always_allowed(action: str) -> bool:
    return action in ALWAYS_ALLOWED_ACTIONS


def resource_policy_required(action: str, resource: str) -> bool:
    """True for KMS keys and IAM role trust: the resource policy must grant access."""
    parts = split_arn(resource)
    if parts is None:
        return False
    service, body = parts[2], parts[5]
    prefix = action.partition(":")[0]
    if prefix == "kms" and service == "kms" and body.startswith("key/"):
        return True
    return prefix == "sts" and service == "iam" and body.startswith("role/")


def is_aws_owned(resource: str) -> bool:
    parts = split_arn(resource)
    if parts is None:
        return False
    service, account, body = parts[2], parts[4], parts[5]
    if service == "iam":
        if account == "aws" and body.startswith("policy/"):
            return True
        return body.startswith("role/aws-reserved/")
    return service == "kms" and body.startswith("alias/aws/")


def blocked_as_aws_owned(action: str, resource: str, catalog: Catalog) -> bool:
    """A write to a resource AWS owns: never allowed, whatever the policies say."""
    if not is_aws_owned(resource):
        return False
    read_only = catalog.is_read_only(action)
    return read_only is False
