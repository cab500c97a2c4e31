"""Rendering the sections of an analysis in the chosen formats, and the exit code."""

from __future__ import annotations

import sys
from typing import Any

from pipedoctor.commands.common import REPORT_FORMATS, findings_exit_code, safe_output
from pipedoctor.diagnose.rules import Rule
from pipedoctor.errors import UserError
from pipedoctor.model import CollectionError
from pipedoctor.model.snapshot import write_atomically
from pipedoctor.report.text import Section


def render(
    fmt: str,
    sections: list[Section],
    errors: list[CollectionError],
    rules: list[Rule],
    to_file: bool = False,
) -> str:
    # Machine formats carry the top cause of each place; json also lists the other candidates.
    primary = [section.findings[0] for section in sections if section.findings]
    if fmt == "text":
        from pipedoctor import terminal
        from pipedoctor.report.text import render_text

        if to_file:
            return render_text(sections, errors, terminal.DEFAULT_WIDTH, color=False)
        return render_text(sections, errors)
    if fmt == "json":
        from pipedoctor.report.json_report import render_json

        return render_json([f for s in sections for f in s.findings], errors)
    if fmt == "sarif":
        from pipedoctor.report.sarif import render_sarif

        return render_sarif(primary)
    if fmt == "junit":
        from pipedoctor.report.junit import render_junit

        return render_junit(primary, rules)
    if fmt == "github":
        from pipedoctor.report.github import render_github

        return render_github(primary)
    from pipedoctor.report.github import render_markdown

    return render_markdown(primary)


def parse_output_option(value: str) -> tuple[str, str]:
    fmt, equals, path = value.partition("=")
    if not equals or fmt not in REPORT_FORMATS or not path:
        raise UserError(
            f"--output takes FORMAT=PATH with FORMAT one of {', '.join(REPORT_FORMATS)}: got {value!r}"
        )
    return fmt, path


def emit(
    sections: list[Section],
    errors: list[CollectionError],
    rules: list[Rule],
    fmt: str,
    outputs: list[str],
    fail_on: str,
    exit_zero: bool,
    accounts: Any = None,
) -> int:
    extra = [parse_output_option(option) for option in outputs]
    sys.stdout.write(safe_output(render(fmt, sections, errors, rules), accounts))
    for extra_format, path in extra:
        try:
            write_atomically(
                path,
                safe_output(render(extra_format, sections, errors, rules, to_file=True), accounts),
            )
        except OSError as error:
            raise UserError(f"cannot write {path}: {error.strerror}") from None
    primary = [section.findings[0] for section in sections if section.findings]
    return findings_exit_code(primary, fail_on, exit_zero)
