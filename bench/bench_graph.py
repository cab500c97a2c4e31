"""Benchmark: the permission graph of a large synthetic account, against cloudsplaining.

Generates, in a temporary folder and from a fixed seed:
- an authorization-details file (`aws iam get-account-authorization-details` shape) with 5,000
  roles and 12,000 policies: the AWS managed policies of ../shared/corpus/managed-policies/mamip
  (attached the way real accounts attach them: many small service policies, a few
  ReadOnlyAccess / PowerUserAccess / AdministratorAccess) plus generated customer managed and
  inline policies naming specific resources, PassRole grants with iam:PassedToService, and trust
  policies for CodeBuild, ECS tasks, Lambda, EC2, the account and other roles;
- a snapshot with 30,000 resources: ECR repositories (some with repository policies), S3 buckets
  (some with a deny-insecure-transport policy), KMS keys, CodeBuild projects with their log
  groups and Parameter Store / Secrets Manager variables, connections and pipelines.

Then measures, in a child process (so peak memory is the graph's alone): build time and peak RSS,
and the time of each query kind. In the same run, `cloudsplaining scan` on the same
authorization-details file (installed with pip into a temporary venv, never a project
dependency), and prints the ratio. Goals: build <= 30 s and <= 2 GB on 2 cores, who-can <= 100 ms,
faster than cloudsplaining.

    .venv/bin/python bench/bench_graph.py [--roles 5000] [--policies 12000] [--resources 30000]
                                          [--skip-cloudsplaining]

With --escalations: organisation-shaped accounts instead (`OrganisationAccount`: one role in seven
trusts the account root, 3% may assume `*`, 3% may pass `*` to CodeBuild), of 5,000 and 20,000
roles (--sizes), and `pipedoctor graph escalations` on each in a child process: wall and CPU time,
peak RSS; `cloudsplaining scan` on the 5,000-role file in the same run, and the ratios. Goals:
5,000 roles <= 10 s and <= 1 GB, 20,000 roles under 5x the time of 5,000.

    .venv/bin/python bench/bench_graph.py --escalations [--sizes 5000,20000]
                                          [--skip-cloudsplaining] [--cloudsplaining-on-all]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import venv
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
MAMIP = REPO_ROOT.parent / "shared" / "corpus" / "managed-policies" / "mamip" / "policies"
ACCOUNT = "123456789012"
OTHER_ACCOUNT = "999988887777"
REGION = "eu-west-1"
SEED = 20261128
BROAD = {"AdministratorAccess": 0.01, "PowerUserAccess": 0.01, "ReadOnlyAccess": 0.04}
SERVICES = [
    "codebuild.amazonaws.com",
    "ecs-tasks.amazonaws.com",
    "lambda.amazonaws.com",
    "ec2.amazonaws.com",
]


def _doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


CREATED = "2024-01-01 00:00:00+00:00"


def role_arn(name: str) -> str:
    return f"arn:aws:iam::{ACCOUNT}:role/{name}"


def _stable_id(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()[:17].upper()


def _managed_entry(name: str, arn: str, document: dict[str, Any]) -> dict[str, Any]:
    """A Policies entry with every field the real response carries (cloudsplaining reads them)."""
    return {
        "PolicyName": name,
        "PolicyId": f"ANPA{_stable_id(arn)}",
        "Arn": arn,
        "Path": "/",
        "DefaultVersionId": "v1",
        "AttachmentCount": 1,
        "PermissionsBoundaryUsageCount": 0,
        "IsAttachable": True,
        "CreateDate": CREATED,
        "UpdateDate": CREATED,
        "PolicyVersionList": [
            {
                "Document": document,
                "VersionId": "v1",
                "IsDefaultVersion": True,
                "CreateDate": CREATED,
            }
        ],
    }


def _aws_managed(rng: random.Random) -> dict[str, dict[str, Any]]:
    if not MAMIP.is_dir():
        print(f"note: {MAMIP} is absent; generating stand-in managed policies", file=sys.stderr)
        return {
            f"Generated{n}": _doc(
                {"Effect": "Allow", "Action": [f"{s}:Get*", f"{s}:List*"], "Resource": "*"}
            )
            for n, s in enumerate(["ecr", "s3", "logs", "kms", "ssm", "secretsmanager"] * 50)
        }
    policies = {}
    for path in sorted(MAMIP.glob("*.json")):
        try:
            document = json.loads(path.read_text())["PolicyVersion"]["Document"]
        except (ValueError, KeyError, TypeError):
            continue
        policies[path.stem] = document
    return policies


class Account:
    def __init__(self, roles: int, policies: int, resources: int) -> None:
        self.rng = random.Random(SEED)
        self.role_count, self.policy_count, self.resource_count = roles, policies, resources
        self.aws_managed = _aws_managed(self.rng)
        self.role_names = [f"role-{n:05}" for n in range(roles)]
        self.trusts = {name: self._trust(n) for n, name in enumerate(self.role_names)}
        self._resources()

    def _trust(self, index: int) -> dict[str, Any]:
        roll = self.rng.random()
        if roll < 0.80:
            principal: dict[str, Any] = {"Service": SERVICES[index % len(SERVICES)]}
        elif roll < 0.85:
            principal = {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}
        elif roll < 0.95:
            principal = {
                "AWS": f"arn:aws:iam::{ACCOUNT}:role/{self.rng.choice(self.role_names[: index + 1])}"
            }
        else:
            principal = {"AWS": f"arn:aws:iam::{OTHER_ACCOUNT}:root"}
        statement: dict[str, Any] = {
            "Effect": "Allow",
            "Principal": principal,
            "Action": "sts:AssumeRole",
        }
        if "AWS" in principal and OTHER_ACCOUNT in principal["AWS"]:
            statement["Condition"] = {"StringEquals": {"sts:ExternalId": f"ext-{index}"}}
        return _doc(statement)

    def _resources(self) -> None:
        share = self.resource_count / 30_000
        self.repositories = [f"repo-{n:05}" for n in range(int(8000 * share))]
        self.buckets = [f"bucket-{n:05}" for n in range(int(8000 * share))]
        self.keys = [f"{n:08x}-1111-2222-3333-444455556666" for n in range(int(2000 * share))]
        self.projects = [f"project-{n:05}" for n in range(int(3000 * share))]
        self.connections = [f"conn-{n:05}" for n in range(int(1000 * share))]
        self.pipelines = [f"pipeline-{n:05}" for n in range(int(2000 * share))]

    def _specific(self) -> dict[str, Any]:
        rng = self.rng
        kind = rng.randrange(6)
        if kind == 0:
            repos = rng.sample(self.repositories, 3)
            return {
                "Effect": "Allow",
                "Action": [
                    "ecr:PutImage",
                    "ecr:InitiateLayerUpload",
                    "ecr:UploadLayerPart",
                    "ecr:CompleteLayerUpload",
                    "ecr:BatchCheckLayerAvailability",
                ],
                "Resource": [f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/{r}" for r in repos],
            }
        if kind == 1:
            bucket = rng.choice(self.buckets)
            return {
                "Effect": "Allow",
                "Action": ["s3:GetObject", "s3:PutObject"],
                "Resource": f"arn:aws:s3:::{bucket}/*",
            }
        if kind == 2:
            project = rng.choice(self.projects)
            group = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/codebuild/{project}"
            return {
                "Effect": "Allow",
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": [group, f"{group}:*"],
            }
        if kind == 3:
            return {
                "Effect": "Allow",
                "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
                "Resource": f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{rng.choice(self.keys)}",
            }
        if kind == 4:
            target = rng.choice(self.role_names)
            return {
                "Effect": "Allow",
                "Action": "iam:PassRole",
                "Resource": f"arn:aws:iam::{ACCOUNT}:role/{target}",
                "Condition": {"StringEquals": {"iam:PassedToService": rng.choice(SERVICES)}},
            }
        prefix = rng.choice(self.repositories)[:8]
        return {
            "Effect": "Allow",
            "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
            "Resource": f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/{prefix}*",
        }

    def authorization_details(self) -> dict[str, Any]:
        rng = self.rng
        managed_names = sorted(self.aws_managed)
        small = [name for name in managed_names if name not in BROAD]
        policies = [
            _managed_entry(name, f"arn:aws:iam::aws:policy/{name}", document)
            for name, document in sorted(self.aws_managed.items())
        ]
        inline_count = self.role_count
        customer_count = max(self.policy_count - len(policies) - inline_count, 0)
        customer = []
        for n in range(customer_count):
            arn = f"arn:aws:iam::{ACCOUNT}:policy/team-{n:05}"
            document = _doc(*(self._specific() for _ in range(rng.randint(1, 3))))
            customer.append(arn)
            policies.append(_managed_entry(f"team-{n:05}", arn, document))
        roles = []
        for name in self.role_names:
            attached = [
                f"arn:aws:iam::aws:policy/{p}" for p in rng.sample(small, rng.randint(1, 3))
            ]
            for broad, share in BROAD.items():
                if broad in self.aws_managed and rng.random() < share:
                    attached.append(f"arn:aws:iam::aws:policy/{broad}")
            if customer and rng.random() < 0.6:
                attached.append(rng.choice(customer))
            roles.append(
                {
                    "Path": "/",
                    "RoleName": name,
                    "RoleId": f"AROA{_stable_id(name)}",
                    "Arn": f"arn:aws:iam::{ACCOUNT}:role/{name}",
                    "CreateDate": CREATED,
                    "InstanceProfileList": [],
                    "Tags": [],
                    "RoleLastUsed": {},
                    "AssumeRolePolicyDocument": self.trusts[name],
                    "RolePolicyList": [
                        {
                            "PolicyName": f"{name}-inline",
                            "PolicyDocument": _doc(
                                *(self._specific() for _ in range(rng.randint(1, 4)))
                            ),
                        }
                    ],
                    "AttachedManagedPolicies": [
                        {"PolicyName": a.rsplit("/", 1)[-1], "PolicyArn": a} for a in attached
                    ],
                }
            )
        return {
            "UserDetailList": [],
            "GroupDetailList": [],
            "RoleDetailList": roles,
            "Policies": policies,
        }

    def snapshot(self) -> dict[str, Any]:
        pull = _doc(
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{OTHER_ACCOUNT}:root"},
                "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
            }
        )
        repositories = [
            {
                "name": r,
                "arn": f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/{r}",
                "uri": f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/{r}",
                "policy": pull if n % 20 == 0 else None,
            }
            for n, r in enumerate(self.repositories)
        ]
        buckets = []
        for n, bucket in enumerate(self.buckets):
            policy = None
            if n % 10 == 0:
                arn = f"arn:aws:s3:::{bucket}"
                policy = _doc(
                    {
                        "Sid": "DenyInsecureTransport",
                        "Effect": "Deny",
                        "Principal": "*",
                        "Action": "s3:*",
                        "Resource": [arn, f"{arn}/*"],
                        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                    }
                )
            buckets.append({"name": bucket, "region": REGION, "policy": policy})
        projects = []
        for n, project in enumerate(self.projects):
            variable = (
                {"name": "TOKEN", "value": f"/ci/{project}/token", "type": "PARAMETER_STORE"}
                if n % 2
                else {"name": "TOKEN", "value": f"ci/{project}/token", "type": "SECRETS_MANAGER"}
            )
            projects.append(
                {
                    "name": project,
                    "arn": f"arn:aws:codebuild:{REGION}:{ACCOUNT}:project/{project}",
                    "service_role": role_arn(self.role_names[(n * 7) % len(self.role_names)]),
                    "region": REGION,
                    "source": {"type": "CODEPIPELINE"},
                    "environment": {"variables": [variable]},
                }
            )
        pipelines = []
        for n, pipeline in enumerate(self.pipelines):
            project = self.projects[n % len(self.projects)]
            pipelines.append(
                {
                    "name": pipeline,
                    "arn": f"arn:aws:codepipeline:{REGION}:{ACCOUNT}:{pipeline}",
                    "role_arn": role_arn(self.role_names[(n * 13) % len(self.role_names)]),
                    "region": REGION,
                    "stages": [
                        {
                            "name": "Build",
                            "actions": [
                                {
                                    "name": "Build",
                                    "category": "Build",
                                    "provider": "CodeBuild",
                                    "configuration": {"ProjectName": project},
                                }
                            ],
                        }
                    ],
                }
            )
        return {
            "kind": "pipedoctor-snapshot",
            "schema_version": 1,
            "account_id": ACCOUNT,
            "regions": [REGION],
            "origin": "bench_graph synthetic account",
            "ecr_repositories": repositories,
            "buckets": buckets,
            "kms_keys": [{"arn": f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{k}"} for k in self.keys],
            "connections": [
                {"arn": f"arn:aws:codeconnections:{REGION}:{ACCOUNT}:connection/{c}", "name": c}
                for c in self.connections
            ],
            "projects": projects,
            "pipelines": pipelines,
        }


class OrganisationAccount(Account):
    """The shape that makes escalation search quadratic in real organisations: one role in seven
    trusts the account root, and some roles may assume `*` or pass `*` to CodeBuild."""

    WILDCARD_SHARE = 0.03

    def _trust(self, index: int) -> dict[str, Any]:
        if index % 7 == 0:
            return _doc(
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                    "Action": "sts:AssumeRole",
                }
            )
        return super()._trust(index)

    def authorization_details(self) -> dict[str, Any]:
        details = super().authorization_details()
        for entry in details["RoleDetailList"]:
            statements = entry["RolePolicyList"][0]["PolicyDocument"]["Statement"]
            roll = self.rng.random()
            if roll < self.WILDCARD_SHARE:
                statements.append({"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"})
            elif roll < 2 * self.WILDCARD_SHARE:
                statements.append({"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"})
                statements.append(
                    {
                        "Effect": "Allow",
                        "Action": ["codebuild:CreateProject", "codebuild:StartBuild"],
                        "Resource": "*",
                    }
                )
            if "ec2.amazonaws.com" in json.dumps(entry["AssumeRolePolicyDocument"]):
                entry["InstanceProfileList"] = [
                    {"Arn": f"arn:aws:iam::{ACCOUNT}:instance-profile/{entry['RoleName']}"}
                ]
        return details


ESCALATIONS_CHILD = r"""
import json, resource, subprocess, sys, time
started = time.perf_counter()
result = subprocess.run(
    [sys.executable, "-c", "import sys; from pipedoctor.cli import main; sys.exit(main(sys.argv[1:]))",
     "graph", "escalations", "--authorization-details", sys.argv[1], "--format", "json"],
    capture_output=True, text=True,
)
elapsed = time.perf_counter() - started
if result.returncode not in (0, 1):
    raise SystemExit(result.stderr[-3000:])
