"""Who we are, and the one-line errors for when AWS cannot be reached at all."""

from __future__ import annotations

from botocore.config import Config
from botocore.exceptions import (
    ClientError,
    ConnectionError,
    NoCredentialsError,
    PartialCredentialsError,
    ProfileNotFound,
    ReadTimeoutError,
)
from botocore.parsers import ResponseParserError

from pipedoctor.collect.clients import ClientFactory
from pipedoctor.collect.reader import AWS_ERRORS, error_message
from pipedoctor.errors import ExitCode, UserError, one_line
from pipedoctor.knowledge.arns import arn_account, arn_partition

CREDENTIALS_HINT = (
    "set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, "
    "run `aws sso login`, or pass --profile"
)
# The first call fails fast: an endpoint that is unreachable, or accepts connections and never
# answers, fails the run in about ten seconds (three attempts of three seconds, and backoff).
PROBE_READ_TIMEOUT = 3
PROBE_CONFIG = Config(
    retries={"mode": "standard", "max_attempts": 2},
    connect_timeout=3,
    read_timeout=PROBE_READ_TIMEOUT,
)


def caller_identity(factory: ClientFactory, region: str) -> tuple[str, str]:
    """(account id, partition) of the credentials in use; UserError exit 3 when unusable."""
    try:
        client = factory.create("sts", region, config=PROBE_CONFIG)
        arn = client.get_caller_identity()["Arn"]
    except AWS_ERRORS as error:
        raise unavailable(error) from None
    return arn_account(arn), arn_partition(arn)


# AWS error codes that mean the input names something that does not exist (exit 2, not 3).
INPUT_ERROR_CODES = frozenset(
    {
        "NoSuchBucket",
        "NoSuchKey",
        "InvalidBucketName",
        "InvalidRequestException",
        "EntityNotFoundException",
        "MetadataException",
        "InvalidLookupAttributesException",
        "InvalidTimeRangeException",
    }
)


def call_failed(what: str, error: Exception) -> UserError:
    """One line for a failed call on a user's input: exit 2 when the input named something that
    does not exist, else 3."""
    if isinstance(error, ClientError):
        detail = error.response.get("Error", {})
        code = str(detail.get("Code", "Error"))
        exit_code = ExitCode.USAGE if code in INPUT_ERROR_CODES else ExitCode.AWS_UNAVAILABLE
        message = one_line(str(detail.get("Message", "")), 300)
        return UserError(f"{what}: {code}: {message}".rstrip(": "), exit_code)
    return UserError(f"{what}: {unavailable(error)}", ExitCode.AWS_UNAVAILABLE)


def unavailable(error: Exception) -> UserError:
    """The one-line UserError for a failure that means AWS cannot be used at all."""
    if isinstance(error, (NoCredentialsError, PartialCredentialsError)):
        return UserError(f"no AWS credentials found ({CREDENTIALS_HINT})", ExitCode.AWS_UNAVAILABLE)
    if isinstance(error, ProfileNotFound):
        return UserError(str(error), ExitCode.USAGE)
    if isinstance(error, ConnectionError):
        return UserError(f"cannot reach AWS: {one_line(str(error))}", ExitCode.AWS_UNAVAILABLE)
    if isinstance(error, ReadTimeoutError):
        return UserError(
            f"cannot reach AWS: {error.kwargs.get('endpoint_url', 'the endpoint')} accepted the "
            "connection but did not answer",
            ExitCode.AWS_UNAVAILABLE,
        )
    if isinstance(error, ClientError):
        detail = error.response.get("Error", {})
        said = one_line(f"{detail.get('Code', '')}: {detail.get('Message', '')}")
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        if status >= 500:  # the service failed, the credentials were not judged
            return UserError(
                f"cannot use AWS: sts:GetCallerIdentity answered HTTP {status}: {said}",
                ExitCode.AWS_UNAVAILABLE,
            )
        return UserError(f"AWS refused the credentials: {said}", ExitCode.AWS_UNAVAILABLE)
    if isinstance(error, ResponseParserError):
        return UserError(
            f"cannot use AWS: the endpoint's answer is {error_message(error)}",
            ExitCode.AWS_UNAVAILABLE,
        )
    return UserError(f"cannot use AWS: {one_line(str(error))}", ExitCode.AWS_UNAVAILABLE)
