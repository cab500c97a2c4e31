"""Where a red pipeline leads: the newest failed execution and its top diagnosis (the `d` key).

Also the one place the TUI counts findings (the status line after an analysis), so that the count
can follow the project-wide definition of a finding.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipedoctor.model import ActionExecution, Finding
from pipedoctor.tui.data import SnapshotView


@dataclass(frozen=True)
class Failure:
    pipeline: str
    execution_id: str
    action: ActionExecution | None  # the first failed action, when one was collected
    finding: Finding | None  # the most likely diagnosis of a failed action, when there is one


def newest_failure(view: SnapshotView) -> Failure | None:
    """The newest failed execution of any pipeline, and the top diagnosis of its failed actions."""
    failed = [e for e in view.snapshot.executions if e.status == "Failed"]
    if not failed:
        return None
    newest = max(failed, key=lambda e: e.start_time)
    actions = [
        action
        for action in view.action_executions(newest.pipeline_name, newest.execution_id)
        if action.status == "Failed"
    ]
    for action in actions:
        diagnoses = view.for_action(action)
        if diagnoses:
            return Failure(newest.pipeline_name, newest.execution_id, action, diagnoses[0])
    return Failure(newest.pipeline_name, newest.execution_id, actions[0] if actions else None, None)


def finding_count(view: SnapshotView) -> int:
    """How many findings the status line reports: what `check` counts (the top cause of each place)."""
    from pipedoctor.app.findings import primary_findings

    return len(primary_findings(view.findings))
