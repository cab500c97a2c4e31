"""Collecting live from AWS with the options every AWS-reading command shares."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from pipedoctor.errors import UserError

Progress = Callable[[str], None]


@dataclass(frozen=True)
class AwsOptions:
    """Where and as whom to read AWS: `--profile`, `--region`, `--endpoint-url`, `--role-arn`."""

    profile: str | None = None
    regions: list[str] = field(default_factory=list)
    endpoint_url: str | None = None
    role_arns: list[str] = field(default_factory=list)


def client_factory(session: Any, endpoint_url: str | None) -> Any:
    """The ClientFactory for a run; tests replace it to answer with moto and stubs."""
    from pipedoctor.collect import ClientFactory

    return ClientFactory(session, endpoint_url=endpoint_url)


def session_for(aws: AwsOptions, role_arn: str | None = None) -> Any:
    """A boto3 session with the standard credential chain; AWS failures become one line."""
    from botocore.exceptions import BotoCoreError, ClientError

    from pipedoctor.collect import make_session
    from pipedoctor.collect.identity import unavailable

    try:
        return make_session(aws.profile, role_arn, endpoint_url=aws.endpoint_url)
    except (BotoCoreError, ClientError) as error:
        raise unavailable(error) from None


def _collect_as(
    options: Any, aws: AwsOptions, role_arn: str | None, progress: Progress | None
) -> Any:
    from pipedoctor.collect import collect

    session = session_for(aws, role_arn)
    if not options.regions:
        options.regions = [session.region_name] if session.region_name else []
    if not options.regions:
        raise UserError("no AWS region: pass --region or set AWS_REGION")
    factory = client_factory(session, aws.endpoint_url)
    return collect(factory, options, progress), factory.counter.total()


def collect_live(
    options: Any, aws: AwsOptions, progress: Progress | None = None
) -> tuple[Any, int]:
    """(snapshot, API calls made): one collection per `--role-arn` (or the caller's own
    credentials), merged into one snapshot. `options` is a CollectOptions; its regions default
    to `aws.regions`, then to the session's region. Without `progress`, the steps of a run longer
    than a second go to stderr (unless -q)."""
    from pipedoctor.model.snapshot import merge_snapshots

    if not options.regions and aws.regions:
        options = replace(options, regions=list(aws.regions))
    parts = [
        _collect_as(replace(options), aws, role_arn, progress)
        for role_arn in aws.role_arns or [None]
    ]
    return merge_snapshots([part for part, _ in parts]), sum(calls for _, calls in parts)
