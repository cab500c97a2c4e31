"""The AWS denial formats, read into principal, action, resource and layer.

Samples are real messages: from the train cases of the failure corpus (public threads) and from the
examples in AWS's IAM, S3 and STS documentation (account ids and names as published there).
"""

from __future__ import annotations

import pytest

from pipedoctor.diagnose.authz import (
    REDACTED_MESSAGE,
    denied_action,
    describe,
    parse_authorization_errors,
)
from pipedoctor.diagnose.denials import (
    BUILD,
    CLOUDFORMATION,
    EXECUTION,
    PIPELINE,
    RESOLVED_CAUSES,
    TASK,
    USER,
    cause_for,
    denial_facts,
    principal_kind,
)


def only(text: str):
    errors = parse_authorization_errors(text)
    assert len(errors) == 1, errors
    return errors[0]


def test_no_identity_based_policy_with_cli_prefix() -> None:
    # CodePipeline action summary for a CodeBuild action (corpus: eks-blueprints workshop thread)
    error = only(
        "User: arn:aws:sts::530298570680:assumed-role/eksblueprintsworkshoppipel-PipelineRoleDCFDBB91-1NBN6XK2CXB8I/"
        "1660759156951 is not authorized to perform: codebuild:StartBuild on resource: arn:aws:codebuild:us-west-2:"
        "530298570680:project/eksblueprintsworkshoppipeli-Jlm7aQOkLj04 because no identity-based policy allows the "
        "codebuild:StartBuild action (Service: AWSCodeBuild; Status Code: 400; Error Code: AccessDeniedException; "
        "Request ID: 9915b819-f12f-4492-b964-2607afc4a255; Proxy: null)"
    )
    assert error.action == "codebuild:StartBuild"
    assert (
        error.resource
        == "arn:aws:codebuild:us-west-2:530298570680:project/eksblueprintsworkshoppipeli-Jlm7aQOkLj04"
    )
    assert error.layer == "identity-based policy" and not error.explicit_deny
    assert error.code == "AccessDeniedException"
    assert error.role_name == "eksblueprintsworkshoppipel-PipelineRoleDCFDBB91-1NBN6XK2CXB8I"
    assert (
        error.role_arn
        == "arn:aws:iam::530298570680:role/eksblueprintsworkshoppipel-PipelineRoleDCFDBB91-1NBN6XK2CXB8I"
    )
    assert principal_kind(error, {}, "", "codepipeline-action") == PIPELINE


def test_message_broken_over_log_lines() -> None:
    # CodeBuild phase context (corpus: aws-cdk custom log group thread); the message wraps
    error = only(
        "Error message: User: arn:aws:sts::111122223333:assumed-role/PipelineStack-CdkArtifactBuildRol-PAVKTXK2PCFX/"
        "AWSCodeBuild-2ca46003-a831-47ae-81a5-bd502eceed80\n is not authorized to perform: logs:CreateLogStream on resource:\n"
        " arn:aws:logs:us-east-1:111122223333:log-group:PipelineArtifactStack-CdkArtifactBuildloggroup3556CC2B"
    )
    assert error.action == "logs:CreateLogStream"
    assert error.resource.endswith(
        "log-group:PipelineArtifactStack-CdkArtifactBuildloggroup3556CC2B"
    )
    assert error.layer == ""
    assert principal_kind(error, {}, "", "other") == BUILD
    assert cause_for(error, BUILD) == "codebuild-role-missing-logs-permissions"


