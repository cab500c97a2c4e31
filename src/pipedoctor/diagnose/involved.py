"""The principals and resources a finding involves, read from the facts its rule names."""

from __future__ import annotations

from typing import Any

from pipedoctor.diagnose.rules import Rule
from pipedoctor.diagnose.templates import fact_names
from pipedoctor.knowledge.arns import split_arn

# Facts that name who or what a finding is about even when the rule's text does not use them.
_ALWAYS = ["role.arn", "auth.role_arn", "auth.resource"]


def _is_principal(parts: tuple[str, str, str, str, str, str]) -> bool:
    _, _, service, _, _, resource = parts
    return (service == "iam" and resource.startswith("role/")) or (
        service == "sts" and resource.startswith("assumed-role/")
    )


def involved(rule: Rule, facts: dict[str, Any], resource: str) -> tuple[list[str], list[str]]:
    """(role ARNs, other resource ARNs) among the facts the rule's message, fix and policy name,
    and the finding's own resource; each once, in the order the rule names them."""
    principals: list[str] = []
    resources: list[str] = []
    values: list[Any] = [facts.get(name) for name in fact_names([rule.message, rule.fix_text, rule.fix_policy])]
    values += [facts.get(name) for name in _ALWAYS] + [resource]
    for value in values:
        for arn in value if isinstance(value, list) else [value]:
            # Only plain ARNs: a policy's key (`role-ARN#inline:name`) names its role through the
            # `role.arn` fact, and a described caller ("ARN (console: ...)") is not a resource.
            if not isinstance(arn, str) or "#" in arn or " " in arn or (parts := split_arn(arn)) is None:
                continue
            found = principals if _is_principal(parts) else resources
            if arn not in found:
                found.append(arn)
    return principals, resources
