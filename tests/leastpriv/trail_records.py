"""Small CloudTrail records for tests, written as real log files."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

ACCOUNT = "111122223333"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/service-role/codebuild-app-role"


def record(
    name: str = "PutImage",
    source: str = "ecr.amazonaws.com",
    *,
    role: str = "codebuild-app-role",
    account: str = ACCOUNT,
    region: str = "eu-west-1",
    session: str = "AWSCodeBuild-0b7c6a1e-1111-2222-3333-444455556666",
    issuer: bool = True,
    when: str = "2025-06-01T10:00:00Z",
    params: dict[str, Any] | None = None,
    error: str | None = None,
) -> dict[str, Any]:
    identity: dict[str, Any] = {
        "type": "AssumedRole",
        "principalId": f"AROAEXAMPLE:{session}",
        "arn": f"arn:aws:sts::{account}:assumed-role/{role}/{session}",
        "accountId": account,
    }
    if issuer:
        identity["sessionContext"] = {
            "sessionIssuer": {
                "type": "Role",
                "arn": f"arn:aws:iam::{account}:role/service-role/{role}",
                "accountId": account,
                "userName": role,
            }
        }
    found: dict[str, Any] = {
        "eventVersion": "1.08",
        "userIdentity": identity,
        "eventTime": when,
        "eventSource": source,
        "eventName": name,
        "awsRegion": region,
        "requestParameters": params if params is not None else {"repositoryName": "app"},
        "eventType": "AwsApiCall",
        "recipientAccountId": account,
    }
    if error:
        found["errorCode"] = error
        found["errorMessage"] = f"{error} for {name}"
    return found


def write_log(path: Path, records: list[dict[str, Any]]) -> Path:
    """A standard `{"Records": [...]}` log file, gzipped when the name ends in .gz."""
    text = json.dumps({"Records": records})
    if path.name.endswith(".gz"):
        path.write_bytes(gzip.compress(text.encode()))
    else:
        path.write_text(text)
    return path
