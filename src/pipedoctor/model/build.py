"""CodeBuild projects and builds."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class EnvironmentVariable:
    name: str
    value: str
    type: str = "PLAINTEXT"  # PLAINTEXT | PARAMETER_STORE | SECRETS_MANAGER


@dataclass
class BuildEnvironment:
    type: str = "LINUX_CONTAINER"
    image: str = ""
    compute_type: str = ""
    privileged_mode: bool = False
    image_pull_credentials_type: str = "CODEBUILD"
    variables: list[EnvironmentVariable] = field(default_factory=list)


@dataclass
class ProjectSource:
    type: str  # CODEPIPELINE | GITHUB | CODECOMMIT | S3 | BITBUCKET | NO_SOURCE ...
    location: str = ""
    buildspec: str = ""  # path in the source, or inline YAML
    git_clone_depth: int | None = None
    auth_type: str = ""  # CODECONNECTIONS | OAUTH | SECRETS_MANAGER ...
    auth_resource: str = ""  # connection ARN for CODECONNECTIONS


@dataclass
class Project:
    name: str
    arn: str
    service_role: str
    region: str
    source: ProjectSource = field(default_factory=lambda: ProjectSource(type="NO_SOURCE"))
    environment: BuildEnvironment = field(default_factory=BuildEnvironment)
    log_group: str = ""  # empty: the default /aws/codebuild/<project>
    logs_enabled: bool = True
    encryption_key: str = ""
    vpc_id: str = ""

    @property
    def effective_log_group(self) -> str:
        return self.log_group or f"/aws/codebuild/{self.name}"


@dataclass
class PhaseContext:
    status_code: str = ""
    message: str = ""


@dataclass
class BuildPhase:
    phase_type: str  # SUBMITTED | PROVISIONING | DOWNLOAD_SOURCE | INSTALL | PRE_BUILD | BUILD ...
    phase_status: str = ""  # SUCCEEDED | FAILED | FAULT | CLIENT_ERROR | TIMED_OUT | STOPPED
    contexts: list[PhaseContext] = field(default_factory=list)


@dataclass
class Build:
    id: str
    arn: str
    project_name: str
    status: str  # SUCCEEDED | FAILED | FAULT | ...
    region: str
    start_time: str = ""
    initiator: str = ""
    source_version: str = ""
    resolved_source_version: str = ""
    service_role: str = ""
    phases: list[BuildPhase] = field(default_factory=list)
    environment_variables: list[EnvironmentVariable] = field(default_factory=list)
    log_group: str = ""
    log_stream: str = ""
    log_excerpt: list[str] = field(default_factory=list)  # the last lines of the build log

    def failed_phases(self) -> list[BuildPhase]:
        ok = {"SUCCEEDED", ""}
        return [phase for phase in self.phases if phase.phase_status not in ok]
