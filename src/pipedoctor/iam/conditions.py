"""Condition operators: parsing once, evaluation per request.

Rules implemented (IAM User Guide, "Condition operators" and "multivalued context keys"):
- keys are case-insensitive; several values for one key are OR-ed, several keys and operators AND-ed;
- a missing key makes a positive operator false and a negated one (`StringNotEquals`, `ArnNotLike`,
  `NotIpAddress`, ...) true; `...IfExists` makes any operator true when the key is missing;
- `ForAllValues:` is true when every request value matches (and when the key is missing or empty),
  `ForAnyValue:` when at least one does (false when missing);
- `Null` tests presence: `"true"` means the key is absent (an empty value counts as absent).
"""

from __future__ import annotations

import base64
import ipaddress
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache

from pipedoctor.iam.matching import compile_arn_glob, compile_glob
from pipedoctor.iam.normalize import ConditionEntry
from pipedoctor.iam.variables import Context, has_variables, substitute_glob_regex, substitute_text

Matcher = Callable[[str, str], bool]


def _parse_number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


@lru_cache(maxsize=4096)
def _parse_date(text: str) -> float | None:
    text = text.strip()
    number = _parse_number(text)
    if number is not None:
        return number
    candidate = text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text
    try:
        parsed = datetime.fromisoformat(candidate)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.timestamp()