@pytest.mark.parametrize(
    ("tail", "layer", "explicit"),
    [
        (
            "because no identity-based policy allows the s3:GetObject action",
            "identity-based policy",
            False,
        ),
        (
            "because no resource-based policy allows the s3:GetObject action",
            "resource-based policy",
            False,
        ),
        ("because no session policy allows the s3:GetObject action", "session policy", False),
        (
            "because no permissions boundary allows the s3:GetObject action",
            "permissions boundary",
            False,
        ),
        (
            "because no VPC endpoint policy allows the s3:GetObject action",
            "VPC endpoint policy",
            False,
        ),
        ("with an explicit deny in a service control policy", "service control policy", True),
        ("with an explicit deny in a resource control policy", "resource control policy", True),
        ("with an explicit deny in a permissions boundary", "permissions boundary", True),
        ("with an explicit deny in a session policy", "session policy", True),
        ("with an explicit deny in an identity-based policy", "identity-based policy", True),
        ("with an explicit deny in a resource-based policy", "resource-based policy", True),
    ],
)
def test_every_layer_aws_names(tail: str, layer: str, explicit: bool) -> None:
    # The S3 user guide's access-denied examples (the resource in quotes)
    error = only(
        "An error occurred (AccessDenied) when calling the GetObject operation: User: "
        "arn:aws:iam::777788889999:user/MaryMajor is not authorized to perform: s3:GetObject on resource: "
        f'"arn:aws:s3:::amzn-s3-demo-bucket/object-name" {tail}'
    )
    assert (error.layer, error.explicit_deny) == (layer, explicit)
    assert error.resource == "arn:aws:s3:::amzn-s3-demo-bucket/object-name"
    assert (error.code, error.operation) == ("AccessDenied", "GetObject")
    assert error.role_name == ""  # a user, not a role


def test_guardrail_deny_is_its_own_cause_and_offers_no_allow() -> None:
    error = only(
        "User: arn:aws:sts::111122223333:assumed-role/codebuild-app-service-role/AWSCodeBuild-1 is not authorized "
        "to perform: ecr:PutImage on resource: arn:aws:ecr:us-east-1:111122223333:repository/app "
        "with an explicit deny in a service control policy"
    )
    resolved = denial_facts(error, {}, "", "codebuild-log")
    assert resolved.cause == "guardrail-explicit-deny"
    assert "cannot override" in resolved.facts["auth.fix"]


def test_a_guardrail_that_does_not_allow_is_the_guardrail_s_cause_too() -> None:
    # A CDK deploy whose execution role's permissions boundary lacks the action (the log wraps the
    # message inside ARNs)
    error = only(
        'Resource handler returned message: "User: arn:aws:sts::111122223333:assumed-role/\n'
        "cdk-hnb659fds-cfn-exec-role-111122223333-us-east-1/AWSCloudFormation is not authorized to\n"
        "perform: events:DescribeRule on resource: arn:aws:events:us-east-1:111122223333:rule/\n"
        'mail-bounces because no permissions boundary allows the events:DescribeRule action"'
    )
    assert (error.layer, error.explicit_deny) == ("permissions boundary", False)
    assert error.role_name == "cdk-hnb659fds-cfn-exec-role-111122223333-us-east-1"
    assert error.resource == "arn:aws:events:us-east-1:111122223333:rule/mail-bounces"
    resolved = denial_facts(error, {}, "", "cloudformation")
    assert resolved.cause == "guardrail-explicit-deny"
    assert "in the permissions boundary as well" in resolved.facts["auth.fix"]


def test_a_message_a_terminal_wrapped_with_padding() -> None:
    # A CLI's output pasted from a fixed-width terminal: each wrap pads the line with spaces, in the
    # middle of a word (the shape of a train case's text; account and user names made up)
    pad = " " * 117
    error = only(
        "AccessDeniedException: User: arn:aws:iam::111122223333:user/deployer is not author"
        f"{pad}ized to perform: iam:PassRole on resource: arn:aws:iam::111122223333:role/ecsTas"
        f"{pad}kExecutionRole\n        status code: 400"
    )
    assert error.action == "iam:PassRole"
    assert error.resource == "arn:aws:iam::111122223333:role/ecsTaskExecutionRole"
    assert error.principal == "arn:aws:iam::111122223333:user/deployer"


def test_no_resource_part() -> None:
    # IAM user guide example
    error = only(
        "User: arn:aws:iam::777788889999:user/MaryMajor is not authorized to perform: codecommit:ListRepositories "
        "because no identity-based policy allows the codecommit:ListRepositories action"
    )
    assert (error.action, error.resource, error.layer) == (
        "codecommit:ListRepositories",
        "",
        "identity-based policy",
    )


