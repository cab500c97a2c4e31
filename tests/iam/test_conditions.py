"""Condition operators, written from the IAM User Guide's condition-operator pages."""

from __future__ import annotations

from typing import Any

import pytest

from pipedoctor.iam.conditions import compile_conditions, parse_operator
from pipedoctor.iam.normalize import ConditionEntry


def holds(operator: str, key: str, values: Any, context: dict[str, Any]) -> bool:
    policy_values = tuple(values) if isinstance(values, list) else (values,)
    (test,) = compile_conditions(
        (ConditionEntry(operator, key, policy_values, ""),), variables=True
    )
    normal = {k.lower(): (v if isinstance(v, list) else [v]) for k, v in context.items()}
    return test.evaluate(normal)


@pytest.mark.parametrize(
    ("operator", "policy", "value", "expected"),
    [
        ("StringEquals", "prod", "prod", True),
        ("StringEquals", "prod", "Prod", False),
        ("StringNotEquals", "prod", "dev", True),
        ("StringEqualsIgnoreCase", "prod", "PROD", True),
        ("StringNotEqualsIgnoreCase", "prod", "PROD", False),
        ("StringLike", "home/*/docs?", "home/alice/docs1", True),
        ("StringNotLike", "home/*", "tmp/x", True),
        ("NumericLessThan", "10", "9.5", True),
        ("NumericGreaterThanEquals", "10", "10", True),
        ("NumericNotEquals", "10", "10", False),
        ("NumericEquals", "10", "ten", False),
        ("DateLessThan", "2024-01-01T00:00:00Z", "2023-12-31T23:59:59Z", True),
        ("DateGreaterThan", "2024-01-01T00:00:00Z", "1704067201", True),
        ("DateNotEquals", "2024-01-01T00:00:00Z", "2024-01-01T00:00:00+00:00", False),
        ("Bool", "true", "TRUE", True),
        ("Bool", "false", "true", False),
        ("BinaryEquals", "QmluYXJ5", "QmluYXJ5", True),
        ("IpAddress", "203.0.113.0/24", "203.0.113.7", True),
        ("NotIpAddress", "203.0.113.0/24", "198.51.100.1", True),
        ("IpAddress", "2001:db8::/32", "2001:db8::1", True),
        ("ArnLike", "arn:aws:iam::*:role/build-*", "arn:aws:iam::111122223333:role/build-x", True),
        (
            "ArnEquals",
            "arn:aws:iam::111122223333:role/a",
            "arn:aws:iam::111122223333:role/b",
            False,
        ),
        ("ArnNotLike", "arn:aws:iam::*:role/a", "not-an-arn", False),
    ],
)
def test_typed_operators(operator: str, policy: str, value: str, expected: bool) -> None:
    assert holds(operator, "k", policy, {"k": value}) is expected


def test_keys_are_case_insensitive_and_values_are_ored() -> None:
    assert holds(
        "StringEquals", "aws:PrincipalTag/Team", ["red", "blue"], {"AWS:principaltag/team": "blue"}
    )


def test_missing_key_positive_false_negated_true_ifexists_true() -> None:
    assert not holds("StringEquals", "k", "v", {})
    assert holds("StringNotEquals", "k", "v", {})
    assert holds("StringEqualsIfExists", "k", "v", {})
    assert not holds("StringEqualsIfExists", "k", "v", {"k": "other"})


def test_set_operators() -> None:
    allowed = ["a", "b"]
    assert holds("ForAllValues:StringEquals", "k", allowed, {"k": ["a", "b"]})
    assert not holds("ForAllValues:StringEquals", "k", allowed, {"k": ["a", "c"]})
    assert holds("ForAllValues:StringEquals", "k", allowed, {})  # vacuously true
    assert holds("ForAnyValue:StringEquals", "k", allowed, {"k": ["c", "b"]})
    assert not holds("ForAnyValue:StringEquals", "k", allowed, {})
    assert holds("ForAnyValue:StringNotEquals", "k", allowed, {"k": ["a", "z"]})


def test_null_checks_presence() -> None:
    assert holds("Null", "k", "true", {})
    assert not holds("Null", "k", "true", {"k": "x"})
    assert holds("Null", "k", "false", {"k": "x"})
    assert holds("Null", "k", "true", {"k": ""})


def test_policy_variables_in_condition_values() -> None:
    assert holds(
        "StringEquals",
        "s3:prefix",
        "home/${aws:username}/",
        {"s3:prefix": "home/ann/", "aws:username": "ann"},
    )
    assert not holds(
        "StringLike",
        "s3:prefix",
        "home/${aws:username}/*",
        {"s3:prefix": "home/bob/x", "aws:username": "ann"},
    )
    # The substituted value is literal even inside a Like operator.
    assert not holds("StringLike", "k", "${v}", {"k": "anything", "v": "*"})


def test_unknown_operators_are_rejected() -> None:
    assert parse_operator("StringEqualz") is None
    assert parse_operator("NullIfExists") is None
    assert parse_operator("ForSomeValues:StringEquals") is None
    assert not holds("StringEqualz", "k", "v", {"k": "v"})
