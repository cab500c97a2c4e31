"""With every rule loaded, each rule's own example is diagnosed as its cause.

Where the text alone cannot separate two causes (they share a wording), the right cause must still
be among the first three and the report must name the fact that decides.
"""

from __future__ import annotations

import pytest

from pipedoctor.diagnose import Diagnoser, incident_from_text, load_rules

# Rules whose example text is, by design, also another cause's wording; a snapshot fact decides.
LOOK_ALIKES = {
    "artifact-kms-key-inaccessible-s3-denied": "an S3 denial: the bucket's encryption decides (SSE-KMS -> the key)",
    "artifact-kms-key-inaccessible-lambda-code-from-s3": "Lambda's S3 read of the code denied: the bucket's encryption decides (SSE-KMS -> the key)",
    "cloudformation-template-invalid-parse": "a template that does not parse: which template (the pipeline's or the application's) decides",
    "ecs-secret-not-found-name-read-as-parameter": "an SSM fetch of a secret denied: whether valueFrom names a parameter or a Secrets Manager secret by name decides",
    "codebuild-role-missing-use-connection-full-clone": "an S3 denial: the source's clone format decides",
    "connection-service-prefix-mismatch": "a UseConnection denial: the prefix in the policy decides",
    "ecr-credential-helper-no-basic-auth": "no basic auth credentials: the docker config decides",
    "ecr-image-tag-limit-reached-unnamed": "an ECR limit not named: the image's tag count against the repository's image count decides",
    "ecr-registry-account-mismatch-no-basic-auth": "no basic auth credentials: the login registry decides",
    "iam-policy-propagation-race": "a StartBuild denial: whether the role allows it now decides",
    "ecs-deploy-unknown-task-definition": "ecs-deploy hides its describe error: whether the call is refused or the definition is missing decides",
    "ecr-cross-account-repo-access-denied": "a 403 from a registry: the accounts and the repository policy decide",
    "iam-policy-propagation-race-on-assume": "a role not assumable at create time: whether a retry succeeds decides",
    "deployer-missing-iam-passrole-ecs-assume": "ECS could not assume the role: its trust policy decides first",
    "ecr-repository-not-created-push-forbidden": "a push refused with 403: whether the repository exists decides",
    "ecr-push-forbidden": "a push refused with 403: the role's push grants, the repository and its policy decide",
    "ecr-image-tag-immutable-manifest-put": "a manifest push refused with 400: the repository's tag mutability decides",
    "imagedefinitions-file-malformed": "a file the ECS action cannot parse: its content decides (imageDetail.json's object, or broken JSON)",
    "codebuild-parameter-not-found": "a parameter variable not read: whether it exists under that name decides",
    "codedeploy-ecs-service-identifier-invalid": "CodeDeploy refuses the group's ECS service: whether it exists decides",
    "codedeploy-ecs-service-identifier-invalid-controller": "CodeDeploy refuses the group's ECS service: its deployment controller decides",
    "ecs-task-definition-file-missing-codepipeline": "the blue/green action's task definition file not read: what the artifact holds decides",
    "aws-credentials-not-found-in-build": "no credentials in a build log: whether the command ran in a container the build started decides",
    "ecs-private-registry-credentials-missing-access-denied": "a non-ECR pull denied: repositoryCredentials and whether the repository exists decide",
    # A catalogue message cut before its detail: the documented causes are listed, most frequent first.
    "ecs-image-pull-failed-image-missing": "an image pull with no detail: the image URI decides",
    "ecs-image-pull-failed-execution-role": "an image pull with no detail: the execution role's ECR grants decide",
    "ecs-secrets-retrieval-failed-permission": "secrets not fetched, no detail: the execution role's grants decide",
    "ecs-secrets-retrieval-failed-not-found": "secrets not fetched, no detail: whether the secrets exist decides",
    "ecs-task-initialization-failed-execution-role": "a start-up failure, no detail: the execution role's grants decide",
    "ecs-task-initialization-failed-log-group": "a start-up failure, no detail: whether the log group exists decides",
    # A CodeBuild phase and status code with no message: the causes that fail that phase.
    "codebuild-phase-download-source-connection": "source download, no detail: the source provider and clone format decide",
    "codebuild-phase-download-source-codecommit": "source download, no detail: the source provider decides",
    "codebuild-phase-provisioning-image": "provisioning, no detail: the image and its pull credentials decide",
    "codebuild-phase-provisioning-credentials": "provisioning, no detail: the image and its pull credentials decide",
    "codebuild-phase-upload-artifacts-s3": "artifact upload, no detail: the artifact files and the bucket grants decide",
    "codebuild-phase-install-runtime-required": "install, no detail: the buildspec's runtime-versions decide",
    "kms-key-disabled-or-pending-deletion-ciphertext": "a ciphertext whose key cannot be used: the key's state decides (Enabled -> the role's access)",
    # The CDK says the same words whether the step has no credentials or AWS refused them.
    "aws-credentials-invalid-cdk-account": "the CDK's unresolved account: whether the step has credentials and AWS accepts them decides",
    "ecs-service-deployment-failed-waiter": "a ServicesStable wait ran out: whether the new tasks stopped during it decides",
    "cdk-context-lookups-disabled-lookup-role": "the CDK's lookup role not assumed: whether cdk.context.json holds the values, then the role's trust and grants decide",
}

RULES = load_rules()
DIAGNOSER = Diagnoser(RULES)  # one compiled matcher for every example
EXAMPLES = [
    pytest.param(rule, case, id=f"{rule.id}-{index}")
    for rule in RULES
    if rule.kind == "diagnosis"
    for index, case in enumerate(rule.tests)
    if case["expect"] == "match"
]


@pytest.mark.parametrize(("rule", "case"), EXAMPLES)
def test_each_rule_example_is_diagnosed_as_its_cause(rule, case) -> None:
    incident = incident_from_text(case["text"], case.get("surface"))
    incident.facts = dict(case.get("facts", {}))
    findings = DIAGNOSER.diagnose(incident)
    causes = [finding.cause for finding in findings]
    if rule.id not in LOOK_ALIKES:
        assert causes[:1] == [rule.cause], causes[:3]
        return
    assert rule.cause in causes[:3], causes[:3]
    assert any(item.startswith("to decide:") for item in findings[0].unverified), findings[
        0
    ].unverified
