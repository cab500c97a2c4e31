"""Writing the sections of an analysis in the chosen formats, and the exit code."""

from __future__ import annotations

from typing import Any

from pipedoctor.app.findings import section_findings
from pipedoctor.commands.common import REPORT_FORMATS, findings_exit_code, safe_output, write_output
from pipedoctor.diagnose.rules import Rule
from pipedoctor.errors import UserError
from pipedoctor.model import CollectionError
from pipedoctor.report.formats import render
from pipedoctor.report.text import Section


def parse_output_option(value: str) -> tuple[str | None, str]:
    """`FORMAT=PATH` (another format from the same run) or `PATH` (the --format output)."""
    fmt, equals, path = value.partition("=")
    if not equals:
        return None, value
    if fmt not in REPORT_FORMATS or not path:
        raise UserError(
            f"--output takes FILE, or FORMAT=PATH with FORMAT one of {', '.join(REPORT_FORMATS)}: "
            f"got {value!r}"
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
    parsed = [parse_output_option(option) for option in outputs]
    main = [path for extra_format, path in parsed if extra_format is None]
    if len(main) > 1:
        raise UserError("-o FILE is the --format output: give it once (FORMAT=PATH for more)")
    main_path = main[0] if main else None
    to_file = bool(main_path) and main_path != "-"
    write_output(main_path, safe_output(render(fmt, sections, errors, rules, to_file), accounts))
    for extra_format, path in parsed:
        if extra_format is not None:
            write_output(path, safe_output(render(extra_format, sections, errors, rules, True), accounts))
    return findings_exit_code(section_findings(sections), fail_on, exit_zero)
