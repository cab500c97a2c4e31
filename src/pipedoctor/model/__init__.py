"""The Snapshot model and the findings the analysis produces."""

from pipedoctor.model.build import (
    Build,
    BuildEnvironment,
    BuildPhase,
    EnvironmentVariable,
    PhaseContext,
    Project,
    ProjectSource,
)
from pipedoctor.model.findings import SEVERITIES, Finding, severity_rank
from pipedoctor.model.iam import ManagedPolicy, PolicyDocument, Role
from pipedoctor.model.pipeline import (
    ActionExecution,
    ArtifactStore,
    GitTrigger,
    Pipeline,
    PipelineAction,
    PipelineExecution,
    PipelineStage,
)
from pipedoctor.model.resources import ArtifactBucket, Connection, EcrRepository, KmsKey
from pipedoctor.model.snapshot import (
    SCHEMA_VERSION,
    CollectionError,
    RepoFile,
    Snapshot,
    dump,
    dumps,
    load,
    loads,
)

__all__ = [
    "SCHEMA_VERSION",
    "SEVERITIES",
    "ActionExecution",
    "ArtifactBucket",
    "ArtifactStore",
    "Build",
    "BuildEnvironment",
    "BuildPhase",
    "CollectionError",
    "Connection",
    "EcrRepository",
    "EnvironmentVariable",
    "Finding",
    "GitTrigger",
    "KmsKey",
    "ManagedPolicy",
    "PhaseContext",
    "Pipeline",
    "PipelineAction",
    "PipelineExecution",
    "PipelineStage",
    "PolicyDocument",
    "Project",
    "ProjectSource",
    "RepoFile",
    "Role",
    "Snapshot",
    "dump",
    "dumps",
    "load",
    "loads",
    "severity_rank",
]
