"""A Markdown summary (for a GitHub job summary or a pull-request comment)."""

from __future__ import annotations

from pipedoctor.model import Finding
from pipedoctor.report.sanitize import clean


def _cell(text: str) -> str:
    return clean(text).replace("|", "\\|").replace("\n", " ")


def render_markdown(findings: list[Finding]) -> str:
    if not findings:
        return "## pipedoctor\n\nNo findings.\n"
    lines = [
        "## pipedoctor",
        "",
        f"{len(findings)} finding(s).",
        "",
        "| severity | cause | where | what | fix |",
        "|---|---|---|---|---|",
    ]
    for f in findings:
        lines.append(
            f"| {f.severity} | `{f.cause}` | {_cell(f.location)} | {_cell(f.message)} | {_cell(f.fix)} |"
        )
    return "\n".join(lines) + "\n"
