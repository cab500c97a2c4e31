"""What a posture predicate yields: facts for the rule's templates, evidence, where, about what."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pipedoctor.model.findings import Location, TextEdit


@dataclass
class Hit:
    facts: dict[str, Any]
    location: str | Location  # text from predicates not yet moved to Location
    resource: str
    evidence: list[str] = field(default_factory=list)
    # What could not be checked; each entry lowers the finding's confidence.
    unverified: list[str] = field(default_factory=list)
    edits: list[TextEdit] = field(default_factory=list)
