"""Invariants of the evaluation logic, checked on generated policies (bounded examples)."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipedoctor.iam import PolicySet, Request, evaluate, load_catalog

ACCOUNT = "111122223333"
PRINCIPALS = [
    f"arn:aws:iam::{ACCOUNT}:user/alice",
    f"arn:aws:iam::{ACCOUNT}:role/build",
    f"arn:aws:sts::{ACCOUNT}:assumed-role/build/job",
    "arn:aws:iam::444455556666:role/deploy",
]
ACTIONS = [
    "ecr:GetAuthorizationToken",
    "ecr:BatchGetImage",
    "ecr:GetDownloadUrlForLayer",
    "ecr:PutImage",
    "s3:GetObject",
    "s3:PutObject",
    "s3:ListBucket",
    "codebuild:StartBuild",
    "codeconnections:UseConnection",
    "codestar-connections:UseConnection",
]
ACTION_PATTERNS = ["ecr:*", "ecr:Get*", "ecr:Batch*", "s3:Get*", "s3:*Object", "code*:Use*", "*"]
RESOURCES = [
    f"arn:aws:ecr:eu-west-1:{ACCOUNT}:repository/app",
    "arn:aws:s3:::artifacts/build.zip",
    "arn:aws:s3:::artifacts",
    f"arn:aws:codebuild:eu-west-1:{ACCOUNT}:project/app",
    f"arn:aws:codeconnections:eu-west-1:{ACCOUNT}:connection/abc",
    "*",
]
RESOURCE_PATTERNS = RESOURCES + [
    "arn:aws:s3:::artifacts/*",
    f"arn:aws:ecr:*:{ACCOUNT}:repository/*",
]
CONDITIONS = [
    None,
    {"StringEquals": {"aws:SourceVpce": "vpce-1"}},
    {"Bool": {"aws:SecureTransport": "true"}},
    {"StringNotEqualsIfExists": {"aws:ResourceTag/env": "prod"}},
]


@st.composite
def statements(draw: st.DrawFn, effect: str | None = None, patterns: bool = True) -> dict[str, Any]:
    pool = ACTIONS + ACTION_PATTERNS if patterns else ACTIONS
    statement: dict[str, Any] = {
        "Effect": effect or draw(st.sampled_from(["Allow", "Deny"])),
        draw(st.sampled_from(["Action", "Action", "NotAction"])): draw(
            st.lists(st.sampled_from(pool), min_size=1, max_size=3)
        ),
        draw(st.sampled_from(["Resource", "Resource", "NotResource"])): draw(
            st.lists(st.sampled_from(RESOURCE_PATTERNS), min_size=1, max_size=2)
        ),
    }
    condition = draw(st.sampled_from(CONDITIONS))
    if condition:
        statement["Condition"] = condition
    return statement


def policy(statement_list: list[dict[str, Any]]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": statement_list}


@st.composite
def requests(draw: st.DrawFn) -> Request:
    context: dict[str, Any] = {}
    if draw(st.booleans()):
        context["aws:SourceVpce"] = draw(st.sampled_from(["vpce-1", "vpce-2"]))
    if draw(st.booleans()):
        context["aws:SecureTransport"] = draw(st.sampled_from(["true", "false"]))
    return Request(
        action=draw(st.sampled_from(ACTIONS)),
        resource=draw(st.sampled_from(RESOURCES)),
        principal_arn=draw(st.sampled_from(PRINCIPALS)),
        resource_account=ACCOUNT,
        context=context,
    )


@st.composite
def resource_policies(draw: st.DrawFn) -> dict[str, Any] | None:
    if not draw(st.booleans()):
        return None
    statement = draw(statements())
    statement["Principal"] = {"AWS": draw(st.sampled_from(PRINCIPALS + [ACCOUNT, "*"]))}
    return policy([statement])


SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(
    request=requests(),
    identity=st.lists(statements(), max_size=3),
    resource_policy=resource_policies(),
    extra_deny=statements(effect="Deny"),
    where=st.sampled_from(["identity", "resource", "scp"]),
)
def test_adding_a_deny_never_turns_a_denial_into_an_allow(
    request: Request,
    identity: list[dict[str, Any]],
    resource_policy: dict[str, Any] | None,
    extra_deny: dict[str, Any],
    where: str,
) -> None:
    before = evaluate(
        request, PolicySet(identity=[policy(identity)], resource_policy=resource_policy)
    )
    if where == "identity":
        after_set = PolicySet(
            identity=[policy(identity), policy([extra_deny])], resource_policy=resource_policy
        )
    elif where == "resource":
        denying = {**extra_deny, "Principal": "*"}
        statements_after = (resource_policy or policy([]))["Statement"] + [denying]
        after_set = PolicySet(identity=[policy(identity)], resource_policy=policy(statements_after))
    else:
        scp = [policy([{"Effect": "Allow", "Action": "*", "Resource": "*"}, extra_deny])]
        after_set = PolicySet(
            identity=[policy(identity)], resource_policy=resource_policy, scps=[scp]
        )
    after = evaluate(request, after_set)
    if after.allowed:
        assert before.allowed
    if before.decision == "ExplicitlyDenied":
        assert after.decision == "ExplicitlyDenied"


@SETTINGS
@given(
    request=requests(),
    identity=st.lists(statements(), max_size=3),
    boundary=st.lists(statements(), min_size=1, max_size=2),
    resource_policy=resource_policies(),
)
def test_a_boundary_never_widens_access(
    request: Request,
    identity: list[dict[str, Any]],
    boundary: list[dict[str, Any]],
    resource_policy: dict[str, Any] | None,
) -> None:
    without = evaluate(
        request, PolicySet(identity=[policy(identity)], resource_policy=resource_policy)
    )
    with_boundary = evaluate(
        request,
        PolicySet(
            identity=[policy(identity)],
            boundaries=[policy(boundary)],
            resource_policy=resource_policy,
        ),
    )
    if with_boundary.allowed:
        assert without.allowed


@SETTINGS
@given(request=requests(), identity=st.lists(statements(), min_size=1, max_size=3))
def test_expanding_wildcards_into_actions_never_changes_a_decision(
    request: Request, identity: list[dict[str, Any]]
) -> None:
    catalog = load_catalog()

    def expand(values: list[str]) -> list[str]:
        expanded: list[str] = []
        for value in values:
            expanded.extend(catalog.expand(value) if "*" in value or "?" in value else [value])
        return expanded or ["nosuchservice:NoAction"]

    expanded_statements = []
    for statement in identity:
        copy = dict(statement)
        for element in ("Action", "NotAction"):
            if element in copy:
                copy[element] = expand(copy[element])
        expanded_statements.append(copy)
    original = evaluate(request, PolicySet(identity=[policy(identity)]))
    expanded = evaluate(request, PolicySet(identity=[policy(expanded_statements)]))
    assert original.decision == expanded.decision
