"""Printing the sections of an analysis in the chosen format, and the exit code."""

from __future__ import annotations

import sys

from pipedoctor.commands.common import findings_exit_code
from pipedoctor.model import CollectionError
from pipedoctor.report.json_report import render_json
from pipedoctor.report.text import Section, render_text


def emit(sections: list[Section], errors: list[CollectionError], fmt: str, fail_on: str, exit_zero: bool) -> int:
    primary = [section.findings[0] for section in sections if section.findings]
    if fmt == "json":
        everything = [finding for section in sections for finding in section.findings]
        sys.stdout.write(render_json(everything, errors))
    else:
        sys.stdout.write(render_text(sections, errors))
    return findings_exit_code(primary, fail_on, exit_zero)