def test_a_resource_the_poster_replaced_with_a_stand_in_is_no_resource() -> None:
    """Posted errors hide names behind stand-ins; a grant on "{role}" would be a grant on nothing."""
    error = only(
        "AccessDenied: User: {user} is not authorized to perform: sts:AssumeRole on resource: "
        "{role}:{app}-dev-EnvManagerRole"
    )
    assert (error.action, error.resource) == ("sts:AssumeRole", "")
    arn = only(
        "User: arn:aws:sts::111122223333:assumed-role/deploy/ci is not authorized to perform: "
        "s3:GetObject on resource: arn:aws:s3:::{bucket}/app.zip"
    )
    assert arn.resource == ""


def test_an_action_the_poster_redacted_still_reads_the_denial() -> None:
    """A redacted action names nothing to grant, but the rest of the form still says what denied."""
    error = only(
        "An error occurred (AccessDeniedException) when calling the GetAuthorizationToken operation: User: "
        "<USER> is not authorized to perform: <AWS_SERVICES:ACTION> on resource: * with an explicit deny"
    )
    assert (error.action, error.explicit_deny, error.operation) == ("", True, "GetAuthorizationToken")
    assert error.blocked_by_guardrail
    assert denial_facts(error, {}, "", "cli").cause == "guardrail-explicit-deny"


def test_a_role_the_poster_hid_behind_a_stand_in_names_no_role() -> None:
    error = only(
        "User: arn:aws:sts::{accountid}:assumed-role/{role}/ci is not authorized to perform: "
        "iam:CreateRole on resource: arn:aws:iam::{accountid}:role/web with an explicit deny"
    )
    assert (error.role_name, error.role_arn) == ("", "")
    assert describe(error) == "A call to iam:CreateRole was denied: an explicit deny."
    named = only(
        "User: arn:aws:sts::{accountid}:assumed-role/deploy/ci is not authorized to perform: iam:CreateRole"
    )
    assert named.role_name == "deploy"


def test_encoded_authorization_message() -> None:
    # EC2 through the CLI, the STS DecodeAuthorizationMessage documentation's scenario
    error = only(
        "An error occurred (UnauthorizedOperation) when calling the RunInstances operation: You are not authorized "
        "to perform this operation. Encoded authorization failure message: 4EXAMPLE_G8nUfXzY-g3xxMLRdcrhE9KlZNb"
    )
    assert error.encoded == "4EXAMPLE_G8nUfXzY-g3xxMLRdcrhE9KlZNb"
    assert (error.code, error.operation) == ("UnauthorizedOperation", "RunInstances")
    assert cause_for(error, "") == "encoded-authorization-failure"


def test_encoded_authorization_message_redacted_when_posted() -> None:
    # Terraform's form, with the message replaced by the poster: still an encoded denial
    error = only(
        "Error: creating EC2 Instance: UnauthorizedOperation: You are not authorized to perform this "
        "operation. Encoded authorization failure message: <ENCODED MESSAGE>"
    )
    assert error.encoded == REDACTED_MESSAGE
    assert cause_for(error, "") == "encoded-authorization-failure"


def test_provided_role_message() -> None:
    # CodePipeline Source action (corpus: landing-zone-accelerator thread)
    error = only(
        'Unable to use Code Star Connection\nGetting error that the provided role "AWSAccelerator-PipelineSt-'
        'PipelinePipelineRole*" does not have sufficient permissions.'
    )
    assert error.provided_role == "AWSAccelerator-PipelineSt-PipelinePipelineRole*"
    assert principal_kind(error, {}, "", "codepipeline-action") == PIPELINE


def test_provided_role_with_the_s3_error_underneath() -> None:
    error = only(
        "The provided role does not have permissions to perform this action. Underlying error: Access Denied "
        "(Service: Amazon S3; Status Code: 403; Error Code: AccessDenied; Request ID: 3A6E9E6A1B2C3D4E)"
    )
    assert error.service == "s3"
    assert cause_for(error, PIPELINE) == "codepipeline-role-missing-s3-artifact-access"


def test_cli_error_without_details() -> None:
    error = only(
        "An error occurred (AccessDeniedException) when calling the GetAuthorizationToken operation: "
    )
    assert (error.code, error.operation, error.service) == (
        "AccessDeniedException",
        "GetAuthorizationToken",
        "ecr",
    )
    assert cause_for(error, BUILD) == "ecr-auth-token-permission-missing"


