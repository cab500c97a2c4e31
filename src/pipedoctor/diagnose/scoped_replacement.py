"""The scoped statements that replace a service-wide grant: what the pipeline's configuration
says the role uses of that service, as the least-privilege generator writes it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pipedoctor.leastpriv.config_needs import required_needs
from pipedoctor.leastpriv.synthesize import synthesize
from pipedoctor.model import Role, Snapshot


@dataclass
class Replacement:
    summary: str
    statements: list[dict[str, Any]] = field(default_factory=list)
    resources: list[str] = field(default_factory=list)  # what the configuration says the role uses


def replacement_for(snapshot: Snapshot, role: Role, service: str) -> Replacement:
    from pipedoctor.iam import load_catalog

    needs = [n for n in required_needs(snapshot, role.arn) if n.action.split(":", 1)[0].lower() == service]
    if not needs:
        return Replacement(
            f"the pipeline's configuration shows no use of {service} by {role.name}: the grant can go, "
            f"or be scoped to what CloudTrail shows (`pipedoctor policy generate --role {role.name} --cloudtrail DIR`)"
        )
    actions = sorted({need.action for need in needs})
    resources = sorted({need.resource for need in needs})
    total = len(load_catalog().actions_for_service(service))
    return Replacement(
        f"the pipeline's configuration uses {len(actions)} of the {total} {service} actions "
        f"({', '.join(actions)}) on {', '.join(resources)}",
        synthesize(needs)["Statement"],
        resources,
    )


def unproven_request(role: Role, statements: list[dict[str, Any]]) -> str | None:
    """None when every request `statements` allow is one the role's policies allow today, so the
    replacement grants nothing new; else the first request that could not be shown to be."""
    from pipedoctor.diagnose.evidence import role_decision
    from pipedoctor.iam import load_catalog

    catalog = load_catalog()
    for statement in statements:
        patterns = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
        for pattern in patterns:
            for action in catalog.expand(pattern) if "*" in pattern else [pattern]:
                for resource in resources:
                    if ("*" in resource and resource != "*") or (resource == "*" and catalog.supports_resource_level(action)):
                        return f"{action} on {resource} (a pattern: not proven request by request)"
                    if not role_decision(role, action, resource, identity_side_only=True).allowed:
                        return f"{action} on {resource}, which the role is not allowed today"
    return None
