"""Text from AWS becomes rich Text: escape sequences stripped, never parsed as markup."""

from __future__ import annotations

from rich.text import Text

from pipedoctor.report.sanitize import clean


def safe(value: object, style: str = "") -> Text:
    return Text(clean(str(value)), style=style, no_wrap=False)


def highlighted(value: str, needle: str, style: str = "reverse") -> Text:
    """`value` as safe Text with every case-insensitive occurrence of `needle` styled."""
    text = safe(value)
    if needle:
        text.highlight_words([needle], style=style, case_sensitive=False)
    return text


STATUS_STYLES = {
    "Failed": "bold red",
    "FAILED": "bold red",
    "FAULT": "bold red",
    "Stopped": "yellow",
    "Abandoned": "yellow",
    "InProgress": "cyan",
    "Succeeded": "green",
    "SUCCEEDED": "green",
}

SEVERITY_STYLES = {
    "critical": "bold white on red",
    "high": "bold red",
    "medium": "yellow",
    "low": "cyan",
    "info": "dim",
}


def status_text(status: str) -> Text:
    return safe(status or "-", STATUS_STYLES.get(status, ""))


def severity_text(severity: str) -> Text:
    return safe(severity.upper(), SEVERITY_STYLES.get(severity, ""))
