"""`pipedoctor collect` end to end: files, exit codes, one-line errors."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pytest

from pipedoctor.app import live as collect_command
from pipedoctor.model import load, loads
from tests.collect.stubs import Replies
from tests.collect.world import (
    BUILD_ID,
    PIPELINE,
    PIPELINE_ROLE_ARN,
    PROJECT,
    REGION,
    DemoWorld,
    stubbed_replies,
)

CREDENTIAL_VARIABLES = [
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_ROLE_ARN",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_ENDPOINT_URL",
]


@pytest.fixture
def stubbed_cli(monkeypatch: pytest.MonkeyPatch, stubbed_factory: Any) -> Any:
    """Makes the CLI use a StubbedFactory; call it with the replies to stub."""

    def use(replies: Replies | None = None) -> Any:
        factory = stubbed_factory(replies=replies)
        monkeypatch.setattr(collect_command, "client_factory", lambda session, url: factory)
        return factory

    return use


def test_writes_the_snapshot_atomically(
    run_cli: Any, stubbed_cli: Any, moto_endpoint: str, tmp_path: Path
) -> None:
    stubbed_cli()
    target = tmp_path / "snapshot.json"
    code, out, err = run_cli(
        "collect", "--pipeline", PIPELINE, "--endpoint-url", moto_endpoint, "-o", str(target)
    )
    assert code == 0, err
    assert out == ""
    snapshot = load(target)
    assert [p.name for p in snapshot.pipelines] == [PIPELINE]
    assert snapshot.project(PROJECT) is not None
    assert snapshot.build(BUILD_ID) is not None
    assert snapshot.regions == [REGION]  # from AWS_REGION
    assert [path.name for path in tmp_path.iterdir()] == ["snapshot.json"]  # no temp file left
    assert f"{PIPELINE} ({REGION})" in err
    assert "API calls" in err.splitlines()[-1]


def test_all_pipelines_to_stdout_quietly(
    run_cli: Any, stubbed_cli: Any, moto_endpoint: str
) -> None:
    # Executions come from moto here (other tests may add pipelines and runs): answer whatever
    # action-execution lists that needs with empty ones.
    replies = stubbed_replies()
    replies = {
        ("codepipeline", "list_action_executions"): [{"response": {"actionExecutionDetails": []}}]
        * 10,
        ("codeconnections", "get_connection"): replies[("codeconnections", "get_connection")],
    }
    stubbed_cli(replies)
    code, out, err = run_cli(
        "collect", "--all", "--region", REGION, "--endpoint-url", moto_endpoint, "-q", "-o", "-"
    )
    assert code == 0
    assert err == ""
    snapshot = loads(out)
    assert PIPELINE in [p.name for p in snapshot.pipelines]
    assert len(snapshot.connections) == 1
    assert snapshot.errors == []


def test_unknown_pipeline(run_cli: Any, moto_endpoint: str, demo_world: DemoWorld) -> None:
    code, out, err = run_cli(
        "collect", "--pipeline", "no-such-pipeline", "--endpoint-url", moto_endpoint, "-o", "-"
    )
    assert code == 2
    assert out == ""
    assert err == f"pipedoctor: error: pipeline 'no-such-pipeline' not found in {REGION}\n"


def test_no_credentials(run_cli: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in CREDENTIAL_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    for name in ("AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"):
        empty = tmp_path / name.lower()
        empty.write_text("")
        monkeypatch.setenv(name, str(empty))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    target = tmp_path / "snapshot.json"
    code, out, err = run_cli(
        "collect", "--pipeline", PIPELINE, "--region", REGION, "-o", str(target)
    )
    assert (code, out) == (3, "")
    assert err.startswith("pipedoctor: error: no AWS credentials found (")
    assert err.count("\n") == 1 and "Traceback" not in err
    assert not target.exists()


def test_unreachable_endpoint(run_cli: Any, moto_endpoint: str) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    code, _, err = run_cli(
        "collect", "--pipeline", PIPELINE, "--endpoint-url", f"http://127.0.0.1:{port}", "-o", "-"
    )
    assert code == 3
    assert err.startswith("pipedoctor: error: cannot reach AWS: ")
    assert err.count("\n") == 1


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--pipeline", "a", "--pipeline", "b", "--execution", "x"], "--execution ID needs"),
        (["--pipeline", "a", "--executions", "0"], "--executions must be"),
        (["--pipeline", "a", "--log-lines", "20000"], "--log-lines must be"),
    ],
)
def test_bad_arguments(run_cli: Any, arguments: list[str], message: str) -> None:
    code, _, err = run_cli("collect", *arguments, "-o", "-")
    assert code == 2
    assert err.startswith(f"pipedoctor: error: {message}")


def test_role_arn_is_assumed_first(moto_endpoint: str, demo_world: DemoWorld) -> None:
    from pipedoctor.collect import make_session

    session = make_session(role_arn=PIPELINE_ROLE_ARN, region=REGION, endpoint_url=moto_endpoint)
    credentials = session.get_credentials()
    assert credentials.access_key != "testing" and credentials.token
    identity = session.client("sts", endpoint_url=moto_endpoint).get_caller_identity()
    assert ":assumed-role/" in identity["Arn"] and identity["Arn"].endswith("/pipedoctor-collect")
