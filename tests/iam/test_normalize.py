from __future__ import annotations

from pipedoctor.iam import normalize_policy


def test_single_values_and_lists_share_one_form() -> None:
    single = normalize_policy(
        {
            "Version": "2012-10-17",
            "Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
        }
    )
    listed = normalize_policy(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": ["*"]}],
        }
    )
    assert single.statements[0].actions == listed.statements[0].actions == ("s3:GetObject",)
    assert single.statements[0].pointer == "/Statement"
    assert listed.statements[0].pointer == "/Statement/0"
    assert single.issues == listed.issues == []


def test_principals_conditions_and_negated_elements() -> None:
    policy = normalize_policy(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Deny",
                    "NotPrincipal": {"AWS": ["arn:aws:iam::111122223333:root"]},
                    "NotAction": "s3:*",
                    "NotResource": "arn:aws:s3:::b",
                    "Condition": {
                        "Bool": {"aws:SecureTransport": False},
                        "NumericLessThan": {"k": 3},
                    },
                },
                {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"},
            ],
        }
    )
    deny, allow = policy.statements
    assert deny.not_principals == {"AWS": ("arn:aws:iam::111122223333:root",)}
    assert deny.not_actions == ("s3:*",) and deny.not_resources == ("arn:aws:s3:::b",)
    assert [(c.operator, c.key, c.values) for c in deny.conditions] == [
        ("Bool", "aws:SecureTransport", ("false",)),
        ("NumericLessThan", "k", ("3",)),
    ]
    assert allow.principals == {"*": ("*",)}


def test_grammar_problems_are_reported_with_pointers() -> None:
    policy = normalize_policy(
        {
            "Version": "2013-01-01",
            "Statement": [
                {"Sid": "A", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
                {"Sid": "A", "Effect": "Permit", "Action": "s3:GetObject", "NotAction": "s3:Put*"},
                {},
            ],
        }
    )
    found = {(issue.code, issue.pointer) for issue in policy.issues}
    assert ("E-VERSION", "/Version") in found
    assert ("E-DUPLICATE-SID", "/Statement/1/Sid") in found
    assert ("E-EFFECT", "/Statement/1/Effect") in found
    assert ("E-BOTH", "/Statement/1/NotAction") in found
    assert ("E-EMPTY-STATEMENT", "/Statement/2") in found


def test_missing_version_disables_variables() -> None:
    assert not normalize_policy({"Statement": []}).variables_enabled
    assert normalize_policy({"Version": "2012-10-17", "Statement": []}).variables_enabled
