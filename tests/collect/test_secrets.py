"""Secrets seeded everywhere a collected pipeline carries text never reach any output file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3

from pipedoctor.app import live as collect_command
from tests.collect.world import LOG_GROUP, PIPELINE, REGION, stubbed_replies

SECRETS = {
    "aws access key": "AKIAIOSFODNN7EXAMPLE",
    "aws secret key": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "session token": "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQDexample0123456789abcdef",
    "github token": "ghp_R4nd0mT0k3nV4lu3F0rT3st1ngPurp0s3s",
    "url password": "Tr0ub4dor3xyz",
    "bearer token": "sk-live-9f8e7d6c5b4a39281706",
    "plaintext variable": "correct-horse-battery-staple",
    "jwt": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJjaSJ9.c2lnbmF0dXJlLW9mLXRoZS10b2tlbg",
}
SECRET_LINES = [
    f"export AWS_ACCESS_KEY_ID={SECRETS['aws access key']}",
    f"aws_secret_access_key = {SECRETS['aws secret key']}",
    f"AWS_SESSION_TOKEN={SECRETS['session token']}",
    f"git clone https://ci-bot:{SECRETS['url password']}@github.com/acme/myapp.git",
    f'curl -H "Authorization: Bearer {SECRETS["bearer token"]}" https://api.example.com',
    f"using token {SECRETS['jwt']}",
    "CLIENT_ERROR: authorization failed for primary source and source version 9f1c2b3",
]


def seeded_replies(stream: str) -> dict:
    replies = stubbed_replies()
    build = replies[("codebuild", "batch_get_builds")][0]["response"]["builds"][0]
    build["logs"] = {"groupName": LOG_GROUP, "streamName": stream}
    build["environment"]["environmentVariables"] += [
        {"name": "DB_PASSWORD", "value": SECRETS["plaintext variable"], "type": "PLAINTEXT"},
        {"name": "NOTES", "value": f"token is {SECRETS['github token']}", "type": "PLAINTEXT"},
    ]
    build["phases"][3]["contexts"][0]["message"] += f" ({SECRETS['aws access key']})"
    details = replies[("codepipeline", "list_action_executions")][0]["response"][
        "actionExecutionDetails"
    ]
    details[1]["output"]["executionResult"]["externalExecutionSummary"] += (
        f" Bearer {SECRETS['bearer token']}"
    )
    return replies


def test_no_output_contains_a_seeded_secret(
    stubbed_factory: Any, moto_endpoint: str, monkeypatch, tmp_path: Path, run_cli
) -> None:
    logs = boto3.client("logs", endpoint_url=moto_endpoint, region_name=REGION)
    stream = "secrets-0c4f5e6d"
    if not logs.describe_log_streams(logGroupName=LOG_GROUP, logStreamNamePrefix=stream)[
        "logStreams"
    ]:
        logs.create_log_stream(logGroupName=LOG_GROUP, logStreamName=stream)
        from datetime import UTC, datetime, timedelta

        start = int((datetime.now(UTC) - timedelta(hours=1)).timestamp() * 1000)
        logs.put_log_events(
            logGroupName=LOG_GROUP,
            logStreamName=stream,
            logEvents=[
                {"timestamp": start + n, "message": line} for n, line in enumerate(SECRET_LINES)
            ],
        )
    factory = stubbed_factory(replies=seeded_replies(stream))
    monkeypatch.setattr(collect_command, "client_factory", lambda session, url: factory)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    snapshot = out_dir / "snapshot.json"
    printed: list[str] = []

    def run(*args: str) -> None:
        code, out, err = run_cli(*args)
        assert code in (0, 1), err
        printed.extend([out, err])

    run("collect", "--pipeline", PIPELINE, "--endpoint-url", moto_endpoint, "-o", str(snapshot))
    run(
        "check",
        "--snapshot",
        str(snapshot),
        "--format",
        "json",
        *[
            f"--output={fmt}={out_dir / ('report.' + fmt)}"
            for fmt in ("text", "sarif", "junit", "github", "markdown")
        ],
    )
    run("diagnose", "--snapshot", str(snapshot))
    run(
        "policy",
        "generate",
        "--role",
        "codebuild-build-myapp-service-role",
        "--snapshot",
        str(snapshot),
    )

    data = json.loads(snapshot.read_text())
    (build,) = data["builds"]
    assert "CLIENT_ERROR" in "\n".join(build["log_excerpt"])  # the log was read, only redacted
    outputs = {path.name: path.read_text() for path in out_dir.iterdir()}
    outputs.update({f"stdout/stderr {index}": text for index, text in enumerate(printed)})
    assert len(outputs) >= 6
    leaks = [
        (kind, name)
        for kind, secret in SECRETS.items()
        for name, text in outputs.items()
        if secret in text
    ]
    assert leaks == []
