"""The words ECS itself writes when a task stops or a service deploys, as deploy tools relay them.

Copilot, ecspresso, ecs-deploy, ecs-cli and the AWS CLI's waiters print ECS's own reports into the
log of the build that runs them: a stopped task's reason, a service's events, RunTask's failures, a
deployment's rollout reason. A line holding one of these is ECS's text wherever it is printed, and
is read as one.
"""

from __future__ import annotations

ECS_REPORT_WORDS = (
    r"\(service [\w.-]+\)",  # a service event: "(service web) has started 1 tasks"
    # a stopped task's reason: its stop code, or ECS's words
    r"\bResourceInitializationError\b",
    r"\bCannotPull\w*Error\b",
    r"\bCannot(?:Start|Create)ContainerError\b",
    r"\bOutOfMemoryError: Container killed\b",
    r"\bEssential container in task exited\b",
    r"\bTask failed ELB health checks\b",
    r"\bECS was unable to assume the role\b",
    r"\bunable to pull secrets or registry auth\b",
    r"\bRESOURCE:[A-Z]+\b",  # a RunTask failure's reason (in capitals, as ECS writes it)
    r"\bCapacity is unavailable at this time\b",
    r"\bECS Deployment Circuit Breaker was triggered\b",  # a deployment's rollout reason
    r"\bdeployment failed: alarms? detected\b",
    r"\bRolling back to deployment\S* \S+ due to (?:CloudWatch )?alarms?\b",
)