def test_s3_access_denied_without_details() -> None:
    # CodeBuild DOWNLOAD_SOURCE (corpus: simple-streaming thread)
    error = only(
        "AccessDenied: Access Denied\nstatus code: 403, request id: BTFHJDCXTMWYAVWJ, host id: LNdKLk= for primary "
        "source and source version arn:aws:s3:::codepipeline-us-east-1-1234/app/SourceArti/abc.zip"
    )
    assert error.service == "s3" and error.resource.startswith(
        "arn:aws:s3:::codepipeline-us-east-1-1234"
    )
    assert (
        cause_for(error, principal_kind(error, {}, "", "codebuild-phase"))
        == "codebuild-role-missing-s3-artifact-access"
    )


def test_ecr_denied_from_docker() -> None:
    # docker push in CodeBuild (corpus: modern application workshop thread)
    error = only(
        "denied: User: arn:aws:sts::026927173535:assumed-role/MythicalMysfitsCoreStack-MythicalMysfitsServiceCodeBuildServiceRole"
        "/AWSCodeBuild-e7c6f667 is not authorized to perform: ecr:CompleteLayerUpload on resource: "
        "arn:aws:ecr:eu-west-1:026927173535:repository/mythicalmysfits/service"
    )
    kind = principal_kind(error, {}, "", "codebuild-log")
    assert kind == BUILD
    assert cause_for(error, kind) == "ecr-push-permission-missing"


def test_ecs_pull_is_the_execution_role_whatever_its_name() -> None:
    text = (
        "CannotPullECRContainerError: AccessDeniedException: User: arn:aws:sts::111122223333:assumed-role/"
        "OvertureTilesCdkStack-OvertureTilesContainerJobDefin-1ABC/abc is not authorized to perform: "
        "ecr:GetAuthorizationToken on resource: * because no identity-based policy allows the "
        "ecr:GetAuthorizationToken action"
    )
    error = only(text)
    kind = principal_kind(error, {}, text, "other")
    assert kind == EXECUTION
    assert cause_for(error, kind) == "ecs-execution-role-missing-ecr-permission"


def test_kms_decrypt() -> None:
    error = only(
        "AccessDeniedException: User: arn:aws:sts::111122223333:assumed-role/codepipeline-role/1700000000000 is "
        "not authorized to perform: kms:Decrypt on resource: arn:aws:kms:us-east-1:444455556666:key/1234abcd-12ab-"
        "34cd-56ef-1234567890ab because no resource-based policy allows the kms:Decrypt action"
    )
    assert error.layer == "resource-based policy"
    assert (
        cause_for(error, principal_kind(error, {}, "", "other")) == "artifact-kms-key-inaccessible"
    )


def test_snapshot_facts_decide_the_kind() -> None:
    error = only(
        "User: arn:aws:sts::111122223333:assumed-role/app/1a2b3c is not authorized to perform: dynamodb:PutItem "
        "on resource: arn:aws:dynamodb:us-east-1:111122223333:table/orders"
    )
    assert principal_kind(error, {}, "", "other") == ""
    assert cause_for(error, "") == "role-missing-permission"
    facts = {"task.role": "arn:aws:iam::111122223333:role/app"}
    assert principal_kind(error, facts, "", "other") == TASK
    assert (
        denial_facts(error, facts, "", "ecs-task").cause == "ecs-task-role-missing-app-permission"
    )


def test_cloudformation_resource_handler() -> None:
    text = (
        'Resource handler returned message: "User: arn:aws:sts::111122223333:assumed-role/cdk-hnb659fds-cfn-exec-'
        "role-111122223333-us-east-1/AWSCloudFormation is not authorized to perform: ecs:TagResource on resource: "
        "arn:aws:ecs:us-east-1:111122223333:task-definition/app:3 because no identity-based policy allows the "
        'ecs:TagResource action (Service: Ecs, Status Code: 400, Request ID: 1a2b)"'
    )
    error = only(text)
    assert principal_kind(error, {}, text, "other") == CLOUDFORMATION
    assert denial_facts(error, {}, text, "other").facts["auth.action"] == "ecs:TagResource"


