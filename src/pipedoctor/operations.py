"""Every AWS API operation pipedoctor calls, by mode, with the IAM action each one needs.

`pipedoctor permissions` prints policies made from this table, and a test checks it against the
operations a real collection makes, so the published policy cannot drift from the code.
"""

from __future__ import annotations

# (boto3 service, operation) -> IAM action; None: the call needs no permission.
COLLECT: dict[tuple[str, str], str | None] = {
    ("sts", "GetCallerIdentity"): None,
    ("codepipeline", "ListPipelines"): "codepipeline:ListPipelines",
    ("codepipeline", "GetPipeline"): "codepipeline:GetPipeline",
    ("codepipeline", "ListPipelineExecutions"): "codepipeline:ListPipelineExecutions",
    ("codepipeline", "GetPipelineExecution"): "codepipeline:GetPipelineExecution",
    ("codepipeline", "ListActionExecutions"): "codepipeline:ListActionExecutions",
    ("codebuild", "BatchGetBuilds"): "codebuild:BatchGetBuilds",
    ("codebuild", "BatchGetProjects"): "codebuild:BatchGetProjects",
    ("logs", "GetLogEvents"): "logs:GetLogEvents",
    ("iam", "GetRole"): "iam:GetRole",
    ("iam", "ListRolePolicies"): "iam:ListRolePolicies",
    ("iam", "GetRolePolicy"): "iam:GetRolePolicy",
    ("iam", "ListAttachedRolePolicies"): "iam:ListAttachedRolePolicies",
    ("iam", "GetPolicy"): "iam:GetPolicy",
    ("iam", "GetPolicyVersion"): "iam:GetPolicyVersion",
    ("iam", "GetAccountAuthorizationDetails"): "iam:GetAccountAuthorizationDetails",  # --iam-all
    ("codeconnections", "GetConnection"): "codeconnections:GetConnection",
    ("codestar-connections", "GetConnection"): "codestar-connections:GetConnection",
    ("ecr", "DescribeRepositories"): "ecr:DescribeRepositories",
    ("ecr", "GetRepositoryPolicy"): "ecr:GetRepositoryPolicy",
    # https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketEncryption.html (permissions)
    ("s3", "GetBucketEncryption"): "s3:GetEncryptionConfiguration",
    ("s3", "GetBucketPolicy"): "s3:GetBucketPolicy",
    ("kms", "DescribeKey"): "kms:DescribeKey",
    ("kms", "GetKeyPolicy"): "kms:GetKeyPolicy",
    ("ecs", "DescribeServices"): "ecs:DescribeServices",
    ("ecs", "DescribeTaskDefinition"): "ecs:DescribeTaskDefinition",
    ("ecs", "ListTasks"): "ecs:ListTasks",
    ("ecs", "DescribeTasks"): "ecs:DescribeTasks",
    ("codedeploy", "GetDeployment"): "codedeploy:GetDeployment",
    ("codedeploy", "GetDeploymentGroup"): "codedeploy:GetDeploymentGroup",
    ("codedeploy", "ListDeploymentTargets"): "codedeploy:ListDeploymentTargets",
    ("codedeploy", "BatchGetDeploymentTargets"): "codedeploy:BatchGetDeploymentTargets",
}

# `policy apply` and `policy rollback`: (IAM action, what it acts on). They write only policies
# under the /pipedoctor/ path and the attachments of roles.
POLICY_APPLY: dict[tuple[str, str], tuple[str, str]] = {
    ("iam", "ListAttachedRolePolicies"): ("iam:ListAttachedRolePolicies", "role"),
    ("iam", "GetPolicyVersion"): ("iam:GetPolicyVersion", "any-policy"),  # Deny statements kept
    ("iam", "AttachRolePolicy"): ("iam:AttachRolePolicy", "role"),
    ("iam", "DetachRolePolicy"): ("iam:DetachRolePolicy", "role"),
    ("iam", "GetPolicy"): ("iam:GetPolicy", "any-policy"),
    ("iam", "CreatePolicy"): ("iam:CreatePolicy", "policy"),
    ("iam", "ListPolicyVersions"): ("iam:ListPolicyVersions", "policy"),
    ("iam", "CreatePolicyVersion"): ("iam:CreatePolicyVersion", "policy"),
    ("iam", "DeletePolicyVersion"): ("iam:DeletePolicyVersion", "policy"),
    ("iam", "SetDefaultPolicyVersion"): ("iam:SetDefaultPolicyVersion", "policy"),
    ("iam", "DeletePolicy"): ("iam:DeletePolicy", "policy"),
}

# `policy generate|diff|apply` reading usage and, without a snapshot, the role's current policies.
# (service, operation) -> IAM action; "athena-for-caller" rows are calls Athena makes with the
# caller's credentials (the Glue catalog and the results bucket), which the caller must allow.
POLICY_GENERATE: dict[tuple[str, str], str] = {
    ("cloudtrail", "LookupEvents"): "cloudtrail:LookupEvents",  # --lookup-events
    ("s3", "ListObjectsV2"): "s3:ListBucket",  # --cloudtrail s3://
    ("s3", "HeadObject"): "s3:GetObject",
    ("s3", "GetObject"): "s3:GetObject",
    ("athena", "StartQueryExecution"): "athena:StartQueryExecution",  # --athena-*
    ("athena", "GetQueryExecution"): "athena:GetQueryExecution",
    ("athena", "GetQueryResults"): "athena:GetQueryResults",
    ("iam", "GetRole"): "iam:GetRole",  # --role ARN without a snapshot, current policies
    ("iam", "ListRolePolicies"): "iam:ListRolePolicies",
    ("iam", "GetRolePolicy"): "iam:GetRolePolicy",
    ("iam", "ListAttachedRolePolicies"): "iam:ListAttachedRolePolicies",
    ("iam", "GetPolicy"): "iam:GetPolicy",
    ("iam", "GetPolicyVersion"): "iam:GetPolicyVersion",
}
# https://docs.aws.amazon.com/athena/latest/ug/managed-policies.html (AmazonAthenaFullAccess:
# Glue catalog reads and the query results bucket)
ATHENA_FOR_CALLER: tuple[str, ...] = (
    "glue:GetDatabase",
    "glue:GetTable",
    "glue:GetPartitions",
    "s3:GetBucketLocation",
    "s3:PutObject",
    "s3:AbortMultipartUpload",
    "s3:ListMultipartUploadParts",
)

# `collect --role-arn` and `--role-arn` elsewhere: assume the role in each account.
ASSUME_ROLE: dict[tuple[str, str], str] = {("sts", "AssumeRole"): "sts:AssumeRole"}
