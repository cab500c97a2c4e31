"""SARIF 2.1.0 for code-scanning dashboards: stable rule ids, security-severity, fingerprints."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from pipedoctor import __version__
from pipedoctor.model import Finding

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/pipedoctor/pipedoctor"
# GitHub maps security-severity to critical >= 9, high >= 7, medium >= 4, low > 0.
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0", "info": "0.5"}
LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}


def _rule_descriptor(finding: Finding) -> dict[str, Any]:
    descriptor: dict[str, Any] = {
        "id": finding.rule,
        "name": "".join(part.capitalize() for part in finding.rule.split("-")),
        "shortDescription": {"text": finding.title},
        "fullDescription": {"text": f"{finding.title} (cause: {finding.cause})"},
        "defaultConfiguration": {"level": LEVEL[finding.severity]},
        "properties": {
            "security-severity": SECURITY_SEVERITY[finding.severity],
            "tags": ["ci-cd", "aws", finding.cause],
        },
    }
    if finding.references:
        descriptor["helpUri"] = finding.references[0]
    descriptor["help"] = {"text": finding.fix or finding.title}
    return descriptor


def _resource_arn(finding: Finding) -> str:
    return finding.where.arn or finding.resource


def _location(finding: Finding) -> dict[str, Any]:
    """The file position, with the resource it defines as a logical location when there is one.

    `pipedoctor check` gives findings about a resource that a scanned template, Terraform file or
    pipeline JSON defines the position of that definition, so code scanning shows them on it."""
    where = finding.where
    region: dict[str, int] = {"startLine": max(where.line, 1)}
    if where.column:
        region["startColumn"] = where.column
    location: dict[str, Any] = {
        "physicalLocation": {"artifactLocation": {"uri": where.path}, "region": region}
    }
    if arn := _resource_arn(finding):
        location["logicalLocations"] = [{"fullyQualifiedName": arn, "kind": "resource"}]
    return location


def _not_in_repository(finding: Finding, rule_index: int) -> dict[str, Any]:
    """A finding no repository file holds (a resource read from AWS alone, a failed run): code
    scanning shows only results on a file, so it is a notification of the run, not a result.
    The text, JSON, markdown and GitHub-annotation outputs carry it in full."""
    message = f"{finding.where.text or finding.resource}: {finding.message}"
    notification: dict[str, Any] = {
        "level": "note",
        "message": {"text": message},
        "associatedRule": {"id": finding.rule, "index": rule_index},
        "properties": {"cause": finding.cause, "severity": finding.severity},
    }
    if arn := _resource_arn(finding):
        notification["locations"] = [
            {"logicalLocations": [{"fullyQualifiedName": arn, "kind": "resource"}]}
        ]
    return notification


def _fix(finding: Finding) -> dict[str, Any] | None:
    """The finding's edits as SARIF replacements of the changed span of each located line."""
    changes = [
        {
            "artifactLocation": {"uri": edit.path},
            "replacements": [
                {
                    "deletedRegion": {
                        "startLine": edit.line,
                        "startColumn": edit.column,
                        "endColumn": edit.column + len(edit.old),
                    },
                    "insertedContent": {"text": edit.new},
                }
            ],
        }
        for edit in finding.edits
        if edit.column > 0
    ]
    if not changes:
        return None
    return {"description": {"text": finding.fix or finding.title}, "artifactChanges": changes}


def _fingerprint(finding: Finding) -> str:
    return hashlib.sha256(finding.key.encode()).hexdigest()


def _result(finding: Finding) -> dict[str, Any]:
    message = finding.message
    if finding.fix:
        message += f" Fix: {finding.fix}"
    result: dict[str, Any] = {
        "ruleId": finding.rule,
        "level": LEVEL[finding.severity],
        "message": {"text": message},
        "locations": [_location(finding)],
        "partialFingerprints": {"pipedoctorRuleResource/v1": _fingerprint(finding)},
        "properties": {"cause": finding.cause, "confidence": finding.confidence},
    }
    if fix := _fix(finding):
        result["fixes"] = [fix]
    return result


def render_sarif(findings: list[Finding]) -> str:
    """Findings a repository file holds are results; the others are notifications of the run
    (GitHub code scanning rejects a result without a file location)."""
    ordered_rules = sorted(
        {finding.rule: _rule_descriptor(finding) for finding in reversed(findings)}.values(),
        key=lambda rule: rule["id"],
    )
    index = {rule["id"]: position for position, rule in enumerate(ordered_rules)}
    results = []
    notifications = []
    for finding in findings:
        if finding.where.in_repository:
            results.append(_result(finding) | {"ruleIndex": index[finding.rule]})
        else:
            notifications.append(_not_in_repository(finding, index[finding.rule]))
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "pipedoctor",
                "version": __version__,
                "informationUri": INFORMATION_URI,
                "rules": ordered_rules,
            }
        },
        "results": results,
    }
    if notifications:
        run["invocations"] = [
            {"executionSuccessful": True, "toolExecutionNotifications": notifications}
        ]
    log = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
    return json.dumps(log, indent=2) + "\n"
