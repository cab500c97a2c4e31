"""What the analysis produces: findings with their cause, evidence and fix.

A finding carries its structure (where it is, the text that matched and where that text came
from, the principals and resources involved): reports, the TUI, baselines and fixes read these
fields and never parse the message or the location text back.
"""

from __future__ import annotations

import re
from dataclasses import InitVar, dataclass, field
from typing import Any

SEVERITIES = ["info", "low", "medium", "high", "critical"]

_FILE_LINE = re.compile(r"(?P<path>.+):(?P<line>\d+)")
_BUILD_PREFIX = "build "
_RUN_SEPARATOR = " / "


def severity_rank(severity: str) -> int:
    return SEVERITIES.index(severity)


@dataclass(frozen=True)
class Location:
    """Where a finding is: a position in a repository file, a failed run (pipeline execution and
    action, or a build no action explains) or an AWS resource known only from AWS (`arn`).

    A finding about a resource that a scanned file defines has both the file position and the
    ARN; one about a resource read from AWS alone has only the ARN."""

    path: str = ""  # repository-relative file
    line: int = 0  # 1-based, 0 when unknown
    column: int = 0  # 1-based, 0 when unknown
    arn: str = ""  # the AWS resource the finding points at, when no file position is known
    pipeline: str = ""
    execution: str = ""  # pipeline execution id
    action: str = ""  # "Stage.Action"
    build: str = ""  # a CodeBuild build id (a failed build no pipeline action explains)
    label: str = ""  # a place that is none of these, e.g. "text" for a pasted error text

    @classmethod
    def in_file(cls, path: str, line: int = 0, column: int = 0, arn: str = "") -> Location:
        return cls(path=path, line=line, column=column, arn=arn)

    @classmethod
    def of_run(cls, pipeline: str, execution: str, stage: str, action: str) -> Location:
        return cls(pipeline=pipeline, execution=execution, action=f"{stage}.{action}")

    @classmethod
    def of_build(cls, build_id: str) -> Location:
        return cls(build=build_id)

    @classmethod
    def of_resource(cls, arn: str) -> Location:
        return cls(arn=arn)

    @classmethod
    def from_text(cls, text: str) -> Location:
        """The location a producer wrote as text (`path:line`, `pipeline / execution / Stage.Action`,
        `build ID`, an ARN): kept for producers that still pass strings, read once here."""
        if not text:
            return cls()
        if text.startswith("arn:"):
            return cls(arn=text)
        if text.startswith(_BUILD_PREFIX):
            return cls(build=text.removeprefix(_BUILD_PREFIX))
        parts = text.split(_RUN_SEPARATOR)
        if len(parts) == 3:
            return cls(pipeline=parts[0], execution=parts[1], action=parts[2])
        if found := _FILE_LINE.fullmatch(text):
            return cls(path=found["path"], line=int(found["line"]))
        return cls(label=text)

    @property
    def in_repository(self) -> bool:
        """True when a repository file holds it (code scanning can show it on a line)."""
        return bool(self.path)

    @property
    def text(self) -> str:
        """How reports write it: `path:line`, `pipeline / execution / Stage.Action`, `build ID`,
        the ARN or the label."""
        if self.path:
            return f"{self.path}:{self.line}" if self.line else self.path
        if self.pipeline:
            return _RUN_SEPARATOR.join([self.pipeline, self.execution, self.action])
        if self.build:
            return f"{_BUILD_PREFIX}{self.build}"
        return self.arn or self.label

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class MatchedText:
    """A line a rule pattern matched, and the surface it was read from: a CodeBuild phase
    context (`codebuild-phase`), the build log (`codebuild-log`), an action's summary
    (`codepipeline-action`), an ECS stopped reason or service event (`ecs-task`), ..."""

    source: str
    text: str

    def __str__(self) -> str:
        return f"{self.source}: {self.text}"


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
    # Producers that still write the location as text pass it here; it becomes `where`.
    location: InitVar[str] = ""
    where: Location = field(default_factory=Location)
    matched: list[MatchedText] = field(default_factory=list)  # the failure text that matched
    principals: list[str] = field(default_factory=list)  # ARNs of the roles involved
    resources: list[str] = field(default_factory=list)  # ARNs of the other resources involved
    references: list[str] = field(default_factory=list)
    unverified: list[str] = field(default_factory=list)  # checks that could not run
    edits: list[TextEdit] = field(default_factory=list)  # the fix, as edits a --fix can apply

    def __post_init__(self, location: str) -> None:
        if location and self.where == Location():
            self.where = Location.from_text(location)

    @property
    def key(self) -> str:
        """Stable identity across runs: the rule and what it is about (not the line it is on)."""
        return f"{self.rule}|{self.resource or self.where.text}"


def _location_text(finding: Finding) -> str:
    return finding.where.text


def _set_location(finding: Finding, text: str) -> None:
    finding.where = Location.from_text(text)


# `finding.location` reads (and, for writers not yet moved to `where`, sets) the text form. It is
# attached after the dataclass is made so that `Finding(location="path:3")` still constructs.
Finding.location = property(_location_text, _set_location)  # type: ignore[assignment,method-assign]
