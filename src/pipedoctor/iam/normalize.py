"""One normal form for every kind of policy document (identity, resource, trust, SCP, RCP,
permission boundary, session): single values become tuples, each statement keeps its JSON
pointer, and grammar problems met on the way are collected as issues instead of raised."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

VALID_VERSIONS = ("2012-10-17", "2008-10-17")
STATEMENT_KEYS = frozenset(
    {
        "Sid",
        "Effect",
        "Principal",
        "NotPrincipal",
        "Action",
        "NotAction",
        "Resource",
        "NotResource",
        "Condition",
    }
)


@dataclass(frozen=True, slots=True)
class Issue:
    """A grammar problem with its JSON-pointer location inside the document."""

    code: str
    severity: str  # "error" | "warning" | "info"
    message: str
    pointer: str


@dataclass(frozen=True, slots=True)
class ConditionEntry:
    operator: str  # as written, e.g. "ForAnyValue:StringLikeIfExists"
    key: str
    values: tuple[str, ...]
    pointer: str


@dataclass(frozen=True, slots=True)
class Statement:
    index: int
    pointer: str
    sid: str | None
    effect: str
    actions: tuple[str, ...] | None = None
    not_actions: tuple[str, ...] | None = None
    resources: tuple[str, ...] | None = None
    not_resources: tuple[str, ...] | None = None
    # {"AWS": (...), "Service": (...), ...}; the bare string "*" becomes {"*": ("*",)}
    principals: dict[str, tuple[str, ...]] | None = None
    not_principals: dict[str, tuple[str, ...]] | None = None
    conditions: tuple[ConditionEntry, ...] = ()

    @property
    def is_allow(self) -> bool:
        return self.effect == "Allow"

    @property
    def has_principal_element(self) -> bool:
        return self.principals is not None or self.not_principals is not None


@dataclass(slots=True)
class Policy:
    version: str | None
    policy_id: str | None
    statements: tuple[Statement, ...]
    issues: list[Issue] = field(default_factory=list)

    @property
    def variables_enabled(self) -> bool:
        """Policy variables (`${aws:username}`) only exist in version 2012-10-17."""
        return self.version == "2012-10-17"


def scalar_to_string(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _string_list(
    value: Any, pointer: str, element: str, issues: list[Issue]
) -> tuple[str, ...] | None:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list):
        result: list[str] = []
        for position, item in enumerate(value):
            if isinstance(item, str):
                result.append(item)
            else:
                issues.append(
                    Issue(
                        "E-TYPE",
                        "error",
                        f"{element} entries must be strings",
                        f"{pointer}/{position}",
                    )
                )
        if not result:
            issues.append(Issue("E-EMPTY", "error", f"{element} is an empty list", pointer))
        return tuple(result)
    issues.append(Issue("E-TYPE", "error", f"{element} must be a string or a list", pointer))
    return None


def _principal_block(
    value: Any, pointer: str, element: str, issues: list[Issue]
) -> dict[str, tuple[str, ...]] | None:
    if value == "*":
        return {"*": ("*",)}
    if isinstance(value, str):
        # Not valid JSON policy grammar, but seen in the wild: treat as an AWS principal.
        issues.append(
            Issue(
                "E-PRINCIPAL",
                "warning",
                f'{element} should be "*" or an object such as {{"AWS": ...}}',
                pointer,
            )
        )
        return {"AWS": (value,)}
    if not isinstance(value, dict):
        issues.append(Issue("E-TYPE", "error", f'{element} must be "*" or an object', pointer))
        return None
    block: dict[str, tuple[str, ...]] = {}
    for kind, entries in value.items():
        child = f"{pointer}/{escape_pointer(str(kind))}"
        if kind not in ("AWS", "Service", "Federated", "CanonicalUser"):
            issues.append(Issue("E-PRINCIPAL", "error", f"unknown principal type {kind!r}", child))
        if isinstance(entries, (str, int)):
            block[str(kind)] = (scalar_to_string(entries),)
        elif isinstance(entries, list):
            block[str(kind)] = tuple(scalar_to_string(item) for item in entries)
        else:
            issues.append(Issue("E-TYPE", "error", "principal values must be strings", child))
    return block


def escape_pointer(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def _conditions(value: Any, pointer: str, issues: list[Issue]) -> tuple[ConditionEntry, ...]:
    if not isinstance(value, dict):
        issues.append(Issue("E-TYPE", "error", "Condition must be an object", pointer))
        return ()
    entries: list[ConditionEntry] = []
    for operator, block in value.items():
        op_pointer = f"{pointer}/{escape_pointer(str(operator))}"
        if not isinstance(block, dict):
            issues.append(
                Issue(
                    "E-TYPE",
                    "error",
                    "a condition operator needs a {key: values} object",
                    op_pointer,
                )
            )
            continue
        for key, raw in block.items():
            key_pointer = f"{op_pointer}/{escape_pointer(str(key))}"
            if isinstance(raw, list):
                values = tuple(scalar_to_string(item) for item in raw)
            elif isinstance(raw, (dict,)) or raw is None:
                issues.append(
                    Issue("E-TYPE", "error", "condition values must be scalars", key_pointer)
                )
                continue
            else:
                values = (scalar_to_string(raw),)
            entries.append(ConditionEntry(str(operator), str(key), values, key_pointer))
    return tuple(entries)


def _statement(raw: Any, index: int, pointer: str, issues: list[Issue]) -> Statement | None:
    if not isinstance(raw, dict):
        issues.append(Issue("E-STATEMENT", "error", "a statement must be an object", pointer))
        return None
    if not raw:
        issues.append(Issue("E-EMPTY-STATEMENT", "error", "empty statement", pointer))
        return None
    for key in raw:
        if key not in STATEMENT_KEYS:
            issues.append(
                Issue(
                    "E-UNKNOWN-ELEMENT",
                    "error",
                    f"unknown statement element {key!r}",
                    f"{pointer}/{escape_pointer(str(key))}",
                )
            )
    sid = raw.get("Sid")
    if sid is not None and not isinstance(sid, str):
        issues.append(Issue("E-TYPE", "error", "Sid must be a string", f"{pointer}/Sid"))
        sid = str(sid)
    effect = raw.get("Effect")
    if effect not in ("Allow", "Deny"):
        issues.append(
            Issue(
                "E-EFFECT",
                "error",
                'Effect must be "Allow" or "Deny"' + (f", not {effect!r}" if effect else ""),
                f"{pointer}/Effect",
            )
        )
        effect = str(effect) if effect is not None else ""
    pairs = (("Action", "NotAction"), ("Resource", "NotResource"), ("Principal", "NotPrincipal"))
    for positive, negative in pairs:
        if positive in raw and negative in raw:
            issues.append(
                Issue(
                    "E-BOTH",
                    "error",
                    f"a statement cannot have both {positive} and {negative}",
                    f"{pointer}/{negative}",
                )
            )
    if "Action" not in raw and "NotAction" not in raw:
        issues.append(
            Issue("E-NO-ACTION", "error", "statement has no Action or NotAction", pointer)
        )

    def strings(name: str) -> tuple[str, ...] | None:
        if name not in raw:
            return None
        return _string_list(raw[name], f"{pointer}/{name}", name, issues)

    def principals(name: str) -> dict[str, tuple[str, ...]] | None:
        if name not in raw:
            return None
        return _principal_block(raw[name], f"{pointer}/{name}", name, issues)

    return Statement(
        index=index,
        pointer=pointer,
        sid=sid,
        effect=str(effect),
        actions=strings("Action"),
        not_actions=strings("NotAction"),
        resources=strings("Resource"),
        not_resources=strings("NotResource"),
        principals=principals("Principal"),
        not_principals=principals("NotPrincipal"),
        conditions=_conditions(raw["Condition"], f"{pointer}/Condition", issues)
        if "Condition" in raw
        else (),
    )


def normalize_policy(document: Any) -> Policy:
    """Parse any policy document into the normal form; never raises on bad grammar."""
    issues: list[Issue] = []
    if not isinstance(document, dict):
        issues.append(Issue("E-DOCUMENT", "error", "a policy document must be a JSON object", ""))
        return Policy(None, None, (), issues)
    for key in document:
        if key not in ("Version", "Id", "Statement"):
            issues.append(
                Issue(
                    "E-UNKNOWN-ELEMENT",
                    "error",
                    f"unknown policy element {key!r}",
                    f"/{escape_pointer(str(key))}",
                )
            )
    version = document.get("Version")
    if version is None:
        issues.append(
            Issue(
                "W-NO-VERSION",
                "warning",
                'no Version: defaults to "2008-10-17", which disables policy variables',
                "",
            )
        )
    elif version not in VALID_VERSIONS:
        issues.append(
            Issue(
                "E-VERSION",
                "error",
                f"Version must be 2012-10-17 or 2008-10-17, not {version!r}",
                "/Version",
            )
        )
    policy_id = document.get("Id")
    raw_statements = document.get("Statement")
    statements: list[Statement] = []
    if raw_statements is None:
        issues.append(Issue("E-NO-STATEMENT", "error", "policy has no Statement", ""))
    elif isinstance(raw_statements, dict):
        statement = _statement(raw_statements, 0, "/Statement", issues)
        if statement is not None:
            statements.append(statement)
    elif isinstance(raw_statements, list):
        if not raw_statements:
            issues.append(Issue("E-EMPTY", "warning", "Statement is an empty list", "/Statement"))
        for index, raw in enumerate(raw_statements):
            statement = _statement(raw, index, f"/Statement/{index}", issues)
            if statement is not None:
                statements.append(statement)
    else:
        issues.append(
            Issue("E-TYPE", "error", "Statement must be an object or a list", "/Statement")
        )
    seen_sids: dict[str, str] = {}
    for statement in statements:
        if statement.sid:
            if statement.sid in seen_sids:
                issues.append(
                    Issue(
                        "E-DUPLICATE-SID",
                        "error",
                        f"duplicate Sid {statement.sid!r} (first at {seen_sids[statement.sid]})",
                        f"{statement.pointer}/Sid",
                    )
                )
            else:
                seen_sids[statement.sid] = statement.pointer
    return Policy(
        version=str(version) if version is not None else None,
        policy_id=str(policy_id) if policy_id is not None else None,
        statements=tuple(statements),
        issues=issues,
    )
