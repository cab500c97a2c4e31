"""A role's least-privilege policy: the role and its current policies (from a snapshot, an
authorization-details file or IAM), the usage observed, and the generated, proven policy."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pipedoctor.app.live import client_with_credentials, one_role_arn
from pipedoctor.app.snapshots import SnapshotRequest
from pipedoctor.app.usage import UsageRequest, observed_usage
from pipedoctor.errors import UserError
from pipedoctor.knowledge.arns import arn_account, arn_partition

# IAM is global: without --region, the partition's home region signs the requests.
IAM_REGIONS = {"aws": "us-east-1", "aws-cn": "cn-north-1", "aws-us-gov": "us-gov-west-1"}


@dataclass(frozen=True)
class PolicyRequest:
    """`policy generate|diff|apply`: the role (a name, or its ARN without a snapshot) and where
    its configuration, current policies and usage come from."""

    role: str
    snapshot: SnapshotRequest = field(default_factory=SnapshotRequest)
    usage: UsageRequest = field(default_factory=UsageRequest)
    authorization_details: str | None = None
    include_denied: bool = False


def generated_policy(request: PolicyRequest) -> Any:
    """The GeneratedPolicy (document, proof, diff, report) for the role asked for."""
    from pipedoctor.app.snapshots import find_role, open_snapshot
    from pipedoctor.leastpriv.generate import generate_policy

    current_known, notes = True, []
    if request.snapshot.given:
        if request.authorization_details:
            raise UserError("--authorization-details is for a role without --snapshot/--pipeline")
        snapshot = open_snapshot(request.snapshot)
        role = find_role(snapshot, request.role)
    else:
        if not request.usage.given:
            raise UserError(
                "give --snapshot FILE, --pipeline NAME, or the role's ARN with --cloudtrail, "
                "--lookup-events or --athena-table"
            )
        role, current_known, notes = current_role(request)
        snapshot = trail_only_snapshot(role, request.snapshot.aws.regions)
    usage, skipped = observed_usage(request.usage, snapshot, role)
    return generate_policy(
        snapshot,
        role,
        usage,
        skipped,
        include_denied=request.include_denied,
        current_known=current_known,
        notes=notes,
    )


def trail_only_snapshot(role: Any, regions: list[str]) -> Any:
    from pipedoctor.model import Snapshot

    return Snapshot(
        account_id=arn_account(role.arn),
        partition=arn_partition(role.arn),
        regions=list(regions),
        roles=[role],
    )


def current_role(request: PolicyRequest) -> tuple[Any, bool, list[str]]:
    """The role with its current policies, whether they are fully known, and from where: the
    --authorization-details file, else IAM when credentials allow, else none."""
    from pipedoctor.leastpriv.current_policies import (
        role_from_arn,
        role_from_authorization_details,
    )

    bare = role_from_arn(request.role)
    given = request.authorization_details
    if given:
        from pipedoctor.app.inputs import read_input

        role, missing = role_from_authorization_details(read_input(given), given, bare.arn)
        if missing:
            return role, False, [f"{given} lacks the documents of {', '.join(missing)}"]
        return role, True, [f"current policies from {given}"]
    return _role_from_iam(request, bare)


def _role_from_iam(request: PolicyRequest, bare: Any) -> tuple[Any, bool, list[str]]:
    from pipedoctor.collect.iam import role_on_its_own

    home = IAM_REGIONS.get(arn_partition(bare.arn), "us-east-1")
    one_role_arn(request.snapshot.aws)  # more than one --role-arn is a usage error, not a note
    try:
        client = client_with_credentials("iam", request.snapshot.aws, home)
    except UserError as error:
        return bare, False, [f"cannot use AWS ({error}): the role's current policies are unknown"]
    if client is None:
        return bare, False, ["no AWS credentials: the role's current policies are unknown"]
    found, problem = role_on_its_own(client, bare.arn)
    if problem:
        return found or bare, False, [f"could not read the role from IAM ({problem})"]
    return found or bare, True, ["current policies read from IAM"]