def test_two_denials_in_one_text_and_repeats_once() -> None:
    line = (
        "User: arn:aws:sts::1:assumed-role/r/AWSCodeBuild-1 is not authorized to perform: {} on resource: arn:aws:"
        "ecr:us-east-1:111122223333:repository/app because no identity-based policy allows the {} action\n"
    )
    text = line.format("ecr:InitiateLayerUpload", "ecr:InitiateLayerUpload") * 3 + line.format(
        "ecr:BatchGetImage", "ecr:BatchGetImage"
    )
    assert [e.action for e in parse_authorization_errors(text)] == [
        "ecr:InitiateLayerUpload",
        "ecr:BatchGetImage",
    ]


def test_not_a_denial() -> None:
    assert parse_authorization_errors("Phase complete: BUILD State: SUCCEEDED\nService: ok") == []


def test_every_resolved_cause_is_reachable() -> None:
    services = [
        "ecr",
        "logs",
        "secretsmanager",
        "kms",
        "codeconnections",
        "codecommit",
        "iam",
        "s3",
        "dynamodb",
    ]
    actions = [
        "GetAuthorizationToken",
        "PutImage",
        "BatchGetImage",
        "GetSecretValue",
        "Decrypt",
        "UseConnection",
        "GetConnectionToken",
        "GitPull",
        "PassRole",
        "GetObject",
        "PutItem",
        "CreateLogStream",
    ]
    kinds = [BUILD, PIPELINE, TASK, EXECUTION, CLOUDFORMATION, ""]
    from pipedoctor.diagnose.authz import AuthorizationError

    reached = set()
    for service in services:
        for action in actions:
            for kind in kinds:
                for layer, explicit in [
                    ("", False),
                    ("resource-based policy", False),
                    ("permissions boundary", True),
                ]:
                    error = AuthorizationError(
                        action=f"{service}:{action}",
                        service=service,
                        layer=layer,
                        explicit_deny=explicit,
                    )
                    reached.add(cause_for(error, kind))
    reached.add(cause_for(AuthorizationError(encoded="x"), ""))
    for service, action in [
        ("codebuild", "StartBuild"),
        ("cloudformation", "CreateChangeSet"),
        ("codecommit", "GetBranch"),
        ("sts", "AssumeRole"),
    ]:
        reached.add(
            cause_for(AuthorizationError(action=f"{service}:{action}", service=service), PIPELINE)
        )
    assert reached == RESOLVED_CAUSES


def test_the_cli_operation_names_the_iam_action() -> None:
    from pipedoctor.diagnose.authz import denied_action

    listing = only(
        "An error occurred (AccessDenied) when calling the ListObjectsV2 operation: Access Denied"
    )
    assert (listing.service, denied_action(listing)) == ("s3", "s3:ListBucket")
    put = only(
        "An error occurred (AccessDenied) when calling the PutObject operation: Access Denied"
    )
    assert denied_action(put) == "s3:PutObject"


def test_redacted_accounts_and_role_paths() -> None:
    # posted errors often redact the account (corpus: aws-cdk custom log group thread)
    error = only(
        "User: arn:aws:sts::AccountID:assumed-role/PipelineStack-CdkArtifactBuildRol-PAVKTXK2PCFX/AWSCodeBuild-2ca4 "
        "is not authorized to perform: logs:CreateLogStream"
    )
    assert (error.role_name, error.session_name) == (
        "PipelineStack-CdkArtifactBuildRol-PAVKTXK2PCFX",
        "AWSCodeBuild-2ca4",
    )
    with_path = only(
        "User: arn:aws:iam::111122223333:role/service/app is not authorized to perform: sqs:SendMessage"
    )
    assert (with_path.role_name, with_path.role_arn) == (
        "app",
        "arn:aws:iam::111122223333:role/service/app",
    )


def test_operation_only_form_that_a_service_writes_for_its_own_check() -> None:
    # CodeBuild validating a VPC project's service role (corpus: aws-cdk thread on VPC projects)
    text = "Not authorized to perform DescribeSecurityGroups (Service: AWSCodeBuild; Status Code: 400; Error Code: InvalidInputException"
    error = only(text)
    assert (error.operation, error.service, error.principal) == ("DescribeSecurityGroups", "ec2", "")
    resolved = denial_facts(error, {}, text, "cloudformation")
    assert resolved.facts["auth.action"] == "ec2:DescribeSecurityGroups"
    assert resolved.facts["auth.kind"] == BUILD
    # the service role CodeBuild checks, not a permission a build command needs
    assert resolved.cause == "role-missing-permission"
    # The principal form is read once, not again as the operation-only form.
    assert len(parse_authorization_errors("User: arn:aws:sts::1:assumed-role/r/s is not authorized to perform: ec2:DescribeVpcs")) == 1


