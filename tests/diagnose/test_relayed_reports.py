"""ECS's own reports in a build log (a deploy tool relays a stopped task's reason, a service's
events, RunTask's failures) are read by the rules written for ECS's texts; the build's own lines
are not."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipedoctor.app.diagnosis import diagnose_text
from pipedoctor.diagnose import Diagnoser, load_rules
from pipedoctor.diagnose.matcher import RuleMatcher, ScanState

# (what the build ran, the log's lines, the cause that comes first)
RELAYED = [
    (
        "ecspresso deploy in a build",
        "2026/05/01 10:01:10 (service web) (deployment ecs-svc/1234567890123456789) deployment failed: alarm detected.\n2026/05/01 10:11:00 [ERROR] FAILED. failed to wait for service stable: exceeded max wait time for ServicesStable waiter",
        "ecs-deployment-alarm-rollback",
    ),
    (
        "ecspresso deploy in a build, the service event while it waits",
        "[Container] 2026/05/01 10:00:00.123456 Running command ecspresso deploy --config ecspresso.yml\n2026/05/01 10:01:10 (service web) (port 80) is unhealthy in (target-group arn:aws:elasticloadbalancing:us-west-2:111122223333:targetgroup/web-tg/1a2b3c4d5e6f7a8b) due to (reason Request timed out).\n2026/05/01 10:11:00 [ERROR] FAILED. failed to wait for service stable: exceeded max wait time for ServicesStable waiter",
        "ecs-elb-health-check-failing",
    ),
    (
        "copilot svc deploy in a build, its stopped task reasons",
        "    ✘ Latest 3 tasks stopped reason\n      - [1a2b3c4d,5e6f7a8b,9c0d1e2f]: Task failed ELB health checks in (target-group arn:aws:elasticloadbalancing:us-west-2:111122223333:targetgroup/demo-Targe-1A2B3C4D5E6F/1a2b3c4d5e6f7a8b)",
        "ecs-elb-health-check-failing",
    ),
    (
        "fabfuel's ecs-deploy in a build",
        "[Container] 2026/05/01 10:00:00.123456 Running command ecs deploy prod web --tag 1a2b3c4\nDeploying new task definition\n......\n2026-05-01 10:03:12.481000+00:00\nERROR: (service web) was unable to place a task because no container instance met all of its requirements. The closest matching (container-instance 1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d) has insufficient memory available. For more information, see the Troubleshooting section.\n\nDeployment failed",
        "ecs-placement-no-capacity",
    ),
    (
        "ecspresso run",
        "2026/05/01 10:00:01 [ERROR] FAILED. failed to run task: RESOURCE:MEMORY ",
        "ecs-placement-no-capacity",
    ),
    (
        "amazon-ecs-cli compose up",
        'time="2026-05-01T10:00:05Z" level=info msg="Couldn\'t run containers" reason="RESOURCE:ENI"',
        "ecs-placement-no-capacity",
    ),
    (
        "fabfuel's ecs-deploy in a build",
        "[Container] 2026/05/01 10:00:00.123456 Running command ecs deploy prod web --tag 1a2b3c4\n2026-05-01 10:03:12.481000+00:00\nERROR: (service web) failed to launch a task with (error ECS was unable to assume the role 'arn:aws:iam::111122223333:role/web-task' that was provided for this task. Please verify that the role being passed has the proper trust relationship and permissions and that your IAM user has permissions to pass this role.).\n\nDeployment failed",
        "ecs-role-trust-policy-wrong",
    ),
    (
        "copilot svc deploy in a build",
        "      - [1a2b3c4d,5e6f7a8b]: ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secrets from ssm: service call has been retried 1 time(s): InvalidParameters: Invalid parameters: [/copilot/demo/test/secrets/DB_URL]",
        "ecs-secret-not-found",
    ),
    (
        "copilot svc deploy in a build, its CloudFormation reason wrapped at 70 characters",
        "- An ECS service to run and maintain your tasks in the environment cluster   [update failed]\n    Resource handler returned message: \"Error occurred during operation 'ECS\n     Deployment Circuit Breaker was triggered'.\" (RequestToken: 1a2b3c4d-5e6f-\n    7a8b-9c0d-1e2f3a4b5c6d, HandlerErrorCode: GeneralServiceException)",
        "ecs-service-deployment-failed",
    ),
    (
        "ecspresso deploy in a build",
        "2026/05/01 10:03:10 (service web) (deployment ecs-svc/1234567890123456789) deployment failed: tasks failed to start.",
        "ecs-service-deployment-failed",
    ),
    (
        "ecspresso run in a build",
        '2026/05/01 10:00:01 [ERROR] FAILED. task failed to start: ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve ecr registry auth: service call has been retried 3 time(s): RequestError: send request failed caused by: Post "https://api.ecr.us-west-2.amazonaws.com/": dial tcp 52.94.0.1:443: i/o timeout. Please check your task network configuration.',
        "ecs-task-no-network-path",
    ),
    (
        "ecspresso run in a build",
        "[Container] 2026/05/01 10:00:00.123456 Running command ecspresso run --config ecspresso.yml\n2026/05/01 10:00:01 [ERROR] FAILED. container: web, exit code: 137, reason: OutOfMemoryError: Container killed due to memory usage",
        "ecs-task-out-of-memory",
    ),
    (
        "copilot job run in a build",
        "✘ execute job report: task 1a2b3c4d: Essential container in task exited: OutOfMemoryError: Container killed due to memory usage",
        "ecs-task-out-of-memory",
    ),
    (
        "fabfuel's ecs-deploy in a build",
        "ERROR: (service web) was unable to place a task. Reason: Capacity is unavailable at this time. Please try again later or in a different availability zone. For more information, see the Troubleshooting section.\n\nDeployment failed",
        "fargate-capacity-unavailable",
    ),
    (
        "ecspresso run in a build",
        "2026/05/01 10:00:01 [ERROR] FAILED. failed to run task: RESOURCE:FARGATE ",
        "fargate-capacity-unavailable",
    ),
    (
        "copilot svc deploy in a build, its tasks' stop reasons",
        "[Container] 2026/05/01 10:00:00.123456 Running command copilot svc deploy --name web --env test\n    ✘ Latest 3 tasks stopped reason\n      - [1a2b3c4d,5e6f7a8b,9c0d1e2f]: Essential container in task exited\n[Container] 2026/05/01 10:12:00.123456 Command did not exit successfully copilot svc deploy --name web --env test exit status 1",
        "ecs-essential-container-exited",
    ),
]
# (what the build ran, the log's lines, a cause that must not come first)
OWN_LINES = [
    (
        "the circuit breaker is another cause",
        "2026/05/01 10:03:10 (service web) (deployment ecs-svc/1234567890123456789) deployment failed: tasks failed to start.",
        "ecs-deployment-alarm-rollback",
    ),
    (
        "a task that passed its health check is a normal event",
        "2026/05/01 10:01:10 (service web) registered 1 targets in (target-group arn:aws:elasticloadbalancing:us-west-2:111122223333:targetgroup/web-tg/1a2b3c4d5e6f7a8b)",
        "ecs-elb-health-check-failing",
    ),
    (
        "a container health check is another cause",
        "      - [1a2b3c4d]: Task failed container health checks",
        "ecs-elb-health-check-failing",
    ),
    (
        "Fargate's capacity is another cause",
        "ERROR: (service web) was unable to place a task. Reason: Capacity is unavailable at this time. Please try again later or in a different availability zone. For more information, see the Troubleshooting section.",
        "ecs-placement-no-capacity",
    ),
    (
        "the build's own assume-role refused is another cause",
        "An error occurred (AccessDenied) when calling the AssumeRole operation: User: arn:aws:sts::111122223333:assumed-role/codebuild-web/AWSCodeBuild-1a2b is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::111122223333:role/deploy",
        "ecs-role-trust-policy-wrong",
    ),
    (
        "the execution role denied the secret is another cause",
        "      - [1a2b3c4d]: ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 1 time(s): AccessDeniedException: User: arn:aws:sts::111122223333:assumed-role/web-exec/1a2b is not authorized to perform: secretsmanager:GetSecretValue on resource: arn:aws:secretsmanager:us-west-2:111122223333:secret:db-AbCdEf",
        "ecs-secret-not-found",
    ),
    (
        "a deployment that completed is a normal event",
        "2026/05/01 10:03:10 (service web) (deployment ecs-svc/1234567890123456789) deployment completed.",
        "ecs-service-deployment-failed",
    ),
    (
        "the build's own docker pull timing out is not a task's network",
        'Error response from daemon: Get "https://111122223333.dkr.ecr.us-west-2.amazonaws.com/v2/": net/http: request canceled while waiting for connection (Client.Timeout exceeded while awaiting headers)',
        "ecs-task-no-network-path",
    ),
    (
        "the build's own JVM running out of heap is another cause",
        'Exception in thread "main" java.lang.OutOfMemoryError: Java heap space',
        "ecs-task-out-of-memory",
    ),
    (
        "the account's task quota is another cause",
        "ERROR: (service web) was unable to place a task. Reason: You've reached the limit on the number of tasks you can run concurrently. For more information, see the Troubleshooting section.",
        "fargate-capacity-unavailable",
    ),
]


@pytest.fixture(scope="module")
def diagnoser() -> Diagnoser:
    return Diagnoser(load_rules())


def _first_cause(diagnoser: Diagnoser, tmp_path: Path, text: str) -> str:
    path = tmp_path / "build.log"
    path.write_text(text, encoding="utf-8")
    return diagnose_text(diagnoser, str(path), "codebuild-log")[0].cause


@pytest.mark.parametrize(("name", "text", "cause"), RELAYED, ids=[case[0] for case in RELAYED])
def test_ecs_reports_in_a_build_log_get_ecs_causes(diagnoser, tmp_path, name, text, cause) -> None:
    assert _first_cause(diagnoser, tmp_path, text) == cause


@pytest.mark.parametrize(("name", "text", "cause"), OWN_LINES, ids=[case[0] for case in OWN_LINES])
def test_the_builds_own_lines_are_not_read_as_ecs_reports(
    diagnoser, tmp_path, name, text, cause
) -> None:
    assert _first_cause(diagnoser, tmp_path, text) != cause


def test_only_the_lines_holding_a_report_are_read_as_ecs_texts() -> None:
    matcher = RuleMatcher(load_rules())
    state = ScanState()
    log = (
        "[Container] 2026/05/01 10:00:00 Running command ecspresso run\n"
        "Exception in thread main java.lang.OutOfMemoryError: Java heap space\n"
        "2026/05/01 10:00:09 [ERROR] FAILED. container: web, exit code: 137, reason: OutOfMemoryError: Container"
        " killed due to memory usage\n"
    )
    matcher.scan(log, "codebuild-log", state)
    relayed = state.first["ecs-task-out-of-memory"]
    assert relayed.surface == "ecs-task" and "Container killed" in relayed.text
    assert state.first["codebuild-out-of-memory"].surface == "codebuild-log"
