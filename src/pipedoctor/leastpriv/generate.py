"""A role's least-privilege policy: needs from configuration, denials and usage; synthesised; proven."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from pipedoctor.iam import load_catalog
from pipedoctor.knowledge.arns import arn_account
from pipedoctor.leastpriv.config_needs import required_needs
from pipedoctor.leastpriv.denials import denied_needs
from pipedoctor.leastpriv.diff import PolicyDiff, diff_policies
from pipedoctor.leastpriv.kept_denies import with_kept_denies
from pipedoctor.leastpriv.proof import Proof, prove
from pipedoctor.leastpriv.synthesize import policy_size, synthesize
from pipedoctor.leastpriv.usage import Need, Skipped, UsageRecord
from pipedoctor.model import Role, Snapshot


@dataclass
class Generated:
    role: Role
    needs: list[Need]
    document: dict[str, Any]
    proof: Proof
    diff: PolicyDiff
    skipped: list[Skipped] = field(default_factory=list)
    # CloudTrail calls AWS denied: listed, granted only when asked (include_denied).
    requested_denied: list[UsageRecord] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # where the current policies came from

    def report(self) -> str:
        """The proof and notes, for stderr."""
        by_source: dict[str, int] = {}
        for need in self.needs:
            by_source[need.source] = by_source.get(need.source, 0) + 1
        sources = ", ".join(f"{count} {source}" for source, count in sorted(by_source.items()))
        size = policy_size(self.document)
        statements = len(self.document["Statement"])
        lines = [
            (
                f"policy for {self.role.arn}: {statements} statements, {size} characters; "
                f"from {len(self.needs)} needs ({sources or 'none'})"
            ),
            f"diff: {self.diff.summary()}"
            if self.proof.compared
            else "diff: none (the current policies are not known)",
        ]
        if self.proof.insufficient:
            lines.append(
                f"proof FAILED: {len(self.proof.insufficient)} need(s) not allowed by the new policy:"
            )
            lines += [
                f"  - {n.action} on {n.resource} ({n.reason})" for n in self.proof.insufficient
            ]
        else:
            lines.append(
                f"proof: all {len(self.needs)} needs replay Allowed against the new policy"
            )
        if not self.proof.compared:
            lines.append(
                "proof: no comparison was made: the role's current policies are not known "
                "(give --authorization-details FILE or credentials that can read IAM)"
            )
        elif self.proof.new_access:
            lines.append(
                "proof FAILED: the new policy allows what the current policies did not, e.g.:"
            )
            lines += [f"  - {example.describe()}" for example in self.proof.new_access]
        else:
            additions = " except these needed additions:" if self.proof.explicit_additions else ""
            lines.append(
                f"proof: nothing allowed that the current policies did not allow{additions}"
            )
        lines += [
            f"  + {action} on {resource} (needed, explicit addition)"
            for action, resource in self.proof.explicit_additions
        ]
        lines += [
            f"  ~ {n.action} on {n.resource}: the resource's own policy (another account's, a key "
            "or trust policy) was not collected, so only this role's side is proven"
            for n in self.proof.identity_side_only
        ]
        lines += [
            f"  ~ {n.action} on {n.resource}: partly denied by a Deny of the current policies, "
            "kept in the new policy"
            for n in self.proof.kept_deny_blocks
        ]
        lines += [f"  ? {note}" for note in self.proof.undecided]
        if self.requested_denied:
            lines.append(
                f"requested, denied ({len(self.requested_denied)}): CloudTrail shows AWS refused "
                "these calls; not granted (--include-denied grants them):"
            )
            lines += [
                f"  ! {r.action} on {r.resource} ({r.count} denied call(s), last {r.last_seen})"
                for r in self.requested_denied
            ]
        lines += self._wildcard_lines()
        lines += [f"note: {note}" for note in self.notes]
        for skipped in self.skipped:
            lines.append(f"skipped {skipped.count} input(s): {skipped.reason}")
        return "\n".join(lines) + "\n"

    def _wildcard_lines(self) -> list[str]:
        """Which actions are granted on "*", and why: no resource to name, or none named."""
        catalog = load_catalog()
        on_star = sorted(
            {
                action
                for statement in self.document["Statement"]
                if statement["Effect"] == "Allow" and statement["Resource"] == "*"
                for action in statement["Action"]
            }
        )
        takes_none = [a for a in on_star if not catalog.supports_resource_level(a)]
        unnamed = [a for a in on_star if catalog.supports_resource_level(a)]
        lines = []
        if takes_none:
            lines.append(f'left at "*" (they take no resource): {", ".join(takes_none)}')
        if unnamed:
            lines.append(
                f'left at "*" although they take a resource (no input named it): '
                f"{', '.join(unnamed)}"
            )
        return lines


def _same_role(usage_principal: str, role: Role) -> bool:
    # A session ARN maps back to a role ARN without its path: compare names and accounts.
    return (
        usage_principal.rsplit("/", 1)[-1] == role.name
        and arn_account(usage_principal) == arn_account(role.arn)
    )


def _resource_policies(snapshot: Snapshot) -> dict[str, dict[str, Any]]:
    return {
        repository.arn: repository.policy
        for repository in snapshot.ecr_repositories
        if repository.policy
    }


def generate_policy(
    snapshot: Snapshot,
    role: Role,
    usage: list[UsageRecord] | None = None,
    skipped: list[Skipped] | None = None,
    include_denied: bool = False,
    current_known: bool = True,
    notes: list[str] | None = None,
) -> Generated:
    """`current_known` False: the role's current policies are unknown, so the proof shows only
    that the policy is sufficient. Denied CloudTrail calls become needs only with
    `include_denied` (denials in build logs always do)."""
    needs = required_needs(snapshot, role.arn) + denied_needs(snapshot, role.arn)
    requested_denied: list[UsageRecord] = []
    for record in usage or []:
        if not _same_role(record.principal_arn, role):
            continue
        if record.denied and not include_denied:
            requested_denied.append(record)
            continue
        needs.append(replace(record.need(), principal_arn=role.arn))
    document = with_kept_denies(synthesize(needs), role)
    return Generated(
        role=role,
        needs=needs,
        document=document,
        proof=prove(role, document, needs, _resource_policies(snapshot), current_known),
        diff=diff_policies(role, document),
        skipped=list(skipped or []),
        requested_denied=sorted(requested_denied, key=lambda r: (r.action, r.resource)),
        notes=list(notes or []),
    )
