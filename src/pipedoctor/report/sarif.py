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


def _location(finding: Finding) -> dict[str, Any]:
    """A file:line location when the finding has one, else a logical location (the resource).

    `pipedoctor check` gives findings about a resource that a scanned template, Terraform file or
    pipeline JSON defines the `path:line` of that definition, so code scanning shows them on it;
    only resources known from AWS alone (a snapshot or live collection) stay logical."""
    path, _, line = finding.location.rpartition(":")
    if path and line.isdigit():
        return {
            "physicalLocation": {
                "artifactLocation": {"uri": path},
                "region": {"startLine": max(int(line), 1)},
            }
        }
    return {
        "logicalLocations": [
            {"fullyQualifiedName": finding.resource or finding.location, "kind": "resource"}
        ]
    }


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


def render_sarif(findings: list[Finding]) -> str:
    rules: dict[str, dict[str, Any]] = {}
    results = []
    for finding in findings:
        rules.setdefault(finding.rule, _rule_descriptor(finding))
        message = finding.message
        if finding.fix:
            message += f" Fix: {finding.fix}"
        results.append(
            {
                "ruleId": finding.rule,
                "level": LEVEL[finding.severity],
                "message": {"text": message},
                "locations": [_location(finding)],
                "partialFingerprints": {"pipedoctorRuleResource/v1": _fingerprint(finding)},
                "properties": {"cause": finding.cause, "confidence": finding.confidence},
            }
        )
        if fix := _fix(finding):
            results[-1]["fixes"] = [fix]
    ordered_rules = sorted(rules.values(), key=lambda rule: rule["id"])
    index = {rule["id"]: position for position, rule in enumerate(ordered_rules)}
    for result in results:
        result["ruleIndex"] = index[result["ruleId"]]
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
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
        ],
    }
    return json.dumps(log, indent=2) + "\n"
