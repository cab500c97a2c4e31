from __future__ import annotations

import pytest

from pipedoctor.knowledge.arns import (
    arn_account,
    arn_partition,
    arn_region,
    arn_service,
    secret_arn,
    split_arn,
    with_service,
)


def test_split_keeps_colons_in_the_resource() -> None:
    arn = "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/codebuild/app:log-stream:*"
    assert split_arn(arn) == ("arn", "aws", "logs", "eu-west-1", "123456789012", "log-group:/aws/codebuild/app:log-stream:*")
    assert (arn_partition(arn), arn_service(arn), arn_region(arn), arn_account(arn)) == (
        "aws",
        "logs",
        "eu-west-1",
        "123456789012",
    )


@pytest.mark.parametrize("text", ["", "my-role", "arn:aws:iam", "${RoleArn}", "urn:aws:s3:::b:x"])
def test_not_an_arn(text: str) -> None:
    # Hand-written splits raised IndexError on these (`.split(":")[4]`).
    assert split_arn(text) is None
    assert arn_account(text) == arn_service(text) == ""
    assert with_service(text, "s3") == text


def test_global_resources_have_no_account() -> None:
    assert arn_account("arn:aws:s3:::bucket") == ""
    assert arn_partition("arn:aws-cn:s3:::bucket") == "aws-cn"


@pytest.mark.parametrize(
    ("reference", "secret"),
    [
        # ECS secrets and CodeBuild variables may name a JSON key, a stage and a version.
        (
            "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf:password:AWSCURRENT:",
            "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf",
        ),
        (
            "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf",
            "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf",
        ),
        ("arn:aws:ssm:eu-west-1:123456789012:parameter/app/db", "arn:aws:ssm:eu-west-1:123456789012:parameter/app/db"),
    ],
)
def test_secret_arn(reference: str, secret: str) -> None:
    assert secret_arn(reference) == secret
