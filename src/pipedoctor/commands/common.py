"""Arguments and steps several commands share."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from pipedoctor.model import SEVERITIES, Finding, severity_rank

REPORT_FORMATS = ["text", "json", "sarif", "junit", "github", "markdown"]


def add_rules_dir(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--rules-dir",
        action="append",
        type=Path,
        default=[],
        metavar="DIR",
        help="extra rules directory (repeatable); its rules add to or override the bundled ones",
    )


def add_output_options(
    parser: argparse.ArgumentParser, formats: list[str], fail_on_default: str | None = "high"
) -> None:
    parser.add_argument("--format", choices=formats, default="text", help="output format on stdout")
    parser.add_argument(
        "--fail-on",
        choices=SEVERITIES,
        default=fail_on_default,
        help="exit 1 when a finding has at least this severity (default: high)",
    )
    parser.add_argument(
        "--exit-zero", action="store_true", help="exit 0 even when there are findings"
    )


def findings_exit_code(findings: list[Finding], fail_on: str, exit_zero: bool) -> int:
    if exit_zero:
        return 0
    threshold = severity_rank(fail_on)
    return 1 if any(severity_rank(f.severity) >= threshold for f in findings) else 0


def add_redact_accounts(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--redact-accounts",
        action="store_true",
        help="replace account ids (and so ARNs) with stand-ins, consistently across every output",
    )


def account_redactor(args: argparse.Namespace) -> Any:
    from pipedoctor.redact import AccountRedactor

    return AccountRedactor() if getattr(args, "redact_accounts", False) else None


def safe_output(text: str, accounts: Any = None) -> str:
    """What may leave: secrets redacted, and account ids when asked."""
    from pipedoctor.redact import text as redact_text

    text = redact_text(text)
    return accounts(text) if accounts else text
