"""Each CodeBuild service role's least-privilege policy next to what it holds today."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pipedoctor.model import Snapshot
    from pipedoctor.report.html import RoleDiff


def role_diffs(snapshot: Snapshot) -> list[RoleDiff]:
    from pipedoctor.leastpriv.generate import generate_policy
    from pipedoctor.report.html import RoleDiff

    diffs = []
    for arn in sorted(
        {project.service_role for project in snapshot.projects if project.service_role}
    ):
        role = snapshot.role(arn)
        if role is None:
            continue
        generated = generate_policy(snapshot, role)
        diff = generated.diff
        diffs.append(
            RoleDiff(
                arn,
                diff.summary(),
                sorted(diff.dropped),
                sorted(diff.added),
                generated.document,
                generated.proof.holds,
            )
        )
    return diffs
