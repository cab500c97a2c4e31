"""Orchestrates one collection run: what to read, in which order, how much at once."""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from botocore.parsers import ResponseParserError

from pipedoctor import terminal
from pipedoctor.collect import artifacts, connections, ecr, executions, iam, logs
from pipedoctor.collect import builds as build_reads
from pipedoctor.collect import pipelines as pipeline_reads
from pipedoctor.collect.clients import ClientFactory
from pipedoctor.collect.deploy import DeployReads
from pipedoctor.collect.identity import caller_identity
from pipedoctor.collect.progress import DelayedProgress
from pipedoctor.collect.reader import AWS_ERRORS, Reader
from pipedoctor.collect.tasks import Tasks
from pipedoctor.errors import ExitCode, UserError
from pipedoctor.knowledge.arns import arn_region
from pipedoctor.model import ActionExecution, Build, Pipeline, PipelineExecution, Snapshot

LATEST = "latest"
NOT_FAILED_BUILD_STATUSES = {"SUCCEEDED", "IN_PROGRESS"}  # no log excerpt needed


@dataclass
class CollectOptions:
    regions: list[str]
    pipelines: list[str] = field(default_factory=list)
    all_pipelines: bool = False
    execution: str = LATEST  # "latest" or an execution id
    executions: int = 1  # how many recent executions when `execution` is "latest"
    log_lines: int = 200
    workers: int = 8
    iam_all: bool = False  # also every user, group, role and policy of the account (for graph)


def collect(
    factory: ClientFactory,
    options: CollectOptions,
    progress: Callable[[str], None] | None = None,
) -> Snapshot:
    """Reads everything the analysis needs, read-only; failed reads land in `snapshot.errors`.

    `progress` is told what was found (executions per pipeline) at once. Which step the run is
    at is told once the run has lasted a second (a quick run stays quiet), when
    `terminal.live_progress()`. Without `progress`, both go to stderr that way.
    """
    sink = progress or (lambda message: terminal.progress(f"collect: {message}"))
    if not terminal.live_progress():
        return _collect(factory, options, progress or _ignore, _ignore)
    with DelayedProgress(sink, factory.counter) as step:
        return _collect(factory, options, progress or step, step)


def _ignore(_: str) -> None:
    pass


def _collect(
    factory: ClientFactory,
    options: CollectOptions,
    progress: Callable[[str], None],
    step: Callable[[str], None],
) -> Snapshot:
    home = options.regions[0]
    step(f"checking the credentials (sts:GetCallerIdentity in {home})")
    account_id, partition = caller_identity(factory, home)
    snapshot = Snapshot(
        account_id=account_id,
        partition=partition,
        regions=list(options.regions),
        collected_at=datetime.now(UTC).isoformat(timespec="seconds"),
        origin="live",
    )
    reader = Reader()
    pool = ThreadPoolExecutor(max_workers=options.workers)
    try:
        _Run(factory, reader, Tasks(pool), options, snapshot, progress, step).everything()
    finally:
        # On Ctrl-C or a user error, drop the reads not yet started.
        pool.shutdown(wait=True, cancel_futures=True)
    snapshot.errors = sorted(reader.errors, key=lambda e: (e.service, e.operation, e.resource))
    _sort(snapshot)
    return snapshot


