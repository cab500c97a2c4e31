"""The one registry of report formats: a name, and how to render an analysis in it.

Each renderer imports its module when used, so `check` loads only the format it writes. Machine
formats carry the findings that count (the top cause of each place); text and json also list
the other candidates.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pipedoctor.diagnose.rules import Rule
    from pipedoctor.model import CollectionError, Finding
    from pipedoctor.report.text import Section

Renderer = Callable[["list[Section]", "list[CollectionError]", "list[Rule]"], str]


def _primary(sections: list[Section]) -> list[Finding]:
    from pipedoctor.report.text import top_findings

    return top_findings(sections)


def _text(sections: list[Section], errors: list[CollectionError], rules: list[Rule]) -> str:
    from pipedoctor.report.text import render_text

    return render_text(sections, errors)


def _json(sections: list[Section], errors: list[CollectionError], rules: list[Rule]) -> str:
    from pipedoctor.report.json_report import render_json

    return render_json([f for s in sections for f in s.findings], errors)


def _sarif(sections: list[Section], errors: list[CollectionError], rules: list[Rule]) -> str:
    from pipedoctor.report.sarif import render_sarif

    return render_sarif(_primary(sections))


def _junit(sections: list[Section], errors: list[CollectionError], rules: list[Rule]) -> str:
    from pipedoctor.report.junit import render_junit

    return render_junit(_primary(sections), rules)


def _github(sections: list[Section], errors: list[CollectionError], rules: list[Rule]) -> str:
    from pipedoctor.report.github import render_github

    return render_github(_primary(sections))


def _markdown(sections: list[Section], errors: list[CollectionError], rules: list[Rule]) -> str:
    from pipedoctor.report.markdown import render_markdown

    return render_markdown(_primary(sections))


FORMATS: dict[str, Renderer] = {
    "text": _text,
    "json": _json,
    "sarif": _sarif,
    "junit": _junit,
    "github": _github,
    "markdown": _markdown,
}


def render(
    fmt: str,
    sections: list[Section],
    errors: list[CollectionError],
    rules: list[Rule],
    to_file: bool = False,
) -> str:
    """`to_file`: text for a file is plain and of the default width, whatever the terminal."""
    if fmt == "text" and to_file:
        from pipedoctor import terminal
        from pipedoctor.report.text import render_text

        return render_text(sections, errors, terminal.DEFAULT_WIDTH, color=False)
    return FORMATS[fmt](sections, errors, rules)
