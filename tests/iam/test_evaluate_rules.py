"""One or more cases per rule of the AWS evaluation logic, written from the IAM User Guide
("Policy evaluation logic", "Cross-account policy evaluation logic", permission boundaries,
session policies, SCPs/RCPs, KMS key policies, role trust policies)."""

from __future__ import annotations

from typing import Any

from pipedoctor.iam import PolicySet, Request, evaluate

ACCOUNT = "111122223333"
OTHER = "444455556666"
USER = f"arn:aws:iam::{ACCOUNT}:user/alice"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/build"
SESSION = f"arn:aws:sts::{ACCOUNT}:assumed-role/build/job-1"
BUCKET_OBJECT = "arn:aws:s3:::artifacts/build.zip"
REPO = f"arn:aws:ecr:eu-west-1:{ACCOUNT}:repository/app"


def doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(action: Any, resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action: Any, resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


def decide(request: Request, **policies: Any) -> str:
    return evaluate(request, PolicySet(**policies)).decision


def test_default_is_implicit_deny() -> None:
    decision = evaluate(Request("s3:GetObject", BUCKET_OBJECT, USER), PolicySet())
    assert decision.decision == "ImplicitlyDenied"
    assert decision.blocked_by == ["identity"]
    assert not decision.allowed


def test_identity_allow_and_explicit_deny_wins() -> None:
    request = Request("s3:GetObject", BUCKET_OBJECT, USER)
    assert decide(request, identity=[doc(allow("s3:GetObject"))]) == "Allowed"
    decision = evaluate(
        request,
        PolicySet(identity=[doc(allow("s3:*")), doc(deny("s3:Get*", "arn:aws:s3:::artifacts/*"))]),
    )
    assert decision.decision == "ExplicitlyDenied"
    assert [(ref.layer, ref.effect) for ref in decision.matched] == [("identity", "Deny")]


def test_action_names_are_case_insensitive_resources_are_not() -> None:
    assert (
        decide(
            Request("S3:getobject", BUCKET_OBJECT, USER),
            identity=[doc(allow("s3:GETOBJECT", BUCKET_OBJECT))],
        )
        == "Allowed"
    )
    assert (
        decide(
            Request("s3:GetObject", BUCKET_OBJECT, USER),
            identity=[doc(allow("s3:GetObject", "arn:aws:s3:::ARTIFACTS/*"))],
        )
        == "ImplicitlyDenied"
    )


def test_not_action_and_not_resource() -> None:
    request = Request("ecr:PutImage", REPO, USER)
    assert (
        decide(request, identity=[doc({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})])
        == "Allowed"
    )
    assert (
        decide(
            request, identity=[doc({"Effect": "Allow", "NotAction": "ecr:Put*", "Resource": "*"})]
        )
        == "ImplicitlyDenied"
    )
    assert (
        decide(request, identity=[doc({"Effect": "Allow", "Action": "ecr:*", "NotResource": REPO})])
        == "ImplicitlyDenied"
    )
    other_repo = REPO.replace("/app", "/other")
    assert (
        decide(
            request,
            identity=[doc({"Effect": "Allow", "Action": "ecr:*", "NotResource": other_repo})],
        )
        == "Allowed"
    )


def test_policy_variables_in_resources() -> None:
    policies = {"identity": [doc(allow("s3:GetObject", "arn:aws:s3:::home/${aws:username}/*"))]}
    assert (
        decide(Request("s3:GetObject", "arn:aws:s3:::home/alice/a.txt", USER), **policies)
        == "Allowed"
    )
    assert (
        decide(Request("s3:GetObject", "arn:aws:s3:::home/bob/a.txt", USER), **policies)
        == "ImplicitlyDenied"
    )
    # Version 2008-10-17 has no variables: the text is literal.
    old = {
        "Version": "2008-10-17",
        "Statement": [allow("s3:GetObject", "arn:aws:s3:::home/${aws:username}/*")],
    }
    assert (
        decide(Request("s3:GetObject", "arn:aws:s3:::home/alice/a.txt", USER), identity=[old])
        == "ImplicitlyDenied"
    )


def test_conditions_and_missing_context_keys() -> None:
    policy = doc(
        allow("codebuild:StartBuild", Condition={"StringEquals": {"aws:SourceVpce": "vpce-1"}})
    )
    missing = evaluate(Request("codebuild:StartBuild", "*", ROLE), PolicySet(identity=[policy]))
    assert missing.decision == "ImplicitlyDenied"
    assert missing.missing_context_keys == ["aws:SourceVpce"]
    assert "aws:SourceVpce" in missing.explain()
    present = Request("codebuild:StartBuild", "*", ROLE, context={"aws:SourceVpce": "vpce-1"})
    assert decide(present, identity=[policy]) == "Allowed"


def test_permission_boundary_limits_but_never_grants() -> None:
    request = Request("s3:GetObject", BUCKET_OBJECT, ROLE)
    boundary = doc(allow("ecr:*"))
    decision = evaluate(request, PolicySet(identity=[doc(allow("s3:*"))], boundaries=[boundary]))
    assert decision.decision == "ImplicitlyDenied" and decision.blocked_by == ["permissionBoundary"]
    assert decide(request, identity=[], boundaries=[doc(allow("*"))]) == "ImplicitlyDenied"
    assert (
        decide(request, identity=[doc(allow("s3:*"))], boundaries=[doc(allow("s3:GetObject"))])
        == "Allowed"
    )


def test_boundary_and_same_account_resource_policy() -> None:
    boundary = [doc(allow("ecr:*"))]
    names_user = doc(
        {"Effect": "Allow", "Principal": {"AWS": USER}, "Action": "s3:GetObject", "Resource": "*"}
    )
    assert (
        decide(
            Request("s3:GetObject", BUCKET_OBJECT, USER),
            boundaries=boundary,
            resource_policy=names_user,
        )
        == "Allowed"
    )
    names_role = doc(
        {"Effect": "Allow", "Principal": {"AWS": ROLE}, "Action": "s3:GetObject", "Resource": "*"}
    )
    assert (
        decide(
            Request("s3:GetObject", BUCKET_OBJECT, SESSION),
            boundaries=boundary,
            resource_policy=names_role,
        )
        == "ImplicitlyDenied"
    )
    names_session = doc(
        {
            "Effect": "Allow",
            "Principal": {"AWS": SESSION},
            "Action": "s3:GetObject",
            "Resource": "*",
        }
    )
    assert (
        decide(
            Request("s3:GetObject", BUCKET_OBJECT, SESSION),
            boundaries=boundary,
            resource_policy=names_session,
        )
        == "Allowed"
    )


def test_session_policy_limits_identity_and_role_grants() -> None:
    request = Request("s3:GetObject", BUCKET_OBJECT, SESSION)
    identity = [doc(allow("s3:*"))]
    assert (
        decide(request, identity=identity, session_policy=doc(allow("s3:GetObject"))) == "Allowed"
    )
    assert (
        decide(request, identity=identity, session_policy=doc(allow("ecr:*"))) == "ImplicitlyDenied"
    )
    names_session = doc(
        {
            "Effect": "Allow",
            "Principal": {"AWS": SESSION},
            "Action": "s3:GetObject",
            "Resource": "*",
        }
    )
    # Grants naming the session ARN are added after the session policy is applied.
    assert (
        decide(request, session_policy=doc(allow("ecr:*")), resource_policy=names_session)
        == "Allowed"
    )


def test_same_account_resource_policy_alone_and_account_principal() -> None:
    names_user = doc(
        {"Effect": "Allow", "Principal": {"AWS": USER}, "Action": "s3:GetObject", "Resource": "*"}
    )
    assert (
        decide(Request("s3:GetObject", BUCKET_OBJECT, USER), resource_policy=names_user)
        == "Allowed"
    )
    names_account = doc(
        {
            "Effect": "Allow",
            "Principal": {"AWS": ACCOUNT},
            "Action": "s3:GetObject",
            "Resource": "*",
        }
    )
    assert (
        decide(Request("s3:GetObject", BUCKET_OBJECT, USER), resource_policy=names_account)
        == "ImplicitlyDenied"
    )
    no_principal = doc(allow("s3:GetObject"))
    assert (
        decide(Request("s3:GetObject", BUCKET_OBJECT, USER), resource_policy=no_principal)
        == "ImplicitlyDenied"
    )


def test_cross_account_needs_both_sides() -> None:
    request = Request(
        "s3:GetObject", BUCKET_OBJECT, f"arn:aws:iam::{OTHER}:role/deploy", resource_account=ACCOUNT
    )
    grant_other = doc(
        {
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{OTHER}:root"},
            "Action": "s3:GetObject",
            "Resource": "*",
        }
    )
    identity = [doc(allow("s3:GetObject"))]
    assert decide(request, identity=identity) == "ImplicitlyDenied"
    assert decide(request, resource_policy=grant_other) == "ImplicitlyDenied"
    assert decide(request, identity=identity, resource_policy=grant_other) == "Allowed"
    decision = evaluate(request, PolicySet(identity=identity))
    assert decision.blocked_by == ["resourcePolicy"]


def test_scp_levels_must_all_allow_and_rcps_only_deny() -> None:
    request = Request("s3:GetObject", BUCKET_OBJECT, USER)
    identity = [doc(allow("s3:*"))]
    full = doc(allow("*"))
    assert decide(request, identity=identity, scps=[[full], [full]]) == "Allowed"
    decision = evaluate(request, PolicySet(identity=identity, scps=[[full], [doc(allow("ec2:*"))]]))
    assert decision.decision == "ImplicitlyDenied" and decision.blocked_by == ["scp"]
    assert (
        decide(request, identity=identity, scps=[[full, doc(deny("s3:GetObject"))]])
        == "ExplicitlyDenied"
    )
    assert decide(request, identity=identity, rcps=[[]]) == "Allowed"
    rcp_deny = doc({"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*"})
    assert decide(request, identity=identity, rcps=[[rcp_deny]]) == "ExplicitlyDenied"


def test_scps_do_not_apply_to_service_linked_roles() -> None:
    slr = f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/codebuild.amazonaws.com/AWSServiceRoleForCodeBuild"
    request = Request("logs:PutLogEvents", "*", slr)
    assert (
        decide(request, identity=[doc(allow("logs:*"))], scps=[[doc(allow("ec2:*"))]]) == "Allowed"
    )


def test_role_trust_policy_must_allow_assume_role() -> None:
    target = f"arn:aws:iam::{ACCOUNT}:role/deployer"
    request = Request("sts:AssumeRole", target, USER)
    identity = [doc(allow("sts:AssumeRole", target))]
    assert decide(request, identity=identity) == "ImplicitlyDenied"
    trust_account = doc(
        {
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
            "Action": "sts:AssumeRole",
        }
    )
    assert decide(request, identity=identity, resource_policy=trust_account) == "Allowed"
    assert decide(request, resource_policy=trust_account) == "ImplicitlyDenied"
    service = Request("sts:AssumeRole", target, "codebuild.amazonaws.com")
    trust_service = doc(
        {
            "Effect": "Allow",
            "Principal": {"Service": "codebuild.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    )
    assert decide(service, resource_policy=trust_service) == "Allowed"
    assert decide(service, resource_policy=trust_account) == "ImplicitlyDenied"


def test_kms_key_policy_must_allow_even_in_same_account() -> None:
    key = f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/1234abcd"
    request = Request("kms:Decrypt", key, ROLE)
    identity = [doc(allow("kms:Decrypt"))]
    assert decide(request, identity=identity) == "ImplicitlyDenied"
    enable_iam = doc(
        {
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
            "Action": "kms:*",
            "Resource": "*",
        }
    )
    assert decide(request, identity=identity, resource_policy=enable_iam) == "Allowed"


def test_not_principal_in_resource_policy() -> None:
    deny_others = doc(
        {"Effect": "Deny", "NotPrincipal": {"AWS": USER}, "Action": "s3:*", "Resource": "*"}
    )
    identity = [doc(allow("s3:*"))]
    assert (
        decide(
            Request("s3:GetObject", BUCKET_OBJECT, USER),
            identity=identity,
            resource_policy=deny_others,
        )
        == "Allowed"
    )
    bob = f"arn:aws:iam::{ACCOUNT}:user/bob"
    assert (
        decide(
            Request("s3:GetObject", BUCKET_OBJECT, bob),
            identity=identity,
            resource_policy=deny_others,
        )
        == "ExplicitlyDenied"
    )


def test_anonymous_and_public_resource_policies() -> None:
    public = doc(
        {
            "Effect": "Allow",
            "Principal": "*",
            "Action": "s3:GetObject",
            "Resource": "arn:aws:s3:::artifacts/*",
        }
    )
    assert (
        decide(
            Request("s3:GetObject", BUCKET_OBJECT, None, resource_account=ACCOUNT),
            resource_policy=public,
        )
        == "Allowed"
    )
    assert (
        decide(Request("s3:GetObject", BUCKET_OBJECT, None, resource_account=ACCOUNT))
        == "ImplicitlyDenied"
    )


def test_wildcard_only_actions_match_resource_star_literally() -> None:
    request = Request("ecr:GetAuthorizationToken", "*", ROLE)
    assert decide(request, identity=[doc(allow("ecr:GetAuthorizationToken", "*"))]) == "Allowed"
    assert (
        decide(request, identity=[doc(allow("ecr:GetAuthorizationToken", REPO))])
        == "ImplicitlyDenied"
    )


def test_request_resource_patterns() -> None:
    request = Request("s3:GetObject", "arn:aws:s3:::artifacts/*", USER)
    identity = doc(allow("s3:GetObject", "arn:aws:s3:::artifacts/*"))
    partial_deny = deny("s3:GetObject", "arn:aws:s3:::artifacts/private/*")
    assert decide(request, identity=[identity, doc(partial_deny)]) == "Allowed"
    assert (
        decide(
            Request("s3:GetObject", "arn:aws:s3:::artifacts/private/*", USER),
            identity=[identity, doc(partial_deny)],
        )
        == "ExplicitlyDenied"
    )


def test_get_caller_identity_is_always_allowed() -> None:
    request = Request("sts:GetCallerIdentity", "*", ROLE)
    assert decide(request, identity=[doc(deny("*"))]) == "Allowed"


def test_aws_owned_resources_are_read_only() -> None:
    managed = "arn:aws:iam::aws:policy/AdministratorAccess"
    admin = [doc(allow("*"))]
    assert decide(Request("iam:GetPolicy", managed, USER), identity=admin) == "Allowed"
    decision = evaluate(
        Request("iam:CreatePolicyVersion", managed, USER), PolicySet(identity=admin)
    )
    assert decision.decision == "ImplicitlyDenied" and decision.blocked_by == ["awsOwnedResource"]


def test_matched_statements_carry_names_and_sids() -> None:
    policy = ("CodeBuildBase", doc({"Sid": "Logs", **allow("logs:PutLogEvents")}))
    decision = evaluate(Request("logs:PutLogEvents", "*", ROLE), PolicySet(identity=[policy]))
    (ref,) = decision.matched
    assert (ref.layer, ref.policy, ref.statement, ref.effect, ref.pointer) == (
        "identity",
        "CodeBuildBase",
        "Logs",
        "Allow",
        "/Statement/0",
    )
    assert decision.to_dict()["matched"][0]["statement"] == "Logs"


def test_policy_set_is_reusable_across_requests() -> None:
    policies = PolicySet(
        identity=[doc(allow(["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"], REPO))]
    )
    results = [
        evaluate(Request(action, REPO, ROLE), policies).decision
        for action in ("ecr:BatchGetImage", "ecr:PutImage", "ecr:BatchGetImage")
    ]
    assert results == ["Allowed", "ImplicitlyDenied", "Allowed"]
