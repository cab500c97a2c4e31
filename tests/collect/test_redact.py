"""Secrets are redacted before they reach a snapshot."""

from __future__ import annotations

import json

from pipedoctor import redact
from pipedoctor.redact import REDACTED


def test_plaintext_values_with_secret_names() -> None:
    assert redact.plaintext_value("DOCKERHUB_PASSWORD", "hunter2") == REDACTED
    assert redact.plaintext_value("GITHUB_TOKEN", "abc") == REDACTED
    assert redact.plaintext_value("IMAGE_REPO_NAME", "myapp") == "myapp"
    # a reference is not the secret itself
    assert redact.plaintext_value("DB_PASSWORD", "/prod/db", "PARAMETER_STORE") == "/prod/db"


def test_token_shaped_text() -> None:
    token = "ghp_" + "a1B2" * 9
    assert redact.text(f"cloning with {token} now") == f"cloning with {REDACTED} now"
    assert redact.text("key AKIAABCDEFGHIJKLMNOP used") == f"key {REDACTED} used"
    assert redact.text("authorization failed for primary source") == (
        "authorization failed for primary source"
    )


def test_action_environment_variables() -> None:
    variables = [
        {"name": "TagName", "value": "#{SourceVariables.TagName}", "type": "PLAINTEXT"},
        {"name": "NPM_TOKEN", "value": "s3cr3t", "type": "PLAINTEXT"},
    ]
    cleaned = redact.action_configuration({"EnvironmentVariables": json.dumps(variables)})
    values = {v["name"]: v["value"] for v in json.loads(cleaned["EnvironmentVariables"])}
    assert values == {"TagName": "#{SourceVariables.TagName}", "NPM_TOKEN": REDACTED}
    untouched = json.dumps(variables[:1], indent=2)
    assert redact.action_configuration({"EnvironmentVariables": untouched}) == {
        "EnvironmentVariables": untouched
    }