def test_docker_hub_pull_refusal_is_not_an_aws_denial() -> None:
    # docker's wording for a name that is not on Docker Hub (corpus: an ECS task image thread)
    hub = "CannotPullContainerError: Error response from daemon: pull access denied for ecs-task-kite, repository does not exist or may require 'docker login'"
    assert parse_authorization_errors(hub) == []
    ecr = "Error response from daemon: pull access denied for 111122223333.dkr.ecr.us-east-1.amazonaws.com/app, repository does not exist or may require 'docker login': denied: User: arn:aws:sts::111122223333:assumed-role/exec/1 is not authorized to perform: ecr:BatchGetImage"
    assert [e.action for e in parse_authorization_errors(ecr)] == ["ecr:BatchGetImage"]


def test_a_session_named_by_an_ecs_task_id_is_the_task_role() -> None:
    # the application calling AWS with the task role (ECS names the session by the task id)
    text = "User: arn:aws:sts::111122223333:assumed-role/orders-app/0f1e2d3c4b5a69788796a5b4c3d2e1f0 is not authorized to perform: dynamodb:PutItem on resource: arn:aws:dynamodb:us-east-1:111122223333:table/orders"
    error = only(text)
    assert principal_kind(error, {}, text, "other") == TASK
    assert cause_for(error, TASK) == "ecs-task-role-missing-app-permission"
    pull = "CannotPullContainerError: pull image manifest has been retried 1 time(s): " + text.replace("dynamodb:PutItem", "ecr:BatchGetImage")
    assert principal_kind(only(pull), {}, pull, "other") == EXECUTION  # a start-up denial is the execution role's


def test_the_action_role_codepipeline_says_lacks_a_permission() -> None:
    # CodePipeline's CloudFormation action, when its role cannot read the stack's events (aws-cdk#29534)
    text = (
        "Failed to execute change set.\nCurrent stack status: UPDATE_ROLLBACK_COMPLETE.\nStatus reason is not "
        "available because IAM role associated with the action does not have CloudFormation "
        "DescribeStackEvents permission"
    )
    error = only(text)
    assert (error.service, error.operation) == ("cloudformation", "DescribeStackEvents")
    kind = principal_kind(error, {}, text, "codepipeline-action")
    assert kind == "action role"
    assert cause_for(error, kind) == "codepipeline-role-missing-cloudformation-permission"
    assert denial_facts(error, {}, text, "codepipeline-action").facts["auth.action"] == (
        "cloudformation:DescribeStackEvents"
    )


def test_the_task_role_denied_logs_is_the_application_s_permission() -> None:
    # a log router (Fluent Bit) in the task calls CloudWatch Logs with the task role (fluent-bit-docs#913)
    text = (
        "User: arn:aws:sts::111122223333:assumed-role/TASKROLE/f8fe25c51f804adaaaa3822a47476353 is not authorized "
        "to perform: logs:DescribeLogStreams on resource: arn:aws:logs:eu-south-1:111122223333:log-group:app:"
        "log-stream: because no identity-based policy allows the logs:DescribeLogStreams action"
    )
    error = only(text)
    assert principal_kind(error, {}, text, "ecs-task") == TASK
    assert cause_for(error, TASK) == "ecs-task-role-missing-app-permission"
    assert cause_for(error, EXECUTION) == "ecs-execution-role-missing-logs-permission"
    assert cause_for(error, BUILD) == "codebuild-role-missing-logs-permissions"


