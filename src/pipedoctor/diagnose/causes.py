"""The canonical root-cause ids (causes.yaml beside this module)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from pipedoctor.errors import UserError
from pipedoctor.textparse import ParseError, parse_yaml

CAUSES_FILE = Path(__file__).parent / "causes.yaml"


@cache
def cause_descriptions() -> dict[str, str]:
    try:
        data = parse_yaml(CAUSES_FILE.read_text(encoding="utf-8"))
        return {cause["id"]: cause["description"] for cause in data["causes"]}
    except ParseError as error:
        raise UserError(f"{CAUSES_FILE.name}: {error}") from None
    except (KeyError, TypeError):
        raise UserError(f"{CAUSES_FILE.name}: each cause needs an id and a description") from None


def known_cause_ids() -> set[str]:
    return set(cause_descriptions())
