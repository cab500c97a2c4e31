"""Region and credentials: AWS_REGION is honoured, and where credentials come from is said the
way botocore's chain picks them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import boto3
import pytest

from pipedoctor.app import live as collect_command
from pipedoctor.aws_env import credential_origin, resolve_region
from pipedoctor.collect import make_session
from pipedoctor.model import Snapshot, loads
from pipedoctor.tui.app import PipedoctorApp, Source
from tests.collect.world import PIPELINE, REGION

OTHER_REGION = "us-east-1"


@pytest.fixture
def no_aws_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No region or credential variables, and empty config files; returns the config file."""
    for name in (
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_SECURITY_TOKEN",
        "AWS_ROLE_ARN",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
    ):
        monkeypatch.delenv(name, raising=False)
    config = tmp_path / "config"
    config.write_text(f"[profile ci]\nregion = {OTHER_REGION}\n")
    credentials = tmp_path / "credentials"
    credentials.write_text("[ci]\naws_access_key_id = AKIAPROFILE\naws_secret_access_key = x\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    return config


@pytest.mark.parametrize(
    ("explicit", "environment", "expected"),
    [
        (
            "eu-central-1",
            {"AWS_REGION": REGION, "AWS_DEFAULT_REGION": OTHER_REGION},
            "eu-central-1",
        ),
        (None, {"AWS_REGION": REGION, "AWS_DEFAULT_REGION": OTHER_REGION}, REGION),
        (None, {"AWS_REGION": REGION}, REGION),
        (None, {"AWS_DEFAULT_REGION": OTHER_REGION}, OTHER_REGION),
        (None, {"AWS_REGION": ""}, None),
    ],
)
def test_region_precedence(
    explicit: str | None, environment: dict[str, str], expected: str
) -> None:
    assert resolve_region(explicit, environment) == expected


def test_session_region_from_aws_region_then_the_profile(
    no_aws_settings: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert make_session("ci").region_name == OTHER_REGION  # the profile's setting, last
    monkeypatch.setenv("AWS_REGION", REGION)
    assert make_session("ci").region_name == REGION  # AWS_REGION beats the profile
    assert boto3.Session(profile_name="ci").region_name == OTHER_REGION  # botocore alone does not


def test_collect_with_only_aws_region_set(
    run_cli: Any, moto_endpoint: str, stubbed_factory: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    monkeypatch.setenv("AWS_REGION", REGION)
    factory = stubbed_factory()
    monkeypatch.setattr(collect_command, "client_factory", lambda session, url: factory)
    code, out, err = run_cli(
        "collect", "--pipeline", PIPELINE, "--endpoint-url", moto_endpoint, "-q", "-o", "-"
    )
    assert code == 0, err
    assert "no AWS region" not in err
    assert loads(out).regions == [REGION]


@pytest.mark.parametrize(
    ("profile", "environment", "method", "said"),
    [
        (
            None,
            {"AWS_ACCESS_KEY_ID": "AKIAENV", "AWS_SECRET_ACCESS_KEY": "x"},
            "env",
            "environment",
        ),
        (
            "ci",
            {"AWS_ACCESS_KEY_ID": "AKIAENV", "AWS_SECRET_ACCESS_KEY": "x"},
            "shared-credentials-file",
            "profile ci",
        ),
        (None, {"AWS_PROFILE": "ci"}, "shared-credentials-file", "profile ci"),
        (
            None,
            {"AWS_PROFILE": "ci", "AWS_ACCESS_KEY_ID": "AKIAENV", "AWS_SECRET_ACCESS_KEY": "x"},
            "env",
            "environment",
        ),
    ],
)
def test_credential_origin_names_the_link_botocore_uses(
    no_aws_settings: Path,
    monkeypatch: pytest.MonkeyPatch,
    profile: str | None,
    environment: dict[str, str],
    method: str,
    said: str,
) -> None:
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    assert boto3.Session(profile_name=profile).get_credentials().method == method
    assert credential_origin(profile) == said


def test_credential_origin_of_an_assumed_role() -> None:
    arn = "arn:aws:iam::123456789012:role/ci"
    environment = {"AWS_ACCESS_KEY_ID": "AKIAENV", "AWS_SECRET_ACCESS_KEY": "x"}
    assert credential_origin(None, arn, environment) == f"role {arn} (assumed with environment)"
    assert credential_origin(None, None, {}) == "default chain"


def test_tui_header_says_environment_credentials_not_profile_default(
    no_aws_settings: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAENV")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "x")
    app = PipedoctorApp(Snapshot(regions=[REGION]), Source("live", region=REGION))
    assert ("credentials", "environment") in app.header_context()
    assert not any(label == "profile" for label, _ in app.header_context())