class _Run:
    def __init__(
        self,
        factory: ClientFactory,
        reader: Reader,
        tasks: Tasks,
        options: CollectOptions,
        snapshot: Snapshot,
        progress: Callable[[str], None],
        step: Callable[[str], None],
    ) -> None:
        self.factory = factory
        self.reader = reader
        self.tasks = tasks
        self.options = options
        self.snapshot = snapshot
        self.progress = progress
        self.step = step
        self.home = options.regions[0]
        self._lock = threading.Lock()
        self._projects_requested: set[tuple[str, str]] = set()
        self.deploys = DeployReads(reader, self.client, tasks, snapshot, self.role)

    def client(self, service: str, region: str | None = None) -> Any:
        return self.factory.client(service, region or self.home)

    def add(self, items: list[Any], *found: Any) -> None:
        with self._lock:
            items.extend(item for item in found if item is not None)

    def everything(self) -> None:
        if self.options.iam_all:
            self.tasks.submit(self.account_authorization)
        where = ", ".join(self.options.regions)
        self.step(f"reading pipelines in {where}")
        found = self.pipelines()
        for region in self.options.regions:
            self.tasks.submit(self.ecr_region, region)
        for pipeline in found:
            self.pipeline_resources(pipeline)
        runs = list(self.tasks.pool.map(self.executions, found))
        pairs = [(pipeline, run) for pipeline, runs_of in zip(found, runs) for run in runs_of]
        for pipeline, runs_of in zip(found, runs):
            self.progress(f"{pipeline.name} ({pipeline.region}): {len(runs_of)} execution(s)")
        self.step(f"reading the actions of {len(pairs)} execution(s)")
        action_lists = list(self.tasks.pool.map(lambda pair: self.action_executions(*pair), pairs))
        all_actions = [action for actions in action_lists for action in actions]
        self.step("reading builds and their logs")
        self.builds(all_actions, found)
        self.deploys.failed_actions(all_actions, found)
        self.step("reading roles, projects, connections, repositories and deployments")
        self.tasks.wait()

    def account_authorization(self) -> None:
        client = self.client("iam", self.options.regions[0])
        self.snapshot.authorization_details = iam.authorization_details(self.reader, client)
        self.progress("account authorization details read")

    # pipelines

    def pipelines(self) -> list[Pipeline]:
        if self.options.all_pipelines:
            names = list(self.tasks.pool.map(self.pipeline_names, self.options.regions))
            targets = [(r, n) for r, ns in zip(self.options.regions, names) for n in ns]
        else:
            targets = [(r, n) for n in self.options.pipelines for r in self.options.regions]
        fetched = list(self.tasks.pool.map(lambda target: self.pipeline(*target), targets))
        found = [pipeline for pipeline in fetched if pipeline is not None]
        self.add(self.snapshot.pipelines, *found)
        missing = [
            name
            for name in self.options.pipelines
            if not any(p.name == name for p in found)
            and not any(
                e.operation == "GetPipeline" and e.resource == name for e in self.reader.errors
            )
        ]
        if missing:
            where = ", ".join(self.options.regions)
            raise UserError(f"pipeline {missing[0]!r} not found in {where}", ExitCode.USAGE)
        return found

    def pipeline_names(self, region: str) -> list[str]:
        return pipeline_reads.list_pipeline_names(self.reader, self.client("codepipeline", region))

    def pipeline(self, region: str, name: str) -> Pipeline | None:
        client = self.client("codepipeline", region)
        try:
            return pipeline_reads.get_pipeline(client, name, region)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "PipelineNotFoundException":
                self.reader.record(client, "get_pipeline", error, name)
        except (BotoCoreError, ResponseParserError) as error:
            self.reader.record(client, "get_pipeline", error, name)
        return None

    def pipeline_resources(self, pipeline: Pipeline) -> None:
        self.role(pipeline.role_arn)
        for _, action in pipeline.actions():
            self.role(action.role_arn)
            self.connection(action.configuration.get("ConnectionArn"), pipeline.region)
        for store in pipeline.artifact_stores:
            self.tasks.submit_once(
                ("bucket", store.location),
                self.bucket,
                store.location,
                store.region or pipeline.region,
            )
            if store.kms_key_id:
                self.kms_key(store.kms_key_id, store.region or pipeline.region)
        names: dict[str, list[str]] = defaultdict(list)
        for _, action in pipeline.actions():
            name = action.configuration.get("ProjectName", "")
            if action.provider == "CodeBuild" and name and "#{" not in name:
                names[action.region or pipeline.region].append(name)
        for region, region_names in names.items():
            self.projects(region, region_names)

    # executions

    def executions(self, pipeline: Pipeline) -> list[PipelineExecution]:
        client = self.client("codepipeline", pipeline.region)
        if self.options.execution == LATEST:
            found = executions.recent_executions(
                self.reader, client, pipeline, self.options.executions
            )
        else:
            found = [self.one_execution(client, pipeline)]
        self.add(self.snapshot.executions, *found)
        return found

    def one_execution(self, client: Any, pipeline: Pipeline) -> PipelineExecution:
        try:
            return executions.one_execution(client, pipeline.name, self.options.execution)
        except AWS_ERRORS as error:
            code = (
                error.response.get("Error", {}).get("Code")
                if isinstance(error, ClientError)
                else ""
            )
            if code == "PipelineExecutionNotFoundException":
                raise UserError(
                    f"execution {self.options.execution!r} not found for pipeline "
                    f"{pipeline.name!r}",
                    ExitCode.USAGE,
                ) from None
            self.reader.record(client, "get_pipeline_execution", error, pipeline.name)
            return PipelineExecution(pipeline.name, self.options.execution, status="")

    def action_executions(
        self, pipeline: Pipeline, execution: PipelineExecution
    ) -> list[ActionExecution]:
        client = self.client("codepipeline", pipeline.region)
        found = executions.action_executions(
            self.reader, client, pipeline.name, execution.execution_id
        )
        self.add(self.snapshot.action_executions, *found)
        return found

    # builds and projects

    def builds(self, actions: list[ActionExecution], pipelines: list[Pipeline]) -> None:
        by_name = {pipeline.name: pipeline for pipeline in pipelines}
        ids: dict[str, list[str]] = defaultdict(list)
        for action in actions:
            if action.provider != "CodeBuild" or not action.external_execution_id:
                continue
            pipeline = by_name[action.pipeline_name]
            declared = pipeline.find_action(action.stage_name, action.action_name)
            region = (declared.region if declared else None) or pipeline.region
            ids[region].append(action.external_execution_id)
        regions = list(ids)
        batches = self.tasks.pool.map(
            lambda region: build_reads.builds(
                self.reader, self.client("codebuild", region), ids[region], region
            ),
            regions,
        )
        for region, found in zip(regions, batches):
            self.add(self.snapshot.builds, *found)
            for build in found:
                self.role(build.service_role)
                if build.status not in NOT_FAILED_BUILD_STATUSES:
                    self.tasks.submit(self.log_excerpt, build)
            self.projects(region, [build.project_name for build in found])

    def log_excerpt(self, build: Build) -> None:
        client = self.client("logs", build.region)
        build.log_excerpt = logs.log_tail(self.reader, client, build, self.options.log_lines)

    def projects(self, region: str, names: list[str]) -> None:
        """Fetches, in one batch, the named projects not already asked for in this run."""
        with self._lock:
            wanted = sorted(
                {name for name in names if (region, name) not in self._projects_requested}
            )
            self._projects_requested.update((region, name) for name in wanted)
        if wanted:
            self.tasks.submit(self.fetch_projects, region, wanted)

    def fetch_projects(self, region: str, names: list[str]) -> None:
        found = build_reads.projects(self.reader, self.client("codebuild", region), names, region)
        self.add(self.snapshot.projects, *found)
        for project in found:
            self.role(project.service_role)
            self.connection(project.source.auth_resource, region)

    # IAM, connections, ECR, artifacts

    def role(self, arn: str | None) -> None:
        if arn:
            self.tasks.submit_once(("role", arn), self.fetch_role, arn)

    def fetch_role(self, arn: str) -> None:
        self.add(self.snapshot.roles, iam.role(self.reader, self.client("iam"), arn))

    def connection(self, arn: str | None, region: str) -> None:
        """Reads `arn` if it names a connection (a project's auth resource may be a secret)."""
        service = connections.client_service(arn or "")
        if arn and service:
            self.tasks.submit_once(("connection", arn), self.fetch_connection, service, arn, region)

    def fetch_connection(self, service: str, arn: str, region: str) -> None:
        client = self.client(service, arn_region(arn) or region)
        self.add(self.snapshot.connections, connections.connection(self.reader, client, arn))

    def ecr_region(self, region: str) -> None:
        client = self.client("ecr", region)
        found = ecr.repositories(self.reader, client, region)
        self.add(self.snapshot.ecr_repositories, *found)
        for repository in found:
            self.tasks.submit(ecr.repository_policy, self.reader, client, repository)

    def bucket(self, name: str, region: str) -> None:
        found = artifacts.bucket(self.reader, self.client("s3", region), name, region)
        self.add(self.snapshot.buckets, found)
        if found.encryption == "aws:kms" and found.kms_key_arn:
            self.kms_key(found.kms_key_arn, region)

    def kms_key(self, key_id: str, region: str) -> None:
        self.tasks.submit_once(("kms", key_id), self.fetch_kms_key, key_id, region)

    def fetch_kms_key(self, key_id: str, region: str) -> None:
        client = self.client("kms", arn_region(key_id) or region)
        found = artifacts.key(self.reader, client, key_id)
        with self._lock:
            if found and all(key.arn != found.arn for key in self.snapshot.kms_keys):
                self.snapshot.kms_keys.append(found)


