"""Needs -> one policy document: statements grouped by service and resource, under the size limit."""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from pipedoctor.iam import load_catalog
from pipedoctor.leastpriv.authorization_forms import granted_resources
from pipedoctor.leastpriv.globlang import covers
from pipedoctor.leastpriv.usage import Need

MANAGED_POLICY_LIMIT = 6144  # characters, white space not counted


def policy_size(document: dict[str, Any]) -> int:
    return len(json.dumps(document, separators=(",", ":")))


def policy_resources(need: Need) -> list[str]:
    """ARN-scoped where the action supports it, in the form AWS authorizes it
    (`authorization_forms`); "*" where it only takes "*"."""
    catalog = load_catalog()
    if need.resource == "*" or not catalog.supports_resource_level(need.action):
        return ["*"]
    return granted_resources(need.action, need.resource)


def without_redundant(resources: set[str]) -> set[str]:
    """Drops each resource another one already covers (`log-stream:x` beside `log-stream:*`)."""
    kept: set[str] = set()
    for resource in sorted(resources):
        if any(covers(other, resource) for other in kept):
            continue
        kept = {other for other in kept if not covers(resource, other)} | {resource}
    return kept


def _sid(service: str, index: int) -> str:
    words = "".join(part.capitalize() for part in service.replace("-", " ").split())
    return f"{words}Grant{index}"


def _statements(grouped: dict[tuple[str, frozenset[str]], set[str]]) -> list[dict[str, Any]]:
    statements = []
    counters: dict[str, int] = defaultdict(int)
    for (service, resources), actions in sorted(
        grouped.items(), key=lambda item: (item[0][0], sorted(item[0][1]))
    ):
        counters[service] += 1
        resource_list = sorted(resources)
        statements.append(
            {
                "Sid": _sid(service, counters[service]),
                "Effect": "Allow",
                "Action": sorted(actions),
                "Resource": resource_list[0] if len(resource_list) == 1 else resource_list,
            }
        )
    return statements


def _merge_into_wildcards(actions: set[str]) -> set[str]:
    """Replace runs of actions by `service:Prefix*` where the pattern adds no action outside them."""
    catalog = load_catalog()
    patterns: dict[str, set[str]] = {}
    for action in sorted(actions):
        service, name = action.split(":", 1)
        # Longest prefix first: the narrowest wildcard that still covers more than one action.
        for length in range(len(name) - 1, 2, -1):
            pattern = f"{service}:{name[:length]}*"
            expansion = set(catalog.expand(pattern))
            if len(expansion) > 1 and expansion <= actions:
                patterns[pattern] = expansion
                break
    kept = {
        pattern: covered
        for pattern, covered in patterns.items()
        if not any(other != pattern and covered < wider for other, wider in patterns.items())
    }
    covered_actions = set().union(*kept.values()) if kept else set()
    return (actions - covered_actions) | set(kept)


def synthesize(needs: list[Need], limit: int = MANAGED_POLICY_LIMIT) -> dict[str, Any]:
    """The smallest faithful policy: one statement per (service, resource set) of actions."""
    by_action: dict[str, set[str]] = defaultdict(set)
    for need in needs:
        by_action[need.action].update(policy_resources(need))
    grouped: dict[tuple[str, frozenset[str]], set[str]] = defaultdict(set)
    for action, resources in by_action.items():
        resources = {"*"} if "*" in resources else without_redundant(resources)
        grouped[(action.split(":", 1)[0], frozenset(resources))].add(action)
    document = {"Version": "2012-10-17", "Statement": _statements(grouped)}
    if policy_size(document) > limit:
        grouped = {key: _merge_into_wildcards(actions) for key, actions in grouped.items()}
        document = {"Version": "2012-10-17", "Statement": _statements(grouped)}
    return document