def test_a_denied_connection_whose_arn_was_redacted() -> None:
    # CodeBuild's GitHub App troubleshooting entry quotes the message with its ARN left out
    text = "Access denied to connection <connection-arn>\nFailed to get access token from <connection-arn>"
    error = only(text)
    assert (error.service, denied_action(error)) == ("codeconnections", "codeconnections:GetConnectionToken")
    assert cause_for(error, BUILD) == "codebuild-role-missing-get-connection-token"
    bare = only("Access denied to connection <connection-arn>")
    assert bare.service == "codeconnections" and not bare.operation
    assert cause_for(bare, BUILD) == "codebuild-role-missing-use-connection"


def test_codebuild_s_own_vpc_check_without_the_colon() -> None:
    # CodeBuild's phase error for a VPC build whose service role may not describe network interfaces
    text = (
        "UNAUTHORIZED_OPERATION_DESCRIBE_NETWORK_INTERFACES: The service role is not authorized to perform "
        "ec2:DescribeNetworkInterfaces"
    )
    error = only(text)
    assert error.action == "ec2:DescribeNetworkInterfaces"
    kind = principal_kind(error, {}, text, "codebuild-phase")
    assert kind == BUILD
    assert cause_for(error, kind) == "role-missing-permission"  # CodeBuild's own call, no build command's


def test_a_build_command_s_bucket_call_is_not_artifact_access() -> None:
    # terraform apply in CodeBuild tagging a bucket it manages (cost-sentinel post-mortem)
    tagging = only(
        'Error: AccessDenied: User is not authorized to perform: s3:PutBucketTagging on resource: "arn:aws:s3:::alerts"'
    )
    assert cause_for(tagging, BUILD) == "codebuild-role-missing-app-permission"
    artifact = only(
        "User: arn:aws:sts::111122223333:assumed-role/build/AWSCodeBuild-1 is not authorized to perform: "
        "s3:GetObject on resource: arn:aws:s3:::codepipeline-artifacts/app/source.zip"
    )
    assert cause_for(artifact, BUILD) == "codebuild-role-missing-s3-artifact-access"


def test_an_iam_user_is_no_role_of_the_pipeline_wherever_it_was_printed() -> None:
    # ECS's IAM troubleshooting page: a console user denied an action
    text = "User: arn:aws:iam::123456789012:user/mateojackson is not authorized to perform: ecs:GetWidget on resource: my-example-widget"
    error = only(text)
    assert principal_kind(error, {}, text, "ecs-task") == USER
    assert cause_for(error, USER) == "role-missing-permission"


@pytest.mark.parametrize(
    ("action", "cause"),
    [
        # the console's connection page and a person's CLI: the user's own grants, no pipeline role's
        ("codeconnections:UseConnection", "role-missing-permission"),
        ("codestar-connections:GetConnectionToken", "role-missing-permission"),
        ("logs:CreateLogStream", "role-missing-permission"),
        ("kms:Decrypt", "role-missing-permission"),
        # what a user building or deploying is denied keeps its cause: the image it pulls or pushes, its pass
        ("ecr:BatchGetImage", "codebuild-role-missing-ecr-pull"),
        ("iam:PassRole", "deployer-missing-iam-passrole"),
        ("ecr:PutImage", "ecr-push-permission-missing"),
        ("ecr:GetAuthorizationToken", "ecr-auth-token-permission-missing"),
    ],
)
def test_an_iam_users_denial_names_no_role_of_the_pipeline(action: str, cause: str) -> None:
    text = (
        f"User: arn:aws:iam::111122223333:user/alice is not authorized to perform: {action} on resource: "
        "arn:aws:codeconnections:us-east-1:111122223333:connection/0a1b2c3d because no identity-based "
        f"policy allows the {action} action"
    )
    error = only(text)
    kind = principal_kind(error, {}, text, "codebuild-log")
    assert kind == USER
    assert cause_for(error, kind) == cause
    assert "the IAM user alice" in denial_facts(error, {}, text, "codebuild-log").facts["auth.fix"]


def test_a_secret_read_cut_after_its_error_code_is_the_execution_roles() -> None:
    # amazon-ecs-agent's secret fetch, cut at ECS's stopped-reason limit right after the error code
    text = (
        "asm fetching secret from the service for "
        "arn:aws:secretsmanager:us-east-1:111122223333:secret:app/web/db-AbCdEf: AccessDeniedException"
    )
    error = only(text)
    assert error.resource == "arn:aws:secretsmanager:us-east-1:111122223333:secret:app/web/db-AbCdEf"
    kind = principal_kind(error, {}, text, "ecs-task")
    assert kind == EXECUTION
    assert cause_for(error, kind) == "ecs-execution-role-missing-secrets-permission"