def _sort(snapshot: Snapshot) -> None:
    """Threads finish in any order; a stable order makes snapshots diffable."""
    snapshot.pipelines.sort(key=lambda p: (p.region, p.name))
    snapshot.executions.sort(key=lambda e: e.start_time, reverse=True)  # newest first ...
    snapshot.executions.sort(key=lambda e: e.pipeline_name)  # ... within each pipeline
    snapshot.action_executions.sort(
        key=lambda a: (a.pipeline_name, a.pipeline_execution_id, a.start_time, a.stage_name)
    )
    snapshot.builds.sort(key=lambda b: b.id)
    snapshot.projects.sort(key=lambda p: (p.region, p.name))
    snapshot.roles.sort(key=lambda r: r.arn)
    snapshot.connections.sort(key=lambda c: c.arn)
    snapshot.ecr_repositories.sort(key=lambda r: r.arn)
    snapshot.buckets.sort(key=lambda b: b.name)
    snapshot.kms_keys.sort(key=lambda k: k.arn)
    snapshot.ecs_services.sort(key=lambda s: s.arn)
    snapshot.task_definitions.sort(key=lambda t: t.arn)
    snapshot.stopped_tasks.sort(key=lambda t: (t.stopped_at, t.arn), reverse=True)
    snapshot.deployments.sort(key=lambda d: d.id)
