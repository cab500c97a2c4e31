"""`--format json`: one JSON object, diagnoses sorted by confidence."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from pipedoctor.model import CollectionError, Finding
from pipedoctor.model.findings import Location


def where_object(where: Location) -> dict[str, Any]:
    """The location's known parts only: a file position, a run, a build or an ARN."""
    return {key: value for key, value in asdict(where).items() if value}


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
        "where": where_object(finding.where),
        "resource": finding.resource,
        "principals": finding.principals,
        "resources": finding.resources,
        "matched": [{"source": m.source, "text": m.text} for m in finding.matched],
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
