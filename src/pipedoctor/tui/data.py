"""What the screens show, derived from a snapshot and its findings: rows, lookups, ages.

Pure Python (no textual): built once per snapshot or analysis, read by every screen.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime

from pipedoctor.model import ActionExecution, Build, Finding, PipelineExecution, Role, Snapshot
from pipedoctor.model.findings import Location

# Failures first: the order the pipelines list sorts by.
STATUS_ORDER = {"Failed": 0, "Stopped": 1, "Abandoned": 1, "InProgress": 2, "Superseded": 3}
# A matched line is cut at 300 characters with its phase and status before it: this much of a
# context's line is always inside it.
MATCHED_CHARS = 200


def action_location(action: ActionExecution) -> Location:
    """The location a diagnosis of this action carries (see diagnose.incidents)."""
    return Location.of_run(
        action.pipeline_name, action.pipeline_execution_id, action.stage_name, action.action_name
    )


def finding_key(finding: Finding) -> str:
    """Stable across re-analysis of the same snapshot."""
    return f"{finding.rule}\x1f{finding.location}\x1f{finding.resource}"


def parse_time(value: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def age(value: str, now: datetime) -> str:
    """How long ago, in the largest whole unit: 45s, 12m, 5h, 3d; "-" when unknown."""
    when = parse_time(value)
    if when is None:
        return "-"
    seconds = max(0, int((now - when).total_seconds()))
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


@dataclass(frozen=True)
class PipelineRow:
    name: str
    region: str
    status: str
    failing_stage: str
    started: str
    findings: int


class SnapshotView:
    """Indexes over one snapshot and the findings of its analysis."""

    def __init__(self, snapshot: Snapshot, findings: list[Finding] | None = None) -> None:
        self.snapshot = snapshot
        self.analysed = findings is not None
        self.findings = findings or []
        self._by_location: dict[Location, list[Finding]] = defaultdict(list)
        self._by_resource: dict[str, list[Finding]] = defaultdict(list)
        self._by_key = {finding_key(finding): finding for finding in self.findings}
        for finding in self.findings:
            self._by_location[finding.where].append(finding)
            self._by_resource[finding.resource].append(finding)
        self._executions: dict[str, list[PipelineExecution]] = defaultdict(list)
        for execution in snapshot.executions:
            self._executions[execution.pipeline_name].append(execution)
        for runs in self._executions.values():
            runs.sort(key=lambda e: e.start_time, reverse=True)
        self._actions: dict[tuple[str, str], list[ActionExecution]] = defaultdict(list)
        for action in snapshot.action_executions:
            self._actions[(action.pipeline_name, action.pipeline_execution_id)].append(action)
        self._builds = {build.id: build for build in snapshot.builds}

    def executions(self, pipeline: str) -> list[PipelineExecution]:
        """Newest first."""
        return self._executions.get(pipeline, [])

    def action_executions(self, pipeline: str, execution_id: str) -> list[ActionExecution]:
        return self._actions.get((pipeline, execution_id), [])

    def build(self, build_id: str) -> Build | None:
        return self._builds.get(build_id)

    def finding(self, key: str) -> Finding | None:
        return self._by_key.get(key)

    def for_action(self, action: ActionExecution) -> list[Finding]:
        return self._by_location.get(action_location(action), [])

    def for_execution(self, pipeline: str, execution_id: str) -> list[Finding]:
        return [
            finding
            for action in self.action_executions(pipeline, execution_id)
            for finding in self.for_action(action)
        ]

    def for_role(self, role: Role) -> list[Finding]:
        return self._by_resource.get(role.arn, [])

    def pipeline_rows(self) -> list[PipelineRow]:
        """Failures first, then by name."""
        counts = self._pipeline_counts()
        rows = []
        for pipeline in self.snapshot.pipelines:
            runs = self.executions(pipeline.name)
            latest = runs[0] if runs else None
            failing = ""
            if latest is not None and latest.status == "Failed":
                failing = next(
                    (
                        a.stage_name
                        for a in self.action_executions(pipeline.name, latest.execution_id)
                        if a.status == "Failed"
                    ),
                    "",
                )
            rows.append(
                PipelineRow(
                    name=pipeline.name,
                    region=pipeline.region,
                    status=latest.status if latest else "",
                    failing_stage=failing,
                    started=latest.start_time if latest else "",
                    findings=counts.get(pipeline.name, 0),
                )
            )
        rows.sort(key=lambda row: (STATUS_ORDER.get(row.status, 9), row.name))
        return rows

    def _pipeline_counts(self) -> dict[str, int]:
        from pipedoctor.app.findings import findings_per_pipeline

        return findings_per_pipeline(self.snapshot, self.findings)

    def build_of(self, finding: Finding) -> Build | None:
        """The build a diagnosis is about, when it is about one."""
        where = finding.where
        if where.build:
            return self.build(where.build)
        if not where.pipeline:
            return None
        for action in self.action_executions(where.pipeline, where.execution):
            if action_location(action) == where:
                return self.build(action.external_execution_id)
        return None

    def roles_in(self, finding: Finding) -> list[Role]:
        """Roles the finding involves: those it is about or whose policy its fix changes."""
        roles = (self.snapshot.role(arn) for arn in finding.principals)
        return [role for role in roles if role is not None]


def matched_line_numbers(build: Build, finding: Finding) -> list[int]:
    """Indexes into the build's log excerpt of the lines the finding matched: log lines it matched
    on the log itself, and the lines that repeat a phase context it matched."""
    wanted = [m.text.strip() for m in finding.matched if m.source == "codebuild-log"]
    phase_texts = [m.text for m in finding.matched if m.source == "codebuild-phase"]
    wanted += [
        line.strip()
        for phase in build.failed_phases()
        for context in phase.contexts
        for line in context.message.splitlines()
        if line.strip() and any(line.strip()[:MATCHED_CHARS] in text for text in phase_texts)
    ]
    wanted = [w for w in wanted if w]
    return [index for index, line in enumerate(build.log_excerpt) if any(w in line for w in wanted)]


def now_utc() -> datetime:
    return datetime.now(UTC)
