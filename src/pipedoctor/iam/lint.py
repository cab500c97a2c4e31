"""Policy linting: grammar problems from the normal form plus checks against the catalog.

Severity: `error` (the policy is invalid or a grant can never work), `warning` (it works but is
broader than it looks: wildcard grants, public principals), `info` (could be scoped down).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pipedoctor.iam.catalog import Catalog
from pipedoctor.iam.conditions import _parse_date, _parse_network, _parse_number, parse_operator
from pipedoctor.iam.matching import has_wildcard
from pipedoctor.iam.normalize import Statement, normalize_policy
from pipedoctor.knowledge.arns import split_arn

SEVERITY_RANK = {"info": 0, "warning": 1, "error": 2}
POLICY_TYPES = ("auto", "identity", "resource", "trust", "scp", "rcp", "boundary", "session")
KNOWN_PARTITIONS = frozenset(
    {"aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-eusc"}
)
_PRINCIPAL_POLICY_TYPES = frozenset({"resource", "trust", "rcp"})


@dataclass(frozen=True, slots=True)
class LintFinding:
    code: str
    severity: str
    message: str
    pointer: str

    def to_dict(self) -> dict[str, str]:
        return {
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            "pointer": self.pointer,
        }


def _infer_type(statements: tuple[Statement, ...]) -> str:
    if any(statement.has_principal_element for statement in statements):
        return "resource"
    return "identity"


def _action_findings(
    statement: Statement, catalog: Catalog, element: str, values: tuple[str, ...]
) -> tuple[list[LintFinding], dict[int, list[str]]]:
    """Findings for Action/NotAction values and the known actions each value expands to."""
    findings: list[LintFinding] = []
    expanded: dict[int, list[str]] = {}
    for position, value in enumerate(values):
        pointer = f"{statement.pointer}/{element}" + (f"/{position}" if len(values) > 1 else "")
        if value == "*":
            expanded[position] = []
            continue
        prefix, sep, name = value.partition(":")
        if (
            not sep
            or not prefix
            or not name
            or value != value.strip()
            or " " in value
            or "," in value
        ):
            findings.append(
                LintFinding(
                    "E-ACTION-FORMAT",
                    "error",
                    f"{value!r} is not a valid action (expected 'service:Action', no spaces or commas)",
                    pointer,
                )
            )
            continue
        if not has_wildcard(prefix) and not catalog.service_exists(prefix):
            findings.append(
                LintFinding(
                    "E-UNKNOWN-SERVICE", "error", f"unknown service prefix {prefix!r}", pointer
                )
            )
            continue
        matches = catalog.expand(value)
        expanded[position] = matches
        if not matches:
            kind = "pattern matches no known action" if has_wildcard(value) else "unknown action"
            findings.append(LintFinding("E-UNKNOWN-ACTION", "error", f"{kind}: {value}", pointer))
    return findings, expanded


def _resource_findings(
    statement: Statement, element: str, values: tuple[str, ...]
) -> list[LintFinding]:
    findings: list[LintFinding] = []
    for position, value in enumerate(values):
        pointer = f"{statement.pointer}/{element}" + (f"/{position}" if len(values) > 1 else "")
        if value == "*":
            continue
        parts = split_arn(value)
        if parts is None:
            findings.append(
                LintFinding(
                    "E-ARN-FORMAT",
                    "error",
                    f"{value!r} is not an ARN (arn:partition:service:region:account:resource) or '*'",
                    pointer,
                )
            )
            continue
        partition, service = parts[1], parts[2]
        if (
            partition not in KNOWN_PARTITIONS
            and not has_wildcard(partition)
            and "${" not in partition
        ):
            findings.append(
                LintFinding("E-ARN-FORMAT", "error", f"unknown partition {partition!r}", pointer)
            )
        if not service:
            findings.append(
                LintFinding("E-ARN-FORMAT", "error", "ARN has an empty service segment", pointer)
            )
    return findings


def _mismatch_findings(
    statement: Statement, catalog: Catalog, expanded: dict[int, list[str]]
) -> list[LintFinding]:
    """Actions whose resource ARNs belong to another service than every listed resource."""
    resources = statement.resources or ()
    services: set[str] = set()
    for value in resources:
        parts = split_arn(value)
        if value == "*" or parts is None or has_wildcard(parts[2]) or "${" in parts[2]:
            return []  # some resource could fit any action
        services.add(parts[2].lower())
    if not services:
        return []
    findings: list[LintFinding] = []
    values = statement.actions or ()
    for position, matches in expanded.items():
        concrete = [action for action in matches if catalog.supports_resource_level(action)]
        if not concrete:
            continue
        accepted: set[str] = set()
        for action in concrete:
            accepted |= catalog.resource_services(action)
        if accepted and not (accepted & services):
            pointer = f"{statement.pointer}/Action" + (f"/{position}" if len(values) > 1 else "")
            findings.append(
                LintFinding(
                    "E-SERVICE-MISMATCH",
                    "error",
                    f"{values[position]} applies to {', '.join(sorted(accepted))} ARNs, but the "
                    f"statement's resources are {', '.join(sorted(services))} ARNs: it grants nothing",
                    pointer,
                )
            )
    return findings


def _condition_findings(statement: Statement) -> list[LintFinding]:
    findings: list[LintFinding] = []
    for entry in statement.conditions:
        parsed = parse_operator(entry.operator)
        operator_pointer = entry.pointer.rsplit("/", 1)[0]
        if parsed is None:
            findings.append(
                LintFinding(
                    "E-CONDITION-OPERATOR",
                    "error",
                    f"unknown condition operator {entry.operator!r}",
                    operator_pointer,
                )
            )
            continue
        checker = {
            "Bool": lambda v: v.lower() in ("true", "false"),
            "Null": lambda v: v.lower() in ("true", "false"),
            "IpAddress": lambda v: _parse_network(v) is not None,
            "NotIpAddress": lambda v: _parse_network(v) is not None,
        }.get(parsed.base)
        if checker is None and parsed.base.startswith("Numeric"):
            checker = lambda v: _parse_number(v) is not None
        if checker is None and parsed.base.startswith("Date"):
            checker = lambda v: _parse_date(v) is not None
        if checker is None:
            continue
        for value in entry.values:
            if "${" not in value and not checker(value):
                findings.append(
                    LintFinding(
                        "E-CONDITION-VALUE",
                        "error",
                        f"{value!r} is not a valid value for {parsed.base}",
                        entry.pointer,
                    )
                )
    return findings


def _wildcard_findings(
    statement: Statement, catalog: Catalog, expanded: dict[int, list[str]]
) -> list[LintFinding]:
    if not statement.is_allow:
        return []
    findings: list[LintFinding] = []
    if statement.not_actions is not None:
        findings.append(
            LintFinding(
                "W-ALLOW-NOT-ACTION",
                "warning",
                "Allow with NotAction grants every action not listed, including future ones",
                f"{statement.pointer}/NotAction",
            )
        )
    actions = statement.actions or ()
    for position, value in enumerate(actions):
        pointer = f"{statement.pointer}/Action" + (f"/{position}" if len(actions) > 1 else "")
        if value == "*":
            findings.append(
                LintFinding(
                    "W-WILDCARD-ACTION", "warning", "grants every action of every service", pointer
                )
            )
        elif value.endswith(":*"):
            findings.append(
                LintFinding(
                    "W-WILDCARD-ACTION", "warning", f"grants every {value[:-2]} action", pointer
                )
            )
    if statement.not_resources is not None:
        findings.append(
            LintFinding(
                "W-ALLOW-NOT-RESOURCE",
                "warning",
                "Allow with NotResource grants every resource not listed",
                f"{statement.pointer}/NotResource",
            )
        )
    resources = statement.resources or ()
    if "*" in resources:
        scoped = sorted(
            {
                action
                for matches in expanded.values()
                for action in matches
                if catalog.supports_resource_level(action)
            }
        )
        if scoped and all(value != "*" and not value.endswith(":*") for value in actions):
            sample = ", ".join(scoped[:3]) + (" ..." if len(scoped) > 3 else "")
            index = resources.index("*")
            findings.append(
                LintFinding(
                    "I-WILDCARD-RESOURCE",
                    "info",
                    f'"Resource": "*" for actions that accept specific resources ({sample})',
                    f"{statement.pointer}/Resource" + (f"/{index}" if len(resources) > 1 else ""),
                )
            )
    principals = statement.principals or {}
    public = "*" in principals or "*" in principals.get("AWS", ())
    if public and not statement.conditions:
        findings.append(
            LintFinding(
                "W-PUBLIC-PRINCIPAL",
                "warning",
                "allows any principal (public) without a condition",
                f"{statement.pointer}/Principal",
            )
        )
    return findings


def lint_policy(document: Any, catalog: Catalog, policy_type: str = "auto") -> list[LintFinding]:
    """Every finding for one policy document, in document order."""
    policy = normalize_policy(document)
    findings = [
        LintFinding(issue.code, issue.severity, issue.message, issue.pointer)
        for issue in policy.issues
    ]
    kind = _infer_type(policy.statements) if policy_type == "auto" else policy_type
    for statement in policy.statements:
        expanded: dict[int, list[str]] = {}
        if statement.actions is not None:
            action_findings, expanded = _action_findings(
                statement, catalog, "Action", statement.actions
            )
            findings += action_findings
        if statement.not_actions is not None:
            findings += _action_findings(statement, catalog, "NotAction", statement.not_actions)[0]
        if statement.resources is not None:
            findings += _resource_findings(statement, "Resource", statement.resources)
            findings += _mismatch_findings(statement, catalog, expanded)
        if statement.not_resources is not None:
            findings += _resource_findings(statement, "NotResource", statement.not_resources)
        needs_resource = kind not in ("trust",)
        if needs_resource and statement.resources is None and statement.not_resources is None:
            findings.append(
                LintFinding(
                    "E-NO-RESOURCE",
                    "error",
                    "statement has no Resource or NotResource",
                    statement.pointer,
                )
            )
        if kind in _PRINCIPAL_POLICY_TYPES and not statement.has_principal_element:
            findings.append(
                LintFinding(
                    "E-NO-PRINCIPAL",
                    "error",
                    f"a {kind} policy statement needs Principal or NotPrincipal",
                    statement.pointer,
                )
            )
        if kind not in _PRINCIPAL_POLICY_TYPES and statement.has_principal_element:
            element = "Principal" if statement.principals is not None else "NotPrincipal"
            findings.append(
                LintFinding(
                    "E-PRINCIPAL-NOT-ALLOWED",
                    "error",
                    f"{element} is not allowed in a {kind} policy",
                    f"{statement.pointer}/{element}",
                )
            )
        findings += _condition_findings(statement)
        findings += _wildcard_findings(statement, catalog, expanded)
    return findings


def unwrap_document(data: Any) -> Any:
    """The policy inside common AWS CLI response shapes (get-policy-version, get-role-policy,
    get-bucket-policy), or the data itself."""
    from pipedoctor.textparse import ParseError, parse_json

    if isinstance(data, dict):
        for path in (("PolicyVersion", "Document"), ("PolicyDocument",), ("Policy",)):
            node: Any = data
            for key in path:
                node = node.get(key) if isinstance(node, dict) else None
            if isinstance(node, str):
                try:
                    node = parse_json(node)
                except ParseError:
                    continue
            if isinstance(node, dict) and "Statement" in node:
                return node
    return data
