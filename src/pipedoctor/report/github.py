"""GitHub Actions workflow commands (annotations)."""

from __future__ import annotations

from pipedoctor.model import Finding
from pipedoctor.report.sanitize import clean

LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "notice", "info": "notice"}


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(findings: list[Finding]) -> str:
    lines = []
    for finding in findings:
        properties = [f"title={_escape_property(clean(f'{finding.rule}: {finding.title}'))}"]
        where = finding.where
        if where.in_repository:
            place = f"file={_escape_property(where.path)}"
            if where.line:
                place += f",line={where.line}"
                if where.column:
                    place += f",col={where.column}"
            properties.insert(0, place)
        body = clean(f"{finding.message} Fix: {finding.fix}")
        lines.append(f"::{LEVEL[finding.severity]} {','.join(properties)}::{_escape_data(body)}")
    return "\n".join(lines) + ("\n" if lines else "")

