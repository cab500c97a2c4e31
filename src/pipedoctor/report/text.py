"""The report for people: the top cause, why, the fix, then the other candidates."""

from __future__ import annotations

import json
import textwrap
from dataclasses import dataclass, field

from pipedoctor.model import CollectionError, Finding
from pipedoctor.report.sanitize import clean


@dataclass
class Section:
    """Findings about one place (a failed action, a role) in confidence order."""

    title: str
    findings: list[Finding] = field(default_factory=list)


def _wrap(text: str, indent: str, hanging: str = "") -> str:
    """Fill to 100 columns without breaking ARNs at hyphens; `hanging` indents continuations."""
    return textwrap.fill(
        clean(text),
        width=100,
        initial_indent=indent,
        subsequent_indent=indent + hanging,
        break_on_hyphens=False,
        break_long_words=False,
    )


def _finding(finding: Finding, lines: list[str]) -> None:
    lines.append(f"  [{finding.severity.upper()}] {clean(finding.title)}")
    rule = f" (rule {finding.rule})" if finding.rule != finding.cause else ""
    lines.append(f"    cause: {finding.cause}{rule}, confidence {finding.confidence:.2f}")
    lines.append(_wrap(finding.message, "    "))
    if finding.evidence:
        lines.append("    evidence:")
        lines.extend(_wrap(f"- {item}", "      ", "  ") for item in finding.evidence)
    if finding.unverified:
        lines.append("    not verified:")
        lines.extend(_wrap(f"- {item}", "      ", "  ") for item in finding.unverified)
    lines.append("    fix:")
    lines.append(_wrap(finding.fix, "      ", "  "))
    if finding.policy_fix:
        policy = json.dumps(finding.policy_fix, indent=2)
        lines.extend(f"      {line}" for line in policy.splitlines())


def render_text(sections: list[Section], errors: list[CollectionError]) -> str:
    lines: list[str] = []
    for section in sections:
        if not section.findings:
            continue
        lines.append(clean(section.title))
        top, *others = section.findings
        _finding(top, lines)
        if others:
            lines.append("  other candidates:")
            for other in others:
                lines.append(
                    f"    - {other.cause} ({other.confidence:.2f}): {clean(other.message)}"
                )
        lines.append("")
    if errors:
        lines.append("could not be checked (collection errors):")
        lines.extend(f"  - {clean(error.describe())}: {clean(error.message)}" for error in errors)
        lines.append("")
    count = sum(len(s.findings[:1]) for s in sections)
    lines.append(f"{count} finding(s)" if count else "no findings")
    return "\n".join(lines) + "\n"
