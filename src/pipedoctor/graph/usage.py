"""Marks each action of a `can` edge as observed (CloudTrail), required (the pipeline's
configuration) or only granted."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from pipedoctor.graph.access import service_node
from pipedoctor.graph.inventory import Inventory
from pipedoctor.leastpriv.config_needs import required_needs
from pipedoctor.leastpriv.usage import Need, UsageRecord
from pipedoctor.model import Snapshot

if TYPE_CHECKING:
    from pipedoctor.graph.build import PermissionGraph

SUB_RESOURCE_SUFFIXES = ("/*", ":log-stream:*", ":*")


def _role_of(session_or_role: str, inventory: Inventory) -> str | None:
    """CloudTrail names sessions (`assumed-role/NAME/session`); map them to the role's ARN."""
    if session_or_role in inventory.principals:
        return session_or_role
    parts = session_or_role.split(":")
    if len(parts) < 6:
        return None
    account, resource = parts[4], parts[5]
    if resource.startswith("assumed-role/"):
        name = resource.split("/")[1]
        for principal in inventory.principals.values():
            if principal.kind == "role" and principal.name == name and principal.account == account:
                return principal.arn
    return None


def needs_for(
    snapshot: Snapshot | None, inventory: Inventory, usage: list[UsageRecord]
) -> list[Need]:
    needs: list[Need] = []
    if snapshot is not None:
        for role in snapshot.roles:
            needs += required_needs(snapshot, role.arn)
    for record in usage:
        if record.denied:
            continue
        role = _role_of(record.principal_arn, inventory)
        if role is not None:
            needs.append(replace(record.need(), principal_arn=role))
    return needs


def resource_of(arn: str, graph: PermissionGraph) -> str | None:
    if arn in graph.inventory.resources:
        return arn
    for suffix in SUB_RESOURCE_SUFFIXES:
        if arn.endswith(suffix) and arn[: -len(suffix)] in graph.inventory.resources:
            return arn[: -len(suffix)]
    return None


def _targets(need: Need, graph: PermissionGraph) -> list[str]:
    if need.resource == "*":
        return [service_node(need.action.split(":", 1)[0].lower())]
    resource = resource_of(need.resource, graph)
    if resource is None:
        return []
    return [resource, *graph.sets_of.get(resource, [])]


def annotate_usage(graph: PermissionGraph, needs: list[Need]) -> None:
    """Add `observed` and `required` action lists to the `can` edges the needs fall on."""
    edges = graph.graph
    for need in needs:
        if need.source not in ("observed", "required") or need.principal_arn not in edges:
            continue
        action = need.action.lower()
        for target in _targets(need, graph):
            data = edges.get_edge_data(need.principal_arn, target, key="can")
            if data is None or (
                target.startswith("set:") and need.resource in data.get("except", [])
            ):
                continue
            for granted in data["actions"]:
                if granted.lower() == action:
                    marked = data.setdefault(need.source, [])
                    if granted not in marked:
                        marked.append(granted)
                        marked.sort()
