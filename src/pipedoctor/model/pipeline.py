"""CodePipeline definitions and their executions."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class PipelineAction:
    name: str
    category: str  # Source | Build | Deploy | Test | Approval | Invoke
    provider: str  # CodeStarSourceConnection | CodeBuild | ECS | CodeDeployToECS | ...
    owner: str = "AWS"
    configuration: dict[str, str] = field(default_factory=dict)
    input_artifacts: list[str] = field(default_factory=list)
    output_artifacts: list[str] = field(default_factory=list)
    role_arn: str | None = None
    namespace: str | None = None
    region: str | None = None
    run_order: int = 1


@dataclass
class PipelineStage:
    name: str
    actions: list[PipelineAction] = field(default_factory=list)


@dataclass
class GitTrigger:
    """A V2 pipeline trigger: which git events start the pipeline."""

    source_action: str
    on_push_tags: list[str] = field(default_factory=list)
    on_push_branches: list[str] = field(default_factory=list)
    on_pull_request: bool = False


@dataclass
class ArtifactStore:
    type: str = "S3"
    location: str = ""  # bucket name
    kms_key_id: str | None = None  # key ARN, alias or id as configured
    region: str | None = None


@dataclass
class Pipeline:
    name: str
    arn: str
    role_arn: str
    region: str
    pipeline_type: str = "V1"
    version: int = 1
    stages: list[PipelineStage] = field(default_factory=list)
    artifact_stores: list[ArtifactStore] = field(default_factory=list)
    triggers: list[GitTrigger] = field(default_factory=list)
    variables: dict[str, str] = field(default_factory=dict)

    def actions(self) -> list[tuple[PipelineStage, PipelineAction]]:
        return [(stage, action) for stage in self.stages for action in stage.actions]

    def find_action(self, stage_name: str, action_name: str) -> PipelineAction | None:
        for stage, action in self.actions():
            if stage.name == stage_name and action.name == action_name:
                return action
        return None

    def source_actions(self) -> list[PipelineAction]:
        return [action for _, action in self.actions() if action.category == "Source"]


@dataclass
class PipelineExecution:
    pipeline_name: str
    execution_id: str
    status: str  # InProgress | Succeeded | Failed | Stopped | Superseded ...
    trigger_type: str = ""  # StartPipelineExecution | Webhook | WebhookV2 | CloudWatchEvent | ...
    trigger_detail: str = ""
    start_time: str = ""
    status_summary: str = ""
    source_revisions: list[dict[str, Any]] = field(default_factory=list)
    variables: dict[str, str] = field(default_factory=dict)  # resolved pipeline variables


@dataclass
class ActionExecution:
    pipeline_name: str
    pipeline_execution_id: str
    action_execution_id: str
    stage_name: str
    action_name: str
    status: str  # InProgress | Succeeded | Failed | Abandoned
    provider: str = ""
    start_time: str = ""
    error_code: str = ""
    summary: str = ""  # the action's error message as CodePipeline shows it
    external_execution_id: str = ""  # CodeBuild build id, CodeDeploy deployment id ...
    external_execution_url: str = ""
    resolved_configuration: dict[str, str] = field(default_factory=dict)
    output_variables: dict[str, str] = field(default_factory=dict)
