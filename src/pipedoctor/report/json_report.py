"""`--format json`: one JSON object, diagnoses sorted by confidence."""

from __future__ import annotations

import json
from typing import Any

from pipedoctor.model import CollectionError, Finding


def finding_object(finding: Finding) -> dict[str, Any]:
    return {
        "cause": finding.cause,
        "rule": finding.rule,
        "confidence": finding.confidence,
        "severity": finding.severity,
        "title": finding.title,
        "message": finding.message,
        "evidence": finding.evidence,
        "unverified": finding.unverified,
        "fix": finding.fix,
        "policy_fix": finding.policy_fix,
        "location": finding.location,
        "resource": finding.resource,
        "references": finding.references,
    }


def render_json(findings: list[Finding], errors: list[CollectionError]) -> str:
    ordered = sorted(findings, key=lambda f: -f.confidence)
    body = {
        "diagnoses": [finding_object(f) for f in ordered],
        "collection_errors": [
            {"service": e.service, "operation": e.operation, "code": e.code, "resource": e.resource, "message": e.message}
            for e in errors
        ],
    }
    return json.dumps(body, indent=2) + "\n"
