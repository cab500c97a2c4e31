"""What the analysis produces: findings with their cause, evidence and fix."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

SEVERITIES = ["info", "low", "medium", "high", "critical"]


def severity_rank(severity: str) -> int:
    return SEVERITIES.index(severity)


@dataclass(frozen=True)
class TextEdit:
    """Replace `old` by `new` on line `line` (1-based) of the repository file `path`."""

    path: str
    line: int
    old: str
    new: str
    column: int = 0  # 1-based column where `old` starts, 0 when unknown
    safe: bool = True  # False: the edit changes permissions (applied only with --unsafe-fixes)


@dataclass
class Finding:
    rule: str
    cause: str  # an id from causes.yaml
    title: str
    severity: str
    confidence: float
    message: str
    evidence: list[str] = field(default_factory=list)
    fix: str = ""
    policy_fix: dict[str, Any] | None = None
    resource: str = ""  # ARN or name of what the finding is about
    location: str = ""  # pipeline/execution/action, or file:line
    references: list[str] = field(default_factory=list)
    unverified: list[str] = field(default_factory=list)  # checks that could not run
    edits: list[TextEdit] = field(default_factory=list)  # the fix, as edits a --fix can apply

    @property
    def key(self) -> str:
        """Stable identity across runs: the rule and what it is about (not the line it is on)."""
        return f"{self.rule}|{self.resource or self.location}"
