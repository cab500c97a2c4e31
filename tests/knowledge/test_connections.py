from __future__ import annotations

import pytest

from pipedoctor.knowledge.connections import (
    is_connection_arn,
    other_connection_service,
    other_prefix_arn,
)

ACCOUNT = "123456789012"


@pytest.mark.parametrize(
    ("arn", "other"),
    [
        (
            f"arn:aws:codestar-connections:eu-west-1:{ACCOUNT}:connection/abc",
            f"arn:aws:codeconnections:eu-west-1:{ACCOUNT}:connection/abc",
        ),
        (
            f"arn:aws:codeconnections:eu-west-1:{ACCOUNT}:connection/abc",
            f"arn:aws:codestar-connections:eu-west-1:{ACCOUNT}:connection/abc",
        ),
    ],
)
def test_the_other_prefix_both_ways(arn: str, other: str) -> None:
    assert is_connection_arn(arn)
    assert other_prefix_arn(arn) == other
    assert other_prefix_arn(other) == arn


@pytest.mark.parametrize(
    "arn",
    [
        # The configuration check swapped text anywhere in the value; only the service field counts.
        "arn:aws:s3:::bucket/codestar-connections:x",
        f"arn:aws:codecommit:eu-west-1:{ACCOUNT}:codeconnections",
        "codestar-connections",
        "",
    ],
)
def test_other_arns_have_no_other_prefix(arn: str) -> None:
    assert other_prefix_arn(arn) is None


def test_other_service() -> None:
    assert other_connection_service("codeconnections") == "codestar-connections"
    assert other_connection_service("s3") is None
