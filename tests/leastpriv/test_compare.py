"""The exact comparison of what two policy sets allow, checked against the IAM evaluator."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipedoctor.leastpriv.compare import AccessSide, compare, replays

ROLE = "arn:aws:iam::123456789012:role/r"
BUCKET = "arn:aws:s3:::bucket"


def doc(*statements: dict) -> dict:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(actions, resource, key: str = "Resource") -> dict:
    return {"Effect": "Allow", "Action": actions, key: resource}


def deny(actions, resource, key: str = "Resource") -> dict:
    return {"Effect": "Deny", "Action": actions, key: resource}


OBJECT_ACTIONS = ["s3:GetObject", "s3:PutObject"]


def test_a_narrower_deny_in_the_old_policies_is_new_access_with_a_replaying_counterexample() -> (
    None
):
    old = AccessSide(
        [doc(allow(OBJECT_ACTIONS, f"{BUCKET}/*"), deny(OBJECT_ACTIONS, f"{BUCKET}/prod/*"))]
    )
    new = AccessSide([doc(allow(OBJECT_ACTIONS, f"{BUCKET}/*"))])
    comparison = compare(old, new)
    (example,) = comparison.new_access
    assert example.action in OBJECT_ACTIONS and example.alike == 1
    assert example.resource.startswith(f"{BUCKET}/prod/")
    assert replays(example, ROLE, old, new)
    assert compare(new, old).no_new_access


def test_not_resource_and_not_action_are_complements() -> None:
    old = AccessSide([doc(allow(OBJECT_ACTIONS, f"{BUCKET}/prod/*", key="NotResource"))])
    new = AccessSide([doc(allow(OBJECT_ACTIONS, f"{BUCKET}/*"))])
    (example,) = compare(old, new).new_access
    assert example.action in OBJECT_ACTIONS and example.alike == 1
    assert example.resource.startswith(f"{BUCKET}/prod/")
    assert replays(example, ROLE, old, new)
    everything_but_put = AccessSide(
        [doc({"Effect": "Allow", "NotAction": "s3:PutObject", "Resource": "*"})]
    )
    only_get = AccessSide([doc(allow("s3:GetObject", f"{BUCKET}/*"))])
    assert compare(everything_but_put, only_get).no_new_access
    put = AccessSide([doc(allow("s3:PutObject", f"{BUCKET}/*"))])
    (example,) = compare(everything_but_put, put).new_access
    assert example.action == "s3:PutObject" and replays(example, ROLE, everything_but_put, put)


def test_the_boundary_limits_both_sides_and_a_boundary_deny_counts() -> None:
    boundary = doc(allow("s3:*", "*"), deny("s3:PutObject", f"{BUCKET}/locked/*"))
    old = AccessSide([doc(allow("s3:GetObject", "*"))], [boundary])
    new = AccessSide(
        [doc(allow(["s3:GetObject", "s3:PutObject", "ecr:PutImage"], "*"))], [boundary]
    )
    examples = compare(old, new).new_access
    assert {e.action for e in examples} == {"s3:PutObject"}  # ecr is outside the boundary
    assert not examples[0].resource.startswith(f"{BUCKET}/locked/")
    assert replays(examples[0], ROLE, old, new)


def test_segment_wildcards_stay_in_their_segment() -> None:
    # `*` in the region segment cannot swallow colons; in the resource part it can.
    old = AccessSide(
        [doc(allow("logs:PutLogEvents", "arn:aws:logs:*:123456789012:log-group:app:*"))]
    )
    new = AccessSide(
        [
            doc(
                allow(
                    "logs:PutLogEvents",
                    "arn:aws:logs:eu-west-2:123456789012:log-group:app:log-stream:*",
                )
            )
        ]
    )
    assert compare(old, new).no_new_access
    examples = compare(new, old).new_access
    assert examples and all(replays(e, ROLE, new, old) for e in examples)


def test_wildcard_only_actions_are_compared_on_the_literal_star() -> None:
    old = AccessSide([doc(allow("ecr:GetAuthorizationToken", "arn:aws:ecr:*"))])
    new = AccessSide([doc(allow("ecr:GetAuthorizationToken", "*"))])
    (example,) = compare(old, new).new_access
    assert example.resource == "*" and replays(example, ROLE, old, new)


def test_a_condition_is_a_free_value_the_same_on_both_sides() -> None:
    condition = {"StringEquals": {"aws:RequestedRegion": "eu-west-2"}}
    conditional = AccessSide([doc({**allow("s3:GetObject", "*"), "Condition": condition})])
    unconditional = AccessSide([doc(allow("s3:GetObject", "*"))])
    assert compare(conditional, conditional).no_new_access
    assert compare(unconditional, conditional).no_new_access
    (example,) = compare(conditional, unconditional).new_access
    assert example.assuming == ('StringEquals aws:requestedregion ["eu-west-2"] does not hold',)
    conditional_deny = AccessSide(
        [
            doc(
                allow("s3:GetObject", "*"),
                {**deny("s3:GetObject", f"{BUCKET}/*"), "Condition": condition},
            )
        ]
    )
    (example,) = compare(conditional_deny, unconditional).new_access
    assert example.resource.startswith(f"{BUCKET}/") and "holds" in example.assuming[0]


def test_policy_variables_are_approximated_conservatively_and_listed() -> None:
    home = f"{BUCKET}/home/${{aws:username}}/*"
    old = AccessSide([doc(allow("s3:GetObject", home))])
    comparison = compare(old, old)
    assert not comparison.no_new_access  # the old grant is read as nothing, the new as anything
    assert any("policy variables" in note for note in comparison.undecided)


# Random policy pairs over a small request space, judged by the comparison and by the evaluator.

ACTIONS = ["s3:GetObject", "s3:PutObject", "s3:ListBucket", "ecr:GetAuthorizationToken"]
ACTION_PATTERNS = ACTIONS + ["s3:*", "s3:Get*", "s3:?utObject", "*"]
PIECES = ["b", "c", "/", "p", "*", "?", "x"]
UNIVERSES = {  # the resource space of each action in the aws partition (the catalog's formats)
    "s3:GetObject": r"arn:aws:s3:::.+/.+|arn:aws:s3:[^:]+:[^:]+:accesspoint/.+/object/.+",
    "s3:PutObject": r"arn:aws:s3:::.+/.+|arn:aws:s3:[^:]+:[^:]+:accesspoint/.+/object/.+",
    "s3:ListBucket": r"arn:aws:s3:::.+|arn:aws:s3:[^:]+:[^:]+:accesspoint/.+",
    "ecr:GetAuthorizationToken": r"\*",
}

resource_patterns = st.one_of(
    st.just("*"),
    st.lists(st.sampled_from(PIECES), min_size=1, max_size=5).map(
        lambda pieces: "arn:aws:s3:::" + "".join(pieces)
    ),
    st.sampled_from(["arn:aws:s3:*:*:accesspoint/*", "arn:aws:s3:::*/p/*", "arn:aws:s3:::b"]),
)


@st.composite
def statements(draw) -> dict:
    statement = {"Effect": draw(st.sampled_from(["Allow", "Allow", "Deny"]))}
    action_key = draw(st.sampled_from(["Action", "Action", "Action", "NotAction"]))
    statement[action_key] = draw(st.lists(st.sampled_from(ACTION_PATTERNS), min_size=1, max_size=3))
    resource_key = draw(st.sampled_from(["Resource", "Resource", "Resource", "NotResource"]))
    statement[resource_key] = draw(st.lists(resource_patterns, min_size=1, max_size=3))
    return statement


@st.composite
def sides(draw) -> AccessSide:
    identity = [doc(*draw(st.lists(statements(), min_size=1, max_size=4)))]
    boundaries = draw(
        st.one_of(
            st.just([]), st.lists(statements(), min_size=1, max_size=2).map(lambda s: [doc(*s)])
        )
    )
    return AccessSide(identity, boundaries)


def _samples(old: AccessSide, new: AccessSide, extra: list[str]) -> list[str]:
    patterns = {
        pattern
        for side in (old, new)
        for document in side.identity + side.boundaries
        for statement in document["Statement"]
        for key in ("Resource", "NotResource")
        for pattern in statement.get(key, [])
    }
    found = set(extra) | {"*"}
    for pattern in patterns:
        for star in ("", "x", "p/x", "b/p/x", ":"):
            for one in ("x", "/", ":"):
                found.add(pattern.replace("*", star).replace("?", one))
    return sorted(found)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    old=sides(),
    new=sides(),
    extra=st.lists(
        st.text(alphabet="bcpx/:", min_size=1, max_size=6).map(lambda t: "arn:aws:s3:::" + t),
        max_size=4,
    ),
)
def test_the_comparison_agrees_with_the_evaluator_on_random_policy_pairs(old, new, extra) -> None:
    comparison = compare(old, new, actions=ACTIONS)
    for example in comparison.new_access:
        assert re.fullmatch(UNIVERSES[example.action], example.resource, re.DOTALL)
        assert replays(example, ROLE, old, new), example
    if comparison.no_new_access:
        for action in ACTIONS:
            for resource in _samples(old, new, extra):
                if re.fullmatch(UNIVERSES[action], resource, re.DOTALL):
                    from pipedoctor.leastpriv.compare import Counterexample

                    assert not replays(Counterexample(action, resource), ROLE, old, new), (
                        action,
                        resource,
                    )
