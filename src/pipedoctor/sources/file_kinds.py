"""Which repository files define pipeline infrastructure, decided by name and a look at the text."""

from __future__ import annotations

import re

TERRAFORM_SUFFIXES = (".tf",)
JSON_SUFFIXES = (".json", ".json.tpl", ".json.tftpl")
STRUCTURED_SUFFIXES = (*JSON_SUFFIXES, ".yml", ".yaml", ".template")
# Templates `templatefile()` reads, whatever their name says of their format: kept when they hold
# a policy document.
POLICY_TEMPLATE_SUFFIXES = (".tpl", ".tftpl")
# AWS resources, and what a module's resources read: module calls, variables, locals.
_TERRAFORM_AWS = re.compile(
    r'^\s*(?:(?:resource|data)\s+"aws_|module\s+"|variable\s+"|output\s+"|locals\s*\{)', re.MULTILINE
)
_CFN_TYPE = re.compile(r"""["']?Type["']?\s*:\s*["']?AWS::""")
# A CodeDeploy AppSpec names `Type: AWS::ECS::Service` too, but is a deployment's input, read by
# CodeDeploy only (often a template a build fills in): its top-level `version` is always 0.0.
_APPSPEC_VERSION = re.compile(r"""^\s*["']?version["']?\s*:\s*["']?0\.0\b""", re.MULTILINE)
# Paths that are never infrastructure even when they mention it (dependency locks, build output).
_IGNORED_NAMES = {
    "package-lock.json",
    "package.json",
    "tsconfig.json",
    "composer.lock",
    "yarn.lock",
}


def is_infrastructure_candidate(path: str) -> bool:
    name = path.rsplit("/", 1)[-1].lower()
    return name not in _IGNORED_NAMES and name.endswith(
        TERRAFORM_SUFFIXES + STRUCTURED_SUFFIXES + POLICY_TEMPLATE_SUFFIXES
    )


def is_infrastructure(path: str, text: str) -> bool:
    """Terraform with AWS resources, a CloudFormation template, a pipeline JSON, a plan, a
    `create-project` JSON or an IAM policy document."""
    if not is_infrastructure_candidate(path):
        return False
    if path.lower().endswith(TERRAFORM_SUFFIXES):
        return bool(_TERRAFORM_AWS.search(text))
    if path.lower().endswith(POLICY_TEMPLATE_SUFFIXES) and not path.lower().endswith(JSON_SUFFIXES):
        return '"Statement"' in text
    if "AWSTemplateFormatVersion" in text:
        return True
    if _CFN_TYPE.search(text):
        return not is_appspec(path, text)
    if path.lower().endswith(JSON_SUFFIXES):
        return (
            ('"actionTypeId"' in text and '"stages"' in text)
            or '"planned_values"' in text
            or ('"serviceRole"' in text and '"environment"' in text)
            or '"Statement"' in text
        )
    return False


def is_appspec(path: str, text: str) -> bool:
    """A CodeDeploy AppSpec file, by its name or its `version: 0.0`."""
    name = path.rsplit("/", 1)[-1].lower()
    return name.startswith("appspec") or bool(_APPSPEC_VERSION.search(text))
