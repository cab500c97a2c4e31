"""A baseline: known findings to suppress, each with the reason it was accepted."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from pipedoctor.errors import UserError
from pipedoctor.model import Finding
from pipedoctor.textparse import ParseError, parse_json

BASELINE_KIND = "pipedoctor-baseline"


@dataclass(frozen=True)
class Accepted:
    key: str  # Finding.key: rule and what it is about
    reason: str


def load_baseline(path: Path) -> dict[str, Accepted]:
    try:
        data = parse_json(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise UserError(f"cannot read baseline {path}: {error.strerror}") from None
    except (ParseError, UnicodeDecodeError) as error:
        raise UserError(f"{path}: baseline is not valid JSON ({error})") from None
    entries = (
        data.get("accepted")
        if isinstance(data, dict) and data.get("kind") == BASELINE_KIND
        else None
    )
    if not isinstance(entries, list):
        raise UserError(f"{path}: not a pipedoctor baseline (write one with --write-baseline)")
    accepted = {}
    for index, entry in enumerate(entries):
        if (
            not isinstance(entry, dict)
            or not isinstance(entry.get("key"), str)
            or not entry.get("reason")
        ):
            raise UserError(f"{path}: entry {index} needs a key and a non-empty reason")
        accepted[entry["key"]] = Accepted(entry["key"], str(entry["reason"]))
    return accepted


def baseline_text(findings: list[Finding]) -> str:
    today = datetime.now(UTC).date().isoformat()
    entries = [
        {"key": finding.key, "rule": finding.rule, "reason": f"accepted on {today}: say why"}
        for finding in findings
    ]
    return json.dumps({"kind": BASELINE_KIND, "accepted": entries}, indent=2) + "\n"
