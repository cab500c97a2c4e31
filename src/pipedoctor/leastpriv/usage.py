"""One shape for every usage source: what a principal did (or must be able to do), and where from."""

from __future__ import annotations

from dataclasses import dataclass, field

# Where a need comes from. "observed": CloudTrail; "required": the pipeline's configuration says
# so even if no log shows it; "denied": a denial in a build log or phase context.
SOURCES = ("observed", "required", "denied")


@dataclass(frozen=True)
class Need:
    """A (principal, action, resource) the new policy must allow."""

    principal_arn: str  # the role ARN (sessions already mapped back to their role)
    action: str  # "service:Action" in the catalog's canonical case
    resource: str  # an ARN, or "*" for actions that take no resource
    source: str  # one of SOURCES
    reason: str = ""  # why: "docker push in buildspec.yml", "CloudTrail PutImage x42" ...


@dataclass
class UsageRecord:
    """Aggregated observed use: count and first/last time seen."""

    principal_arn: str
    action: str
    resource: str
    count: int
    first_seen: str  # ISO 8601
    last_seen: str
    # True: CloudTrail shows these calls denied (AccessDenied ...): a need the principal lacks.
    denied: bool = False

    def need(self) -> Need:
        source, calls = ("denied", "denied call(s)") if self.denied else ("observed", "call(s)")
        return Need(
            self.principal_arn,
            self.action,
            self.resource,
            source,
            f"CloudTrail, {self.count} {calls}",
        )


@dataclass
class Skipped:
    """Input that could not be turned into usage, and why (never dropped silently)."""

    reason: str
    count: int = 1
    examples: list[str] = field(default_factory=list)
