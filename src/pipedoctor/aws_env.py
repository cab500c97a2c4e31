"""Which AWS region and which credentials a run uses, read from the options and the environment.

No SDK import: the TUI header and start-up paths call these before boto3 is loaded.

Region precedence (the AWS CLI's): `--region`, then `AWS_REGION`, then `AWS_DEFAULT_REGION`, then
the profile's `region` setting. botocore itself reads only `AWS_DEFAULT_REGION` and the profile.

Credentials follow botocore's chain; `credential_origin` names its first matching link the way
botocore picks it: an explicit profile wins over environment keys, environment keys win over
`AWS_PROFILE`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

REGION_VARIABLES = ("AWS_REGION", "AWS_DEFAULT_REGION")


def resolve_region(explicit: str | None, environ: Mapping[str, str] = os.environ) -> str | None:
    """The region to use, or None to let the profile's setting decide."""
    if explicit:
        return explicit
    for name in REGION_VARIABLES:
        if environ.get(name):
            return environ[name]
    return None


def credential_origin(
    profile: str | None, role_arn: str | None = None, environ: Mapping[str, str] = os.environ
) -> str:
    """Where the credentials come from, for people: `environment`, `profile NAME`, `role ARN`."""
    if profile:
        base = f"profile {profile}"
    elif environ.get("AWS_ACCESS_KEY_ID") and environ.get("AWS_SECRET_ACCESS_KEY"):
        base = "environment"
    elif environ.get("AWS_ROLE_ARN") and environ.get("AWS_WEB_IDENTITY_TOKEN_FILE"):
        base = f"web identity role {environ['AWS_ROLE_ARN']}"
    elif environ.get("AWS_DEFAULT_PROFILE") or environ.get("AWS_PROFILE"):
        # botocore reads AWS_DEFAULT_PROFILE first
        base = f"profile {environ.get('AWS_DEFAULT_PROFILE') or environ['AWS_PROFILE']}"
    else:
        base = "default chain"  # the default profile, SSO, or a container or instance role
    return f"role {role_arn} (assumed with {base})" if role_arn else base
