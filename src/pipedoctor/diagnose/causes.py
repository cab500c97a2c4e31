"""The canonical root-cause ids (causes.yaml beside this module)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml


@cache
def cause_descriptions() -> dict[str, str]:
    data = yaml.safe_load((Path(__file__).parent / "causes.yaml").read_text(encoding="utf-8"))
    return {cause["id"]: cause["description"] for cause in data["causes"]}


def known_cause_ids() -> set[str]:
    return set(cause_descriptions())
