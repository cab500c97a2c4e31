"""One self-contained HTML page: the diagnoses, each CI role's least-privilege diff, and the
permission graph picture. Inline CSS and inline SVG only: it opens with no network."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from html import escape
from typing import Any

from pipedoctor.model import Finding, Snapshot
from pipedoctor.report.sanitize import clean
from pipedoctor.report.text import Section

STYLE = """
body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; margin: 2rem auto;
       max-width: 75rem; padding: 0 1rem; color: #1d1d1f; line-height: 1.45; }
h1 { font-size: 1.6rem; } h2 { border-bottom: 1px solid #ddd; padding-bottom: .3rem; margin-top: 2.2rem; }
h3 { font-size: 1.05rem; margin-bottom: .3rem; }
.finding { border: 1px solid #ddd; border-left-width: 6px; border-radius: 4px; padding: .6rem 1rem; margin: .8rem 0; }
.sev-critical, .sev-high { border-left-color: #c0392b; } .sev-medium { border-left-color: #e67e22; }
.sev-low, .sev-info { border-left-color: #7f8c8d; }
.badge { display: inline-block; font-size: .75rem; font-weight: 600; padding: .05rem .45rem;
         border-radius: 3px; background: #eee; margin-right: .4rem; text-transform: uppercase; }
pre { background: #f6f8fa; padding: .7rem; overflow-x: auto; font-size: .8rem; border-radius: 4px; }
.dropped { color: #b03a2e; } .added { color: #1e8449; }
.graph { overflow: auto; border: 1px solid #ddd; border-radius: 4px; padding: .5rem; }
.graph svg { max-width: 100%; height: auto; }
.muted { color: #666; font-size: .9rem; }
table { border-collapse: collapse; } td, th { padding: .2rem .6rem; text-align: left; }
"""


@dataclass
class RoleDiff:
    """What the report shows of one role's generated policy."""

    role_arn: str
    summary: str
    dropped: list[str]
    added: list[str]
    document: dict[str, Any]
    proof_holds: bool


def _text(value: str) -> str:
    return escape(clean(value))


def _finding(finding: Finding) -> str:
    parts = [
        f'<div class="finding sev-{_text(finding.severity)}">',
        f'<h3><span class="badge">{_text(finding.severity)}</span>{_text(finding.title)}</h3>',
        f'<p class="muted">cause {_text(finding.cause)}, confidence {finding.confidence:.2f}'
        + (f", {_text(finding.location)}" if finding.location else "")
        + "</p>",
        f"<p>{_text(finding.message)}</p>",
    ]
    if finding.evidence:
        parts.append(
            "<p>Evidence:</p><ul>"
            + "".join(f"<li>{_text(e)}</li>" for e in finding.evidence)
            + "</ul>"
        )
    if finding.fix:
        parts.append(f"<p><strong>Fix:</strong> {_text(finding.fix)}</p>")
    if finding.policy_fix:
        parts.append(f"<pre>{escape(json.dumps(finding.policy_fix, indent=2))}</pre>")
    parts.append("</div>")
    return "\n".join(parts)


def _diagnoses(sections: list[Section]) -> str:
    shown = [section for section in sections if section.findings]
    if not shown:
        return "<p>No findings.</p>"
    # One finding per place, as `check` counts; the rest are the place's other candidates.
    parts = [f'<p class="count">{len(shown)} finding(s)</p>']
    for section in shown:
        parts.append(f"<h3>{_text(section.title)}</h3>")
        top, *others = section.findings
        parts.append(_finding(top))
        if others:
            parts.append('<p class="muted">other candidates:</p>')
            parts += [_finding(finding) for finding in others]
    return "\n".join(parts)


def _role_diff(diff: RoleDiff) -> str:
    proof = "proof holds" if diff.proof_holds else "proof FAILED"
    parts = [
        f"<h3>{_text(diff.role_arn)}</h3>",
        f'<p>{_text(diff.summary)} <span class="muted">({proof})</span></p>',
    ]
    if diff.dropped:
        listed = ", ".join(_text(action) for action in diff.dropped)
        parts.append(
            f'<details><summary class="dropped">{len(diff.dropped)} action(s) dropped</summary><p>{listed}</p></details>'
        )
    if diff.added:
        listed = ", ".join(_text(action) for action in diff.added)
        parts.append(f'<p class="added">added: {listed}</p>')
    parts.append(f"<pre>{escape(json.dumps(diff.document, indent=2))}</pre>")
    return "\n".join(parts)


_SVG_START = re.compile(r"<svg\b", re.IGNORECASE)


def inline_svg(svg: str) -> str:
    """The <svg> element alone (no XML declaration or DOCTYPE, which HTML does not want)."""
    found = _SVG_START.search(svg)
    return svg[found.start() :] if found else ""


def render_html(
    snapshot: Snapshot,
    sections: list[Section],
    diffs: list[RoleDiff],
    graph_svg: str | None,
    graph_note: str = "",
) -> str:
    title = f"pipedoctor report: account {snapshot.account_id or 'unknown'}"
    pipelines = ", ".join(pipeline.name for pipeline in snapshot.pipelines) or "none"
    picture = (
        f'<div class="graph">{inline_svg(graph_svg)}</div>'
        if graph_svg
        else f"<p>{_text(graph_note)}</p>"
    )
    roles = "\n".join(_role_diff(diff) for diff in diffs) or "<p>No CI roles in the snapshot.</p>"
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_text(title)}</title>
<style>{STYLE}</style>
</head>
<body>
<h1>{_text(title)}</h1>
<p class="muted">pipelines: {_text(pipelines)}; collected {_text(snapshot.collected_at or "at an unknown time")}
from {_text(snapshot.origin or "a snapshot")}</p>
<h2 id="diagnoses">Diagnoses</h2>
{_diagnoses(sections)}
<h2 id="least-privilege">Least privilege</h2>
{roles}
<h2 id="graph">Permission graph</h2>
{picture}
</body>
</html>
"""
