"""The report for people: the top cause, why, the fix, then the other candidates.

Filled to the terminal's width and coloured by severity on a terminal (`pipedoctor.terminal`:
--color, NO_COLOR, COLUMNS); plain and 100 columns wide elsewhere.
"""

from __future__ import annotations

import json
import textwrap
from dataclasses import dataclass, field

from pipedoctor import terminal
from pipedoctor.errors import one_line
from pipedoctor.model import CollectionError, Finding
from pipedoctor.report.sanitize import clean

SEVERITY_STYLES = {
    "critical": "1;97;41",  # bold white on red
    "high": "1;31",
    "medium": "33",
    "low": "36",
    "info": "2",
}
TITLE, FIX, HEADING, WARNING, GOOD = "1", "1;32", "1;4", "33", "32"


@dataclass
class Section:
    """Findings about one place (a failed action, a role) in confidence order."""

    title: str
    findings: list[Finding] = field(default_factory=list)


def top_findings(sections: list[Section]) -> list[Finding]:
    """The findings machine formats and counts carry: the top one of each place (section); the
    rest are that place's other candidates."""
    return [section.findings[0] for section in sections if section.findings]


@dataclass(frozen=True)
class _Style:
    width: int
    color: bool

    def paint(self, text: str, code: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if self.color and code else text

    def wrap(self, text: str, indent: str, hanging: str = "") -> str:
        """Fill to the width without breaking ARNs at hyphens; `hanging` indents continuations."""
        return textwrap.fill(
            clean(text),
            width=self.width,
            initial_indent=indent,
            subsequent_indent=indent + hanging,
            break_on_hyphens=False,
            break_long_words=False,
        )


def _finding(finding: Finding, lines: list[str], style: _Style) -> None:
    tag = f"[{finding.severity.upper()}]"
    heading = style.wrap(f"{tag} {finding.title}", "  ", "  ").split(tag, 1)
    painted = style.paint(tag, SEVERITY_STYLES.get(finding.severity, ""))
    lines.append(heading[0] + painted + style.paint(heading[1], TITLE))
    rule = f" (rule {finding.rule})" if finding.rule != finding.cause else ""
    cause = f"cause: {finding.cause}{rule}, confidence {finding.confidence:.2f}"
    lines.append(style.wrap(cause, "    ", "  "))
    lines.append(style.wrap(finding.message, "    "))
    if finding.evidence:
        lines.append("    evidence:")
        lines.extend(style.wrap(f"- {item}", "      ", "  ") for item in finding.evidence)
    if finding.unverified:
        lines.append("    not verified:")
        lines.extend(style.wrap(f"- {item}", "      ", "  ") for item in finding.unverified)
    lines.append(f"    {style.paint('fix:', FIX)}")
    lines.append(style.wrap(finding.fix, "      ", "  "))
    if finding.policy_fix:
        policy = json.dumps(finding.policy_fix, indent=2)
        lines.extend(f"      {line}" for line in policy.splitlines())


def render_text(
    sections: list[Section],
    errors: list[CollectionError],
    width: int | None = None,
    color: bool | None = None,
) -> str:
    """The report; `width` and `color` default to what suits stdout (`pipedoctor.terminal`).
    Pass `width=terminal.DEFAULT_WIDTH, color=False` for a file."""
    style = _Style(
        width if width is not None else terminal.width(),
        color if color is not None else terminal.use_color(),
    )
    lines: list[str] = []
    for section in sections:
        if not section.findings:
            continue
        lines.append(style.paint(style.wrap(section.title, "", "  "), HEADING))
        top, *others = section.findings
        _finding(top, lines, style)
        if others:
            lines.append("  other candidates:")
            for other in others:
                line = f"- {other.cause} ({other.confidence:.2f}): {other.message}"
                lines.append(style.wrap(line, "    ", "  "))
        lines.append("")
    if errors:
        lines.append(style.paint("could not be checked (collection errors):", WARNING))
        # one_line: snapshots written before messages were cut down may hold a whole HTML page
        lines.extend(
            f"  - {clean(error.describe())}: {one_line(clean(error.message))}" for error in errors
        )
        lines.append("")
    count = len(top_findings(sections))
    lines.append(
        style.paint(f"{count} finding(s)", TITLE) if count else style.paint("no findings", GOOD)
    )
    return "\n".join(lines) + "\n"
