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


def session_for(aws: AwsOptions, role_arn: str | None = None, region: str | None = None) -> Any:
    """A boto3 session with the standard credential chain; AWS failures become one line."""
    from pipedoctor.collect import make_session
    from pipedoctor.collect.identity import unavailable
    from pipedoctor.collect.reader import AWS_ERRORS

    try:
        return make_session(aws.profile, role_arn, region=region, endpoint_url=aws.endpoint_url)
    except AWS_ERRORS as error:
        raise unavailable(error) from None


def one_role_arn(aws: AwsOptions) -> str | None:
    """The role to assume for a command that acts in one account."""
    if len(aws.role_arns) > 1:
        raise UserError("this command works in one account: give --role-arn once")
    return aws.role_arns[0] if aws.role_arns else None


def client_for(service: str, aws: AwsOptions, region: str | None = None) -> Any:
    """A client in one account (the one `--role-arn`, or the caller's), in the first `--region`,
    else `region`; AWS failures become one line."""
    return _client(service, aws, _one_account_session(aws, region))


def client_with_credentials(service: str, aws: AwsOptions, region: str | None = None) -> Any:
    """`client_for`, or None when the credential chain yields no credentials at all."""
    session = _one_account_session(aws, region)
    if session.get_credentials() is None:
        return None
    return _client(service, aws, session)


def _one_account_session(aws: AwsOptions, region: str | None) -> Any:
    return session_for(aws, one_role_arn(aws), (aws.regions or [region])[0])


def _client(service: str, aws: AwsOptions, session: Any) -> Any:
    from pipedoctor.collect.identity import unavailable
    from pipedoctor.collect.reader import AWS_ERRORS

    try:
        return session.client(service, endpoint_url=aws.endpoint_url)
    except AWS_ERRORS as error:
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