report = json.loads(result.stdout)
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({
    "seconds": elapsed,
    "cpu_seconds": usage.ru_utime + usage.ru_stime,
    "peak_rss_mb": usage.ru_maxrss / 1024,
    "escalations": len(report["escalations"]),
    "principals": len({e["principal"] for e in report["escalations"]}),
    "administrators": len(report["administrators"]),
}))
"""


def run_escalations(authz: Path) -> dict[str, Any]:
    """`pipedoctor graph escalations` on the file, in a child process (time and peak memory)."""
    result = subprocess.run(
        [sys.executable, "-c", ESCALATIONS_CHILD, str(authz)],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT / "src")},
    )
    if result.returncode != 0:
        raise SystemExit(f"graph escalations failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


CHILD = r"""
import json, resource, statistics, sys, time
sys.path.insert(0, sys.argv[1])
authz_path, snapshot_path = sys.argv[2], sys.argv[3]
from pipedoctor.graph.authz_details import load_authorization_details
from pipedoctor.graph.build import build_graph
from pipedoctor.model import load

results = {}
started = time.perf_counter()
inventory = load_authorization_details(authz_path)
snapshot = load(snapshot_path) if snapshot_path != "-" else None
results["load_s"] = time.perf_counter() - started
started = time.perf_counter()
pg = build_graph(snapshot, inventory)
results["build_s"] = time.perf_counter() - started
results["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
results["nodes"] = pg.graph.number_of_nodes()
results["edges"] = pg.graph.number_of_edges()
results["warnings"] = len(pg.warnings)
if snapshot is not None:
    from pipedoctor.graph.escalation import find_escalations
    from pipedoctor.graph.queries import paths, unused, what_can, who_can

    def timed(name, calls):
        times = []
        for call in calls:
            begin = time.perf_counter()
            answer = call()
            times.append((time.perf_counter() - begin) * 1000)
        results[name] = {"median_ms": statistics.median(times), "max_ms": max(times), "runs": len(times),
                         "last_answer_size": len(answer)}

    repos = [r.arn for r in snapshot.ecr_repositories[::400]]
    timed("who-can", [lambda r=r: who_can(pg, "ecr:PutImage", r) for r in repos]
          + [lambda b=b: who_can(pg, "s3:GetObject", f"arn:aws:s3:::{b.name}/*") for b in snapshot.buckets[::400]])
    roles = [p.service_role for p in snapshot.projects[::300]]
    timed("what-can", [lambda r=r: what_can(pg, r) for r in roles])
    timed("path", [lambda p=p: paths(pg, p.arn, "arn:aws:s3:::" + snapshot.buckets[0].name) for p in snapshot.pipelines[:5]])
    timed("unused", [lambda r=r: unused(pg, r) for r in roles])
    timed("escalations", [lambda: find_escalations(pg)])
print(json.dumps(results))
"""


def run_graph(authz: Path, snapshot: Path | None) -> dict[str, Any]:
    command = [
        sys.executable,
        "-c",
        CHILD,
        str(REPO_ROOT / "src"),
        str(authz),
        str(snapshot or "-"),
    ]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"graph build failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def run_cloudsplaining(authz: Path, scratch: Path) -> tuple[float | None, str]:
    """`cloudsplaining scan` of the file, installed once into a venv beside `scratch` (never a
    project dependency)."""
    scratch.mkdir(parents=True, exist_ok=True)
    environment = scratch.parent / "cloudsplaining-venv"
    if not (environment / "bin" / "cloudsplaining").exists():
        try:
            venv.create(environment, with_pip=True)
            install = subprocess.run(
                [str(environment / "bin" / "pip"), "install", "--quiet", "cloudsplaining"],
                capture_output=True,
                text=True,
                timeout=900,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as error:
            return None, f"could not install cloudsplaining: {error}"
        if install.returncode != 0:
            return None, "pip install cloudsplaining failed: " + (
                install.stderr.strip().splitlines() or ["?"]
            )[-1]
    output = scratch / "cloudsplaining-out"
    output.mkdir()
    command = [
        str(environment / "bin" / "cloudsplaining"),
        "scan",
        "--input-file",
        str(authz),
        "--output",
        str(output),
        "--skip-open-report",
    ]
    started = time.perf_counter()
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=3600, check=False)
    except subprocess.TimeoutExpired:
        return None, "cloudsplaining scan took more than an hour"
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        return None, "cloudsplaining scan failed: " + (result.stderr.strip().splitlines() or ["?"])[
            -1
        ]
    return elapsed, ""


def organisation_escalations(sizes: list[int], skip_cloudsplaining: bool, both: bool) -> int:
    """`graph escalations` on organisation-shaped accounts of each size, and cloudsplaining on
    the first one (and the others with `both`), in the same run."""
    timings: dict[int, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-escalations-") as scratch_name:
        scratch = Path(scratch_name)
        for roles in sizes:
            scale = roles / 5000
            account = OrganisationAccount(roles, int(12000 * scale), int(30000 * scale))
            authz = scratch / f"organisation-{roles}.json"
            details = account.authorization_details()
            authz.write_text(json.dumps(details))
            root_trusts = sum(
                1
                for r in details["RoleDetailList"]
                if ":root" in json.dumps(r["AssumeRolePolicyDocument"])
            )
            print(
                f"organisation account: {roles} roles ({root_trusts} trusting an account root), "
                f"{len(details['Policies']) + roles} policies, {authz.stat().st_size / 1e6:.1f} MB"
            )
            timing = timings[roles] = run_escalations(authz)
            print(
                f"  pipedoctor graph escalations: {timing['seconds']:.1f} s wall, "
                f"{timing['cpu_seconds']:.1f} s CPU, peak RSS {timing['peak_rss_mb']:.0f} MB; "
                f"{timing['escalations']} escalations by {timing['principals']} principals, "
                f"{timing['administrators']} administrators"
            )
            if not skip_cloudsplaining and (both or roles == sizes[0]):
                elapsed, why = run_cloudsplaining(authz, scratch / f"cs-{roles}")
                if elapsed is None:
                    print(f"  cloudsplaining: not measured: {why}")
                else:
                    print(
                        f"  cloudsplaining scan, same file: {elapsed:.1f} s wall; "
                        f"cloudsplaining / pipedoctor: {elapsed / timing['seconds']:.1f}x"
                    )
    first = timings[sizes[0]]
    goals = [
        (f"{sizes[0]} roles <= 10 s (wall)", first["seconds"] <= 10),
        (f"{sizes[0]} roles <= 10 s (CPU)", first["cpu_seconds"] <= 10),
        (f"{sizes[0]} roles <= 1 GB", first["peak_rss_mb"] <= 1024),
    ]
    for roles in sizes[1:]:
        ratio = timings[roles]["cpu_seconds"] / first["cpu_seconds"]
        print(
            f"{roles} / {sizes[0]} roles: {ratio:.2f}x the CPU time for {roles / sizes[0]:.0f}x the roles"
        )
        goals.append((f"{roles} roles under 5x the time of {sizes[0]}", ratio < 5))
    for goal, met in goals:
        print(f"goal {goal}: {'met' if met else 'NOT met'}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--roles", type=int, default=5000)
    parser.add_argument("--policies", type=int, default=12000)
    parser.add_argument("--resources", type=int, default=30000)
    parser.add_argument("--skip-cloudsplaining", action="store_true")
    parser.add_argument(
        "--escalations",
        action="store_true",
        help="the escalation benchmark: organisation-shaped accounts of 5,000 and 20,000 roles",
    )
    parser.add_argument(
        "--sizes", default="5000,20000", help="--escalations: role counts (default 5000,20000)"
    )
    parser.add_argument(
        "--cloudsplaining-on-all",
        action="store_true",
        help="--escalations: run cloudsplaining on every size, not only the first (slow)",
    )
    args = parser.parse_args()
    if args.escalations:
        sizes = [int(size) for size in args.sizes.split(",")]
        return organisation_escalations(sizes, args.skip_cloudsplaining, args.cloudsplaining_on_all)

    with tempfile.TemporaryDirectory(prefix="bench-graph-") as scratch_name:
        scratch = Path(scratch_name)
        started = time.perf_counter()
        account = Account(args.roles, args.policies, args.resources)
        authz, snapshot = scratch / "authorization-details.json", scratch / "snapshot.json"
        details = account.authorization_details()
        authz.write_text(json.dumps(details))
        snapshot_data = account.snapshot()
        snapshot.write_text(json.dumps(snapshot_data))
        resources = (
            len(account.repositories)
            + len(account.buckets)
            + len(account.keys)
            + 3 * len(account.projects)
            + len(account.connections)
            + len(account.pipelines)
        )
        print(
            f"account: {len(details['RoleDetailList'])} roles, "
            f"{len(details['Policies']) + len(details['RoleDetailList'])} policies "
            f"({len(account.aws_managed)} AWS managed), {resources} resources; "
            f"authorization details {authz.stat().st_size / 1e6:.1f} MB; generated in {time.perf_counter() - started:.1f} s"
        )

        alone = run_graph(authz, None)
        print(
            f"graph, authorization details only: built in {alone['build_s']:.1f} s (+{alone['load_s']:.1f} s "
            f"reading), peak RSS {alone['peak_rss_mb']:.0f} MB, {alone['nodes']} nodes, {alone['edges']} edges"
        )
        full = run_graph(authz, snapshot)
        print(
            f"graph, with the snapshot's resources: built in {full['build_s']:.1f} s (+{full['load_s']:.1f} s "
            f"reading), peak RSS {full['peak_rss_mb']:.0f} MB, {full['nodes']} nodes, {full['edges']} edges"
        )
        for query in ("who-can", "what-can", "path", "unused", "escalations"):
            timing = full[query]
            print(
                f"  {query:12} median {timing['median_ms']:8.1f} ms, max {timing['max_ms']:8.1f} ms "
                f"over {timing['runs']} run(s)"
            )
        goals = [
            ("build <= 30 s", full["build_s"] <= 30),
            ("peak <= 2 GB", full["peak_rss_mb"] <= 2048),
            ("who-can <= 100 ms", full["who-can"]["max_ms"] <= 100),
        ]
        if args.skip_cloudsplaining:
            print("cloudsplaining: skipped (--skip-cloudsplaining)")
        else:
            elapsed, why = run_cloudsplaining(authz, scratch / "cloudsplaining")
            if elapsed is None:
                print(f"cloudsplaining: not measured: {why}")
            else:
                ours = alone["load_s"] + alone["build_s"]
                print(
                    f"cloudsplaining scan (same authorization details): {elapsed:.1f} s; "
                    f"pipedoctor graph (read + build): {ours:.1f} s; ratio {elapsed / ours:.1f}x"
                )
                goals.append(("faster than cloudsplaining", ours < elapsed))
        for goal, met in goals:
            print(f"goal {goal}: {'met' if met else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
