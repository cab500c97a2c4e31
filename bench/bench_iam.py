"""Benchmark: pipedoctor's IAM evaluator against @cloud-copilot/iam-simulate, same requests.

Evaluates 200,000 requests against realistic CI/CD role policy sets (AWS managed policies from
../shared/corpus/managed-policies plus inline policies with conditions, a permission boundary,
SCPs and bucket/key policies), prints decisions per second, then runs the same requests through
iam-simulate's core engine (installed with npm into a temporary folder, never a project
dependency) and prints the speed ratio and the agreement.

    .venv/bin/python bench/bench_iam.py [--requests 200000] [--seed 7] [--skip-node]
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT / "src"))

from pipedoctor.iam import PolicySet, Request, evaluate, load_catalog

CORPUS = REPO_ROOT.parent / "shared" / "corpus"
MANAGED = CORPUS / "managed-policies" / "mamip" / "policies"
ACCOUNT = "111122223333"
OTHER_ACCOUNT = "444455556666"
REGION = "eu-west-1"
BUCKET = "pipeline-artifacts-111122223333"
KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/0f1e2d3c-aaaa-bbbb-cccc-1234567890ab"
CONNECTION_NEW = f"arn:aws:codeconnections:{REGION}:{ACCOUNT}:connection/11111111-2222"
CONNECTION_OLD = f"arn:aws:codestar-connections:{REGION}:{ACCOUNT}:connection/33333333-4444"
NODE_DRIVER = r"""
const fs = require('fs');
const path = require('path');
const root = process.argv[2];
const sim = (p) => require(path.join(root, 'node_modules/@cloud-copilot/iam-simulate/dist/cjs', p));
const { loadPolicy } = require('@cloud-copilot/iam-policy');
const { authorize } = sim('core_engine/CoreSimulatorEngine.js');
const { AwsRequestImpl } = sim('request/request.js');
const { RequestContextImpl } = sim('requestContext.js');
const { DiscoveryContextKeyConstraints } = sim('context_keys/discoveryContextKeyConstraints.js');
const data = JSON.parse(fs.readFileSync(process.argv[3], 'utf8'));
const load = (doc, name) => loadPolicy(doc, { name });
const sets = data.policySets.map((s, i) => ({
  identityPolicies: s.identity.map((d, j) => load(d, `identity${j}`)),
  permissionBoundaries: s.boundaries.length ? s.boundaries.map((d, j) => load(d, `pb${j}`)) : undefined,
  serviceControlPolicies: s.scps.map((level, k) => ({ orgIdentifier: `ou-${k}`, policies: level.map((d, j) => load(d, `scp${k}-${j}`)) })),
  resourceControlPolicies: [],
}));
const resourcePolicies = data.resourcePolicies.map((d, i) => d ? load(d, `rp${i}`) : undefined);
const params = { simulationMode: 'Strict', discoveryContextKeyConstraints: new DiscoveryContextKeyConstraints([]) };
const out = new Array(data.requests.length);
const start = process.hrtime.bigint();
for (let i = 0; i < data.requests.length; i++) {
  const [setIndex, action, resource, accountId, principal, context, wildcardOnly, rpIndex] = data.requests[i];
  const s = sets[setIndex];
  const request = new AwsRequestImpl(principal, { resource, accountId }, action, new RequestContextImpl(context), wildcardOnly);
  const analysis = authorize({
    request, sessionPolicy: undefined, identityPolicies: s.identityPolicies,
    serviceControlPolicies: s.serviceControlPolicies, resourceControlPolicies: s.resourceControlPolicies,
    resourcePolicy: resourcePolicies[rpIndex], permissionBoundaries: s.permissionBoundaries,
    vpcEndpointPolicies: undefined, simulationParameters: params,
  });
  out[i] = analysis.result;
}
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
fs.writeFileSync(process.argv[4], JSON.stringify({ seconds, decisions: out }));
"""


def managed(name: str) -> dict[str, Any]:
    data = json.loads((MANAGED / f"{name}.json").read_text(encoding="utf-8"))
    return data["PolicyVersion"]["Document"]


def doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def policy_sets() -> list[dict[str, Any]]:
    codebuild_inline = doc(
        {
            "Sid": "Logs",
            "Effect": "Allow",
            "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": [f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/codebuild/*"],
        },
        {
            "Sid": "Artifacts",
            "Effect": "Allow",
            "Action": ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject"],
            "Resource": [f"arn:aws:s3:::{BUCKET}/*"],
        },
        {
            "Sid": "EncryptedPutsOnly",
            "Effect": "Deny",
            "Action": "s3:PutObject",
            "Resource": f"arn:aws:s3:::{BUCKET}/*",
            "Condition": {
                "StringNotEqualsIfExists": {"s3:x-amz-server-side-encryption": "aws:kms"}
            },
        },
        {
            "Sid": "Source",
            "Effect": "Allow",
            "Action": ["codestar-connections:UseConnection", "codeconnections:UseConnection"],
            "Resource": [CONNECTION_OLD, CONNECTION_NEW],
        },
        {
            "Sid": "Key",
            "Effect": "Allow",
            "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
            "Resource": KEY,
            "Condition": {"StringEquals": {"kms:ViaService": f"s3.{REGION}.amazonaws.com"}},
        },
        {
            "Sid": "TlsOnly",
            "Effect": "Deny",
            "Action": "*",
            "Resource": "*",
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        },
    )
    pipeline_inline = doc(
        {
            "Sid": "PassToCodeBuild",
            "Effect": "Allow",
            "Action": "iam:PassRole",
            "Resource": f"arn:aws:iam::{ACCOUNT}:role/service-role/*",
            "Condition": {
                "StringEqualsIfExists": {
                    "iam:PassedToService": ["codebuild.amazonaws.com", "ecs-tasks.amazonaws.com"]
                }
            },
        },
        {
            "Sid": "Builds",
            "Effect": "Allow",
            "Action": ["codebuild:StartBuild", "codebuild:BatchGetBuilds"],
            "Resource": f"arn:aws:codebuild:{REGION}:{ACCOUNT}:project/*",
        },
        {
            "Sid": "Connection",
            "Effect": "Allow",
            "Action": "codeconnections:UseConnection",
            "Resource": CONNECTION_NEW,
            "Condition": {
                "ForAllValues:StringEquals": {
                    "codeconnections:FullRepositoryId": ["org/app", "org/infra"]
                }
            },
        },
    )
    boundary = doc(
        {
            "Effect": "Allow",
            "Action": [
                "ecs:*",
                "ecr:*",
                "logs:*",
                "s3:*",
                "iam:PassRole",
                "kms:*",
                "elasticloadbalancing:*",
                "cloudformation:*",
            ],
            "Resource": "*",
        },
        {"Effect": "Deny", "Action": ["iam:Create*", "iam:Delete*", "iam:Put*"], "Resource": "*"},
    )
    region_scp = doc(
        {"Effect": "Allow", "Action": "*", "Resource": "*"},
        {
            "Sid": "RegionLock",
            "Effect": "Deny",
            "NotAction": ["iam:*", "sts:*", "cloudfront:*", "route53:*", "support:*"],
            "Resource": "*",
            "Condition": {"StringNotEquals": {"aws:RequestedRegion": [REGION, "us-east-1"]}},
        },
    )
    protect_scp = doc(
        {"Effect": "Allow", "Action": "*", "Resource": "*"},
        {
            "Sid": "ProtectAudit",
            "Effect": "Deny",
            "Action": ["cloudtrail:StopLogging", "cloudtrail:DeleteTrail", "s3:DeleteBucket"],
            "Resource": "*",
            "Condition": {
                "StringNotLike": {"aws:PrincipalArn": f"arn:aws:iam::{ACCOUNT}:role/admin-*"}
            },
        },
    )
    return [
        {
            "principal": f"arn:aws:iam::{ACCOUNT}:role/service-role/codebuild-app-role",
            "identity": [
                managed("AmazonEC2ContainerRegistryPowerUser"),
                managed("CloudWatchLogsFullAccess"),
                managed("AmazonS3ReadOnlyAccess"),
                codebuild_inline,
            ],
            "boundaries": [],
            "scps": [[region_scp], [protect_scp]],
        },
        {
            "principal": f"arn:aws:sts::{ACCOUNT}:assumed-role/codepipeline-app-role/1700000000000",
            "identity": [
                managed("AWSCodePipeline_FullAccess"),
                managed("AWSCodeBuildDeveloperAccess"),
                pipeline_inline,
            ],
            "boundaries": [],
            "scps": [[region_scp]],
        },
        {
            "principal": f"arn:aws:iam::{ACCOUNT}:role/deploy-ecs",
            "identity": [
                managed("AmazonECS_FullAccess"),
                managed("AWSCodeDeployRoleForECS"),
                managed("AmazonEC2ContainerRegistryFullAccess"),
            ],
            "boundaries": [boundary],
            "scps": [[region_scp], [protect_scp]],
        },
        {
            "principal": f"arn:aws:iam::{ACCOUNT}:role/admin-breakglass",
            "identity": [managed("AdministratorAccess")],
            "boundaries": [],
            "scps": [[protect_scp]],
        },
    ]


def resource_policies() -> list[dict[str, Any] | None]:
    bucket_policy = doc(
        {
            "Sid": "CrossAccountDeploy",
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{OTHER_ACCOUNT}:root"},
            "Action": ["s3:GetObject", "s3:ListBucket"],
            "Resource": [f"arn:aws:s3:::{BUCKET}", f"arn:aws:s3:::{BUCKET}/*"],
        },
        {
            "Sid": "DenyInsecure",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": [f"arn:aws:s3:::{BUCKET}", f"arn:aws:s3:::{BUCKET}/*"],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        },
    )
    key_policy = doc(
        {
            "Sid": "EnableIam",
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
            "Action": "kms:*",
            "Resource": "*",
        },
    )
    return [None, bucket_policy, key_policy]


def _actions(catalog: Any) -> list[str]:
    patterns = [
        "ecr:*",
        "s3:Get*",
        "s3:Put*",
        "s3:List*",
        "s3:DeleteBucket",
        "logs:*",
        "codebuild:*",
        "codepipeline:*",
        "codestar-connections:*",
        "codeconnections:*",
        "kms:Decrypt",
        "kms:GenerateDataKey",
        "iam:PassRole",
        "iam:CreateRole",
        "iam:GetRole",
        "ecs:*",
        "cloudtrail:StopLogging",
        "sts:AssumeRole",
        "ssm:GetParameter*",
        "secretsmanager:GetSecretValue",
    ]
    actions: list[str] = []
    for pattern in patterns:
        actions.extend(catalog.expand(pattern))
    return sorted(set(actions))


def _resource_for(action: str, rng: random.Random) -> tuple[str, int]:
    prefix = action.split(":", 1)[0]
    if prefix == "s3":
        if rng.random() < 0.5:
            return (
                f"arn:aws:s3:::{BUCKET}/{rng.choice(['app', 'infra'])}/build-{rng.randint(1, 50)}.zip",
                1,
            )
        return f"arn:aws:s3:::{rng.choice([BUCKET, 'other-bucket'])}", 1
    choices = {
        "ecr": [
            f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/app",
            f"arn:aws:ecr:us-west-2:{ACCOUNT}:repository/web",
        ],
        "logs": [
            f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/codebuild/app:log-stream:x",
            f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/ecs/app",
        ],
        "codebuild": [
            f"arn:aws:codebuild:{REGION}:{ACCOUNT}:project/app",
            f"arn:aws:codebuild:{REGION}:{ACCOUNT}:report-group/app",
        ],
        "codepipeline": [f"arn:aws:codepipeline:{REGION}:{ACCOUNT}:app-pipeline"],
        "codestar-connections": [CONNECTION_OLD, CONNECTION_NEW],
        "codeconnections": [CONNECTION_NEW, CONNECTION_OLD],
        "kms": [KEY],
        "iam": [
            f"arn:aws:iam::{ACCOUNT}:role/service-role/codebuild-app-role",
            f"arn:aws:iam::{ACCOUNT}:role/deploy-ecs",
        ],
        "ecs": [
            f"arn:aws:ecs:{REGION}:{ACCOUNT}:service/prod/app",
            f"arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/app:7",
        ],
        "sts": [f"arn:aws:iam::{OTHER_ACCOUNT}:role/deployer"],
        "ssm": [f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/app/db-url"],
        "secretsmanager": [f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:app-AbCdEf"],
        "cloudtrail": [f"arn:aws:cloudtrail:{REGION}:{ACCOUNT}:trail/org"],
    }.get(prefix, ["*"])
    return rng.choice(choices), 2 if prefix == "kms" else 0


def build_requests(count: int, seed: int) -> list[tuple[Any, ...]]:
    catalog = load_catalog()
    rng = random.Random(seed)
    actions = _actions(catalog)
    sets = policy_sets()
    requests: list[tuple[Any, ...]] = []
    for _ in range(count):
        set_index = rng.randrange(len(sets))
        action = rng.choice(actions)
        wildcard_only = not catalog.supports_resource_level(action)
        resource, rp_index = ("*", 0) if wildcard_only else _resource_for(action, rng)
        context: dict[str, Any] = {
            "aws:SecureTransport": rng.choice(["true", "true", "true", "false"]),
            "aws:RequestedRegion": rng.choice([REGION, REGION, REGION, "us-west-2"]),
        }
        principal = sets[set_index]["principal"]
        # AWS always sets aws:PrincipalArn (the role ARN for a role session).
        context["aws:PrincipalArn"] = (
            principal.replace(":sts::", ":iam::")
            .replace(":assumed-role/", ":role/")
            .rsplit("/", 1)[0]
            if ":assumed-role/" in principal
            else principal
        )
        if rng.random() < 0.3:
            context["kms:ViaService"] = rng.choice(
                [f"s3.{REGION}.amazonaws.com", f"secretsmanager.{REGION}.amazonaws.com"]
            )
        if rng.random() < 0.3:
            context["s3:x-amz-server-side-encryption"] = rng.choice(["aws:kms", "AES256"])
        if rng.random() < 0.2:
            context["iam:PassedToService"] = rng.choice(
                ["codebuild.amazonaws.com", "lambda.amazonaws.com"]
            )
        if rng.random() < 0.2:
            context["codeconnections:FullRepositoryId"] = rng.choice(["org/app", "org/other"])
        account = (
            resource.split(":")[4]
            if resource.startswith("arn:") and resource.split(":")[4]
            else ACCOUNT
        )
        if rp_index == 1:
            account = ACCOUNT
        requests.append(
            (
                set_index,
                action,
                resource,
                account,
                sets[set_index]["principal"],
                context,
                wildcard_only,
                rp_index,
            )
        )
    return requests


def run_pipedoctor(requests: list[tuple[Any, ...]]) -> tuple[float, list[str]]:
    sets = policy_sets()
    rps = resource_policies()
    # One policy set per (principal set, resource policy): compiled once, reused for every request.
    compiled = {
        (index, rp_index): PolicySet(
            identity=s["identity"],
            boundaries=s["boundaries"],
            scps=s["scps"],
            resource_policy=rps[rp_index],
        )
        for index, s in enumerate(sets)
        for rp_index in range(len(rps))
    }
    typed = [
        (
            compiled[(set_index, rp_index)],
            Request(action, resource, principal, None, account, context, wildcard_only),
        )
        for set_index, action, resource, account, principal, context, wildcard_only, rp_index in requests
    ]
    for policy_set in compiled.values():
        policy_set.compiled()
    start = time.perf_counter()
    decisions = [evaluate(request, policy_set).decision for policy_set, request in typed]
    return time.perf_counter() - start, decisions


def run_iam_simulate(requests: list[tuple[Any, ...]]) -> tuple[float, list[str]] | None:
    npm = shutil.which("npm")
    node = shutil.which("node")
    if not npm or not node:
        print("iam-simulate: skipped (node/npm not found)")
        return None
    with tempfile.TemporaryDirectory(prefix="pd-bench-") as folder:
        root = Path(folder)
        subprocess.run([npm, "init", "-y"], cwd=root, check=True, capture_output=True)
        install = subprocess.run(
            [npm, "install", "--no-audit", "--no-fund", "@cloud-copilot/iam-simulate"],
            check=False,
            cwd=root,
            capture_output=True,
            text=True,
        )
        if install.returncode != 0:
            print(f"iam-simulate: npm install failed: {install.stderr.strip()[:300]}")
            return None
        version = json.loads(
            (root / "node_modules/@cloud-copilot/iam-simulate/package.json").read_text()
        )["version"]
        sets = policy_sets()
        payload = {
            "policySets": [
                {"identity": s["identity"], "boundaries": s["boundaries"], "scps": s["scps"]}
                for s in sets
            ],
            "resourcePolicies": resource_policies(),
            "requests": [list(item) for item in requests],
        }
        (root / "input.json").write_text(json.dumps(payload), encoding="utf-8")
        (root / "driver.js").write_text(NODE_DRIVER, encoding="utf-8")
        result = subprocess.run(
            [
                node,
                str(root / "driver.js"),
                str(root),
                str(root / "input.json"),
                str(root / "output.json"),
            ],
            check=False,
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            print(f"iam-simulate: driver failed: {result.stderr.strip()[:500]}")
            return None
        output = json.loads((root / "output.json").read_text(encoding="utf-8"))
        node_version = subprocess.run(
            [node, "--version"], check=False, capture_output=True, text=True
        ).stdout.strip()
        print(f"iam-simulate {version} (node {node_version})")
        return output["seconds"], output["decisions"]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--skip-node", action="store_true", help="only time pipedoctor")
    args = parser.parse_args()
    if not MANAGED.is_dir():
        print(f"corpus not found at {MANAGED}", file=sys.stderr)
        return 2
    requests = build_requests(args.requests, args.seed)
    seconds, ours = run_pipedoctor(requests)
    rate = len(requests) / seconds
    counts = {
        name: ours.count(name) for name in ("Allowed", "ImplicitlyDenied", "ExplicitlyDenied")
    }
    print(
        f"pipedoctor: {len(requests):,} requests in {seconds:.2f} s = {rate:,.0f} decisions/s (one core) {counts}"
    )
    if args.skip_node:
        return 0
    theirs = run_iam_simulate(requests)
    if theirs is None:
        return 1
    their_seconds, their_decisions = theirs
    their_rate = len(requests) / their_seconds
    agree = sum(1 for a, b in zip(ours, their_decisions, strict=True) if a == b)
    print(f"iam-simulate: {their_seconds:.2f} s = {their_rate:,.0f} decisions/s")
    print(f"speed ratio pipedoctor / iam-simulate: {rate / their_rate:.2f}x")
    print(f"agreement: {agree:,}/{len(requests):,} = {agree / len(requests):.3%}")
    mismatches: dict[tuple[str, str, str], int] = {}
    for request, a, b in zip(requests, ours, their_decisions, strict=True):
        if a != b:
            key = (request[1], a, b)
            mismatches[key] = mismatches.get(key, 0) + 1
    for (action, a, b), number in sorted(mismatches.items(), key=lambda item: -item[1])[:15]:
        print(f"  differs x{number}: {action}: pipedoctor {a}, iam-simulate {b}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
