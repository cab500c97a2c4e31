"""API calls per operation for one collection, against the minimum the collected data needs.

Runs against a local moto server with Stubber replies for what moto cannot hold (the demo-like
world of tests/collect: one pipeline, one failed build). Usage: python bench/bench_collect.py

The minimum is computed from the snapshot itself: one GetPipeline per pipeline, one
ListActionExecutions per execution, one BatchGetBuilds per 100 builds per region, per role one
GetRole + one call per policy list + one GetRolePolicy per inline policy, per distinct managed
policy one GetPolicy + one GetPolicyVersion, and so on. Ratio 1.00 means no call was wasted.
Also times the same collection with 1 worker (sequential baseline) and with 8.
"""

from __future__ import annotations

import logging
import math
import os
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "src"), str(REPO)]

from pipedoctor.collect import CollectOptions, collect
from pipedoctor.collect.builds import BATCH_LIMIT
from pipedoctor.model import Snapshot
from tests.collect.conftest import FAKE_AWS_ENV
from tests.collect.stubs import StubbedFactory
from tests.collect.world import PIPELINE, REGION, build_demo_world, stubbed_replies


def minimum_calls(snapshot: Snapshot) -> Counter[str]:
    need: Counter[str] = Counter()
    need["sts:GetCallerIdentity"] = 1
    need["codepipeline:GetPipeline"] = len(snapshot.pipelines)
    need["codepipeline:ListPipelineExecutions"] = len(snapshot.pipelines)
    with_variables = {p.name for p in snapshot.pipelines if p.variables}
    need["codepipeline:GetPipelineExecution"] = sum(
        e.pipeline_name in with_variables for e in snapshot.executions
    )
    need["codepipeline:ListActionExecutions"] = len(snapshot.executions)
    per_region: dict[str, Counter[str]] = defaultdict(Counter)
    for build in snapshot.builds:
        per_region[build.region]["builds"] += 1
    for project in snapshot.projects:
        per_region[project.region]["projects"] += 1
    for counts in per_region.values():
        need["codebuild:BatchGetBuilds"] += math.ceil(counts["builds"] / BATCH_LIMIT)
        need["codebuild:BatchGetProjects"] += math.ceil(counts["projects"] / BATCH_LIMIT)
    need["logs:GetLogEvents"] = sum(bool(b.log_excerpt) for b in snapshot.builds)
    for connection in snapshot.connections:
        need[f"{connection.service_prefix}:GetConnection"] += 1
    need["iam:GetRole"] = need["iam:ListRolePolicies"] = len(snapshot.roles)
    need["iam:ListAttachedRolePolicies"] = len(snapshot.roles)
    need["iam:GetRolePolicy"] = sum(len(r.inline_policies) for r in snapshot.roles)
    managed = {p.arn for r in snapshot.roles for p in r.attached_policies}
    managed |= {r.permissions_boundary.arn for r in snapshot.roles if r.permissions_boundary}
    need["iam:GetPolicy"] = need["iam:GetPolicyVersion"] = len(managed)
    need["ecr:DescribeRepositories"] = len(snapshot.regions)
    need["ecr:GetRepositoryPolicy"] = len(snapshot.ecr_repositories)
    need["s3:GetBucketEncryption"] = need["s3:GetBucketPolicy"] = len(snapshot.buckets)
    need["kms:DescribeKey"] = len(snapshot.kms_keys)
    need["kms:GetKeyPolicy"] = sum(k.key_manager == "CUSTOMER" for k in snapshot.kms_keys)
    return +need


def run(endpoint: str, workers: int) -> tuple[Snapshot, Counter[str], float]:
    factory = StubbedFactory(endpoint, stubbed_replies())
    options = CollectOptions(regions=[REGION], pipelines=[PIPELINE], workers=workers)
    started = time.perf_counter()
    snapshot = collect(factory, options)
    return snapshot, Counter(factory.counter.counts()), time.perf_counter() - started


def main() -> None:
    from moto.server import ThreadedMotoServer

    os.environ.update(FAKE_AWS_ENV)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    try:
        build_demo_world(endpoint)
        run(endpoint, 8)  # warm-up: moto loads the AWS managed policies on first use
        _, _, sequential = run(endpoint, 1)
        snapshot, actual, concurrent = run(endpoint, 8)
    finally:
        server.stop()

    need = minimum_calls(snapshot)
    print(f"{'operation':44} {'actual':>6} {'minimum':>7}")
    for operation in sorted(set(actual) | set(need)):
        print(f"{operation:44} {actual[operation]:6d} {need[operation]:7d}")
    total, minimum = sum(actual.values()), sum(need.values())
    print(f"{'total':44} {total:6d} {minimum:7d}")
    print(f"ratio actual/minimum: {total / minimum:.2f}")
    print(f"errors in snapshot: {len(snapshot.errors)}")
    print(
        f"wall time: 1 worker (baseline) {sequential * 1000:.0f} ms, 8 workers "
        f"{concurrent * 1000:.0f} ms, ratio {concurrent / sequential:.2f}"
    )


if __name__ == "__main__":
    main()
