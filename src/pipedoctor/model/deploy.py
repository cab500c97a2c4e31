"""What a failed deploy leaves behind: the ECS service, its task definitions, stopped tasks and
the CodeDeploy deployment."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class ServiceEvent:
    message: str
    created_at: str = ""


@dataclass
class EcsService:
    cluster: str  # cluster name
    name: str
    arn: str
    region: str = ""
    deployment_controller: str = "ECS"  # ECS | CODE_DEPLOY | EXTERNAL
    task_definition: str = ""  # ARN the service runs (the primary deployment's)
    deployment_task_definitions: list[str] = field(default_factory=list)  # every deployment's
    events: list[ServiceEvent] = field(default_factory=list)  # newest first
    target_groups: list[str] = field(default_factory=list)  # load balancer target group ARNs


@dataclass
class LogConfiguration:
    driver: str = ""
    options: dict[str, str] = field(default_factory=dict)  # awslogs-group, awslogs-create-group ...


@dataclass
class ContainerSecret:
    name: str
    value_from: str  # Secrets Manager / SSM ARN, or an SSM parameter name


@dataclass
class ContainerDefinition:
    name: str
    image: str
    log_configuration: LogConfiguration | None = None
    secrets: list[ContainerSecret] = field(default_factory=list)
    essential: bool = True


@dataclass
class TaskDefinition:
    arn: str
    family: str
    region: str = ""
    task_role: str = ""
    execution_role: str = ""
    network_mode: str = ""
    requires_compatibilities: list[str] = field(default_factory=list)
    cpu_architecture: str = ""  # runtimePlatform.cpuArchitecture; empty when not set (X86_64)
    containers: list[ContainerDefinition] = field(default_factory=list)


@dataclass
class StoppedContainer:
    name: str
    image: str = ""
    reason: str = ""
    exit_code: int | None = None


@dataclass
class StoppedTask:
    arn: str
    task_definition: str
    cluster: str = ""
    group: str = ""  # "service:<name>" for a service's tasks
    stop_code: str = ""  # TaskFailedToStart | EssentialContainerExited | ...
    stopped_reason: str = ""
    stopped_at: str = ""
    containers: list[StoppedContainer] = field(default_factory=list)


@dataclass
class LifecycleEvent:
    name: str  # BeforeInstall | Install | AfterAllowTestTraffic | ...
    status: str = ""  # Pending | InProgress | Succeeded | Failed | Skipped | Unknown
    diagnostics: str = ""  # the diagnostics message (and error code)


@dataclass
class EcsServiceRef:
    cluster: str
    service: str


@dataclass
class CodeDeployDeployment:
    id: str
    application: str
    group: str
    region: str = ""
    status: str = ""  # Created | InProgress | Succeeded | Failed | Stopped ...
    error_code: str = ""
    error_message: str = ""
    task_definition: str = ""  # from the AppSpec revision, when it names an ARN
    ecs_services: list[EcsServiceRef] = field(default_factory=list)  # of the deployment group
    target_groups: list[str] = field(default_factory=list)  # of the deployment group's pair
    lifecycle_events: list[LifecycleEvent] = field(default_factory=list)