def test_a_log_stream_arn_keeps_its_own_trailing_colon() -> None:
    text = (
        "User: arn:aws:sts::111122223333:assumed-role/ecsTaskExecutionRole/0f1e is not authorized to perform: "
        "logs:CreateLogStream on resource: arn:aws:logs:us-east-1:111122223333:log-group:/ecs/web:log-stream: "
        "because no identity-based policy allows the logs:CreateLogStream action"
    )
    assert only(text).resource == "arn:aws:logs:us-east-1:111122223333:log-group:/ecs/web:log-stream:"


def test_lambdas_check_of_a_functions_execution_role() -> None:
    # Lambda's CreateFunction check, as CloudFormation relays it (AWS Lambda developer guide's VPC page)
    text = (
        'Resource handler returned message: "The provided execution role does not have permissions to call '
        'CreateNetworkInterface on EC2 (Service: Lambda, Status Code: 400)"'
    )
    error = only(text)
    assert (error.service, error.operation) == ("ec2", "CreateNetworkInterface")
    assert denied_action(error) == "ec2:CreateNetworkInterface"
    facts = denial_facts(error, {}, text, "cloudformation")
    assert "auth.kind" not in facts.facts  # the function's role, not one of the pipeline's
    assert facts.cause == "role-missing-permission"
    assert facts.facts["auth.summary"] == "the provided execution role was denied ec2:CreateNetworkInterface."


def test_cloudformation_resolving_a_parameter_with_the_callers_permission() -> None:
    # CloudFormation reading an SSM parameter type for the stack's caller (its ValidationError)
    text = (
        "AccessDenied. User doesn't have permission to call ssm:GetParameters (Service: AmazonCloudFormation; "
        "Status Code: 400; Error Code: ValidationError; Request ID: 1a2b; Proxy: null)"
    )
    error = only(text)
    assert error.action == "ssm:GetParameters" and error.service == "ssm"
    assert denial_facts(error, {}, text, "cloudformation").cause == "role-missing-permission"


def test_codebuilds_report_upload_is_the_roles_own_use_not_a_commands() -> None:
    error = only(
        "User: arn:aws:sts::111122223333:assumed-role/app-build/AWSCodeBuild-1a2b is not authorized to perform: "
        "codebuild:CreateReportGroup on resource: arn:aws:codebuild:us-east-1:111122223333:report-group/app-unit"
    )
    assert principal_kind(error, {}, "", "codebuild-phase") == BUILD
    assert cause_for(error, BUILD) == "role-missing-permission"


@pytest.mark.parametrize(
    "text, action, code",
    [
        # Terraform's ECR data source, as the Go SDK words the refusal
        (
            (
                "Error: reading ECR authorization token: operation error ECR: GetAuthorizationToken, https response "
                "error StatusCode: 400, RequestID: 0f1e2d3c, api error AccessDeniedException: not authorized"
            ),
            "ecr:GetAuthorizationToken",
            "AccessDeniedException",
        ),
        # an S3 upload: S3 answers 403 with its own code
        (
            (
                "operation error S3: PutObject, https response error StatusCode: 403, RequestID: 1A2B3C, HostID: x, "
                "api error AccessDenied: Access Denied"
            ),
            "s3:PutObject",
            "AccessDenied",
        ),
        # a service id of two words
        (
            (
                "operation error CloudWatch Logs: CreateLogGroup, https response error StatusCode: 400, "
                "RequestID: 9a8b, api error AccessDeniedException: not authorized"
            ),
            "logs:CreateLogGroup",
            "AccessDeniedException",
        ),
    ],
)
def test_the_go_sdks_operation_error(text: str, action: str, code: str) -> None:
    error = only(text)
    assert denied_action(error) == action and error.code == code


def test_a_go_sdk_error_that_is_no_denial() -> None:
    assert parse_authorization_errors(
        "operation error ECS: DescribeServices, https response error StatusCode: 400, RequestID: 1a, "
        "ClusterNotFoundException: Cluster not found."
    ) == []