@lru_cache(maxsize=4096)
def _parse_network(text: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    try:
        return ipaddress.ip_network(text.strip(), strict=False)
    except ValueError:
        return None


def _numeric(compare: Callable[[float, float], bool]) -> Matcher:
    def match(value: str, policy: str) -> bool:
        left, right = _parse_number(value), _parse_number(policy)
        return left is not None and right is not None and compare(left, right)

    return match


def _date(compare: Callable[[float, float], bool]) -> Matcher:
    def match(value: str, policy: str) -> bool:
        left, right = _parse_date(value), _parse_date(policy)
        return left is not None and right is not None and compare(left, right)

    return match


def _string_equals(value: str, policy: str) -> bool:
    return value == policy


def _string_equals_ignore_case(value: str, policy: str) -> bool:
    return value.casefold() == policy.casefold()


def _string_like(value: str, policy: str) -> bool:
    return compile_glob(policy).fullmatch(value) is not None


def _bool(value: str, policy: str) -> bool:
    return (value.strip().lower() == "true") == (policy.strip().lower() == "true")


def _binary(value: str, policy: str) -> bool:
    try:
        return base64.b64decode(value, validate=False) == base64.b64decode(policy, validate=False)
    except ValueError:
        return value == policy


def _ip(value: str, policy: str) -> bool:
    network = _parse_network(policy)
    try:
        address = ipaddress.ip_address(value.strip().split("/")[0])
    except ValueError:
        return False
    return network is not None and address.version == network.version and address in network


def _arn_like(value: str, policy: str) -> bool:
    return compile_arn_glob(policy).fullmatch(value) is not None


# base operator -> (matcher, negated, wildcard-capable)
OPERATORS: dict[str, tuple[Matcher, bool, bool]] = {
    "StringEquals": (_string_equals, False, False),
    "StringNotEquals": (_string_equals, True, False),
    "StringEqualsIgnoreCase": (_string_equals_ignore_case, False, False),
    "StringNotEqualsIgnoreCase": (_string_equals_ignore_case, True, False),
    "StringLike": (_string_like, False, True),
    "StringNotLike": (_string_like, True, True),
    "NumericEquals": (_numeric(lambda a, b: a == b), False, False),
    "NumericNotEquals": (_numeric(lambda a, b: a == b), True, False),
    "NumericLessThan": (_numeric(lambda a, b: a < b), False, False),
    "NumericLessThanEquals": (_numeric(lambda a, b: a <= b), False, False),
    "NumericGreaterThan": (_numeric(lambda a, b: a > b), False, False),
    "NumericGreaterThanEquals": (_numeric(lambda a, b: a >= b), False, False),
    "DateEquals": (_date(lambda a, b: a == b), False, False),
    "DateNotEquals": (_date(lambda a, b: a == b), True, False),
    "DateLessThan": (_date(lambda a, b: a < b), False, False),
    "DateLessThanEquals": (_date(lambda a, b: a <= b), False, False),
    "DateGreaterThan": (_date(lambda a, b: a > b), False, False),
    "DateGreaterThanEquals": (_date(lambda a, b: a >= b), False, False),
    "Bool": (_bool, False, False),
    "BinaryEquals": (_binary, False, False),
    "IpAddress": (_ip, False, False),
    "NotIpAddress": (_ip, True, False),
    "ArnEquals": (_arn_like, False, True),
    "ArnLike": (_arn_like, False, True),
    "ArnNotEquals": (_arn_like, True, True),
    "ArnNotLike": (_arn_like, True, True),
}


@dataclass(frozen=True, slots=True)
class ParsedOperator:
    base: str
    set_mode: str | None  # "ForAllValues" | "ForAnyValue" | None
    if_exists: bool


@lru_cache(maxsize=1024)
def parse_operator(operator: str) -> ParsedOperator | None:
    """Split `ForAnyValue:StringLikeIfExists` into its parts; None when unknown."""
    set_mode: str | None = None
    name = operator
    if ":" in name:
        qualifier, _, name = name.partition(":")
        if qualifier not in ("ForAllValues", "ForAnyValue"):
            return None
        set_mode = qualifier
    if_exists = False
    if name.endswith("IfExists"):
        if_exists = True
        name = name[: -len("IfExists")]
    if name == "Null":
        if if_exists:
            return None
        return ParsedOperator("Null", set_mode, False)
    if name not in OPERATORS:
        return None
    return ParsedOperator(name, set_mode, if_exists)


@dataclass(frozen=True, slots=True)
class ConditionTest:
    """One (operator, key) pair of a statement's Condition block, ready to evaluate."""

    entry: ConditionEntry
    key: str  # lower case
    operator: ParsedOperator | None  # None: unknown operator, never true
    values: tuple[str, ...]
    uses_variables: bool
    # Fast path for the most common operators: 1 = StringEquals/StringNotEquals, 2 = Bool.
    fast_kind: int = 0
    fast_values: frozenset[str] = frozenset()

    def _policy_values(self, context: Context) -> list[str]:
        if not self.uses_variables:
            return list(self.values)
        resolved: list[str] = []
        for value in self.values:
            if has_variables(value):
                text = substitute_text(value, context)
                if text is not None:
                    resolved.append(text)
            else:
                resolved.append(value)
        return resolved

    def evaluate(self, context: Context) -> bool:
        operator = self.operator
        if operator is None:
            return False
        present = context.get(self.key)
        if operator.base == "Null":
            return self._evaluate_null(present)
        if present is None:
            if operator.if_exists or operator.set_mode == "ForAllValues":
                return True
            if operator.set_mode == "ForAnyValue":
                return False
            return OPERATORS[operator.base][1]
        fast = self.fast_kind
        if fast:
            values = self.fast_values
            if fast == 1:
                if operator.base == "StringEquals":
                    return any(value in values for value in present)
                return not any(value in values for value in present)
            return any(
                ("true" if value.lower() == "true" else "false") in values for value in present
            )
        matcher, negated, _ = OPERATORS[operator.base]
        policy_values = self._policy_values(context)
        if self.uses_variables and operator.base in (
            "StringLike",
            "StringNotLike",
            "ArnLike",
            "ArnNotLike",
        ):
            is_arn = operator.base.startswith("Arn")
            sources = [substitute_glob_regex(v, context, arn=is_arn) for v in self.values]
            compiled = [re.compile(s, re.DOTALL) for s in sources if s is not None]

            def single(value: str) -> bool:
                return any(pattern.fullmatch(value) for pattern in compiled)

        else:

            def single(value: str) -> bool:
                return any(matcher(value, policy) for policy in policy_values)

        arn_operator = operator.base.startswith("Arn")

        def outcome(value: str) -> bool:
            # A value that is not an ARN satisfies no Arn operator, negated or not.
            if arn_operator and not value.startswith("arn:"):
                return False
            return single(value) != negated

        if operator.set_mode == "ForAllValues":
            if not present:
                return True
            return all(outcome(value) for value in present)
        if operator.set_mode == "ForAnyValue":
            return any(outcome(value) for value in present)
        if negated:
            return all(outcome(value) for value in present)
        return any(outcome(value) for value in present)

    def _evaluate_null(self, present: list[str] | None) -> bool:
        values = [value for value in (present or []) if value != ""]
        wants = {value.strip().lower() for value in self.values}
        if self.operator is not None and self.operator.set_mode is not None:
            if not values:
                return self.operator.set_mode == "ForAllValues"
            return "false" in wants
        return ("true" in wants) if not values else ("false" in wants)


def _compile_one(entry: ConditionEntry, variables: bool) -> ConditionTest:
    operator = parse_operator(entry.operator)
    uses_variables = variables and any(has_variables(value) for value in entry.values)
    fast_kind = 0
    fast_values: frozenset[str] = frozenset()
    if operator is not None and operator.set_mode is None and not uses_variables:
        if operator.base in ("StringEquals", "StringNotEquals"):
            fast_kind, fast_values = 1, frozenset(entry.values)
        elif operator.base == "Bool":
            fast_kind = 2
            fast_values = frozenset(
                "true" if value.strip().lower() == "true" else "false" for value in entry.values
            )
    return ConditionTest(
        entry=entry,
        key=entry.key.lower(),
        operator=operator,
        values=entry.values,
        uses_variables=uses_variables,
        fast_kind=fast_kind,
        fast_values=fast_values,
    )


def compile_conditions(
    entries: tuple[ConditionEntry, ...], variables: bool
) -> tuple[ConditionTest, ...]:
    return tuple(_compile_one(entry, variables) for entry in entries)
