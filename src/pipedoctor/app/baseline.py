"""The baseline flow: accept today's findings into a file, suppress them in later runs."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from pipedoctor.app.findings import section_findings

if TYPE_CHECKING:
    from pipedoctor.report.text import Section


def write_baseline(path: Path, sections: list[Section]) -> int:
    """Accept every current finding into `path`; how many."""
    from pipedoctor.baseline import baseline_text
    from pipedoctor.model.snapshot import write_atomically

    primary = section_findings(sections)
    write_atomically(path, baseline_text(primary))
    return len(primary)


def without_accepted(sections: list[Section], path: Path) -> tuple[list[Section], int]:
    """The sections whose finding the baseline has not accepted; how many were suppressed."""
    from pipedoctor.baseline import load_baseline

    accepted = load_baseline(path)
    kept = [s for s in sections if not (s.findings and s.findings[0].key in accepted)]
    suppressed = sum(1 for s in sections if s.findings) - sum(1 for s in kept if s.findings)
    return kept, suppressed
