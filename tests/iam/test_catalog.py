from __future__ import annotations

import subprocess
import sys

from pipedoctor.iam import Catalog, load_catalog


def test_both_connection_prefixes_exist_and_are_distinct() -> None:
    catalog = load_catalog()
    assert catalog.action_exists("codeconnections:UseConnection")
    assert catalog.action_exists("codestar-connections:UseConnection")
    new = catalog.expand("codeconnections:*")
    old = catalog.expand("codestar-connections:*")
    assert new and old
    assert all(name.startswith("codeconnections:") for name in new)
    assert all(name.startswith("codestar-connections:") for name in old)
    assert any(
        "codeconnections" in arn
        for arn in catalog.resource_arn_formats("codeconnections:UseConnection")
    )


def test_expand_returns_canonical_case_and_respects_wildcards() -> None:
    catalog = load_catalog()
    expanded = catalog.expand("ecr:batchget*")
    assert "ecr:BatchGetImage" in expanded
    assert all(name.lower().startswith("ecr:batchget") for name in expanded)
    assert catalog.expand("ecr:GetAuthorizationToken") == ["ecr:GetAuthorizationToken"]
    assert catalog.expand("ecr:Get?uthorizationToken") == ["ecr:GetAuthorizationToken"]
    assert catalog.expand("nosuchservice:*") == []
    assert catalog.expand("not-an-action") == []


def test_access_levels_resource_support_and_condition_keys() -> None:
    catalog = load_catalog()
    assert catalog.access_level("s3:GetObject") == "Read"
    assert catalog.access_level("iam:PassRole") == "Write"
    assert catalog.access_level("s3:NoSuchThing") is None
    assert catalog.supports_resource_level("s3:GetObject")
    assert not catalog.supports_resource_level("ecr:GetAuthorizationToken")
    assert "iam:PassedToService" in catalog.condition_keys("iam:PassRole")
    assert catalog.resource_services("sts:AssumeRole") == {"iam"}


def test_service_files_are_loaded_lazily() -> None:
    catalog = Catalog()
    assert catalog._actions == {}
    catalog.action_exists("codebuild:StartBuild")
    assert set(catalog._actions) == {"codebuild"}


def test_iam_package_is_pure_and_cheap_to_import() -> None:
    code = (
        "import sys, pipedoctor.iam;"
        "bad = [m for m in ('boto3', 'botocore', 'textual') if m in sys.modules];"
        "print(','.join(bad))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""
