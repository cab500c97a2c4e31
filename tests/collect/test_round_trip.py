"""collect -> snapshot file -> check: the seed causes are found and proven from live-collected data."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3

from pipedoctor.collect import CollectOptions, collect
from pipedoctor.model import dump
from tests.collect.stubs import Fault
from tests.collect.world import (
    CODEBUILD_ROLE_ARN,
    CONNECTION_ARN,
    EXECUTION_ID,
    MANUAL_EXECUTION,
    PIPELINE,
    RATE_LIMIT_EXECUTION,
    REGION,
    add_seed_logs,
    seed_failure_replies,
)


def collected_check(stubbed_factory: Any, tmp_path: Path, run_cli, **factory_options: Any) -> dict:
    snapshot = collect(
        stubbed_factory(**factory_options), CollectOptions(regions=[REGION], pipelines=[PIPELINE])
    )
    target = tmp_path / "live.json"
    dump(snapshot, target)
    code, out, err = run_cli("check", "--snapshot", str(target), "--format", "json")
    assert code == 1, err
    return json.loads(out)


def test_live_collected_failure_is_diagnosed_and_proven(
    stubbed_factory: Any, tmp_path: Path, run_cli
) -> None:
    report = collected_check(stubbed_factory, tmp_path, run_cli)
    by_cause: dict[str, dict] = {}
    for diagnosis in report["diagnoses"]:  # the failure's diagnosis first, then the configuration check's
        by_cause.setdefault(diagnosis["cause"], diagnosis)
    use_connection = by_cause["codebuild-role-missing-use-connection"]
    assert use_connection["confidence"] >= 0.9
    assert any(line.startswith("IAM:") and "denied" in line for line in use_connection["evidence"])
    assert use_connection["policy_fix"]["Statement"][0]["Resource"] == CONNECTION_ARN
    assert use_connection["policy_fix"]["Statement"][0]["Action"] == [
        f"{CONNECTION_ARN.split(':')[2]}:UseConnection"
    ]
    full_access = next(d for d in report["diagnoses"] if d["rule"] == "ci-role-service-wildcard-policy" and d["resource"].startswith(f"{CODEBUILD_ROLE_ARN}#"))
    assert "every ecr action" in full_access["message"]
    assert any("does not push to" in line for line in full_access["evidence"])
    assert report["collection_errors"] == []


def test_a_role_that_could_not_be_read_is_reported_not_guessed(
    stubbed_factory: Any, tmp_path: Path, run_cli
) -> None:
    denied = [Fault("iam", "GetRole", "AccessDenied", "not authorized to perform: iam:GetRole")]
    report = collected_check(stubbed_factory, tmp_path, run_cli, faults=denied)
    errors = {(e["service"], e["operation"]) for e in report["collection_errors"]}
    assert ("iam", "GetRole") in errors
    use_connection = next(
        d for d in report["diagnoses"] if d["cause"] == "codebuild-role-missing-use-connection"
    )
    assert not any(line.startswith("IAM:") for line in use_connection["evidence"])
    assert any("was not collected" in line for line in use_connection["unverified"])


def test_all_three_seed_failures_from_live_collected_runs(
    stubbed_factory: Any, moto_endpoint: str, tmp_path: Path, run_cli
) -> None:
    add_seed_logs(moto_endpoint)
    snapshot = collect(
        stubbed_factory(replies=seed_failure_replies()),
        CollectOptions(regions=[REGION], pipelines=[PIPELINE], executions=3),
    )
    target = tmp_path / "live.json"
    dump(snapshot, target)
    code, out, err = run_cli("check", "--snapshot", str(target), "--format", "json")
    assert code == 1, err
    top_by_execution: dict[str, str] = {}
    for diagnosis in json.loads(out)["diagnoses"]:  # highest confidence first
        execution = diagnosis["location"].split(" / ")[1] if " / " in diagnosis["location"] else ""
        top_by_execution.setdefault(execution, diagnosis["cause"])
    assert top_by_execution[EXECUTION_ID] == "codebuild-role-missing-use-connection"
    assert top_by_execution[RATE_LIMIT_EXECUTION] == "dockerhub-pull-rate-limit"
    assert top_by_execution[MANUAL_EXECUTION] == "source-variable-empty-on-manual-run"
    rate_limit = next(
        d for d in json.loads(out)["diagnoses"] if d["cause"] == "dockerhub-pull-rate-limit"
    )
    assert "public.ecr.aws/docker/library/node:21-alpine3.19" in rate_limit["fix"]


def test_diagnose_and_check_collect_live_when_given_only_a_pipeline(
    stubbed_factory: Any, monkeypatch, run_cli
) -> None:
    from pipedoctor.app import live as collect_command

    factory = stubbed_factory()
    monkeypatch.setattr(collect_command, "client_factory", lambda session, url: factory)
    code, out, err = run_cli(
        "diagnose", "--pipeline", PIPELINE, "--region", REGION, "--format", "json"
    )
    assert code == 0, err
    causes = [d["cause"] for d in json.loads(out)["diagnoses"]]
    assert causes[0] == "codebuild-role-missing-use-connection"
    assert factory.counter.total() > 0  # it really read through the factory

    factory = stubbed_factory()  # fresh Stubber replies; the patched lambda reads this name
    code, out, err = run_cli(
        "check", "--pipeline", PIPELINE, "--region", REGION, "--format", "json"
    )
    assert code == 1, err
    assert "ci-role-full-access-policy" in {d["cause"] for d in json.loads(out)["diagnoses"]}


def test_several_accounts_go_into_one_snapshot(
    stubbed_factory: Any, monkeypatch, moto_endpoint: str, tmp_path: Path, run_cli
) -> None:
    from pipedoctor.app import live as collect_command
    from pipedoctor.model import load

    monkeypatch.setattr(collect_command, "client_factory", lambda session, url: stubbed_factory())
    target = tmp_path / "two.json"
    roles = ["arn:aws:iam::123456789012:role/reader", "arn:aws:iam::123456789012:role/reader-2"]
    args = [a for role in roles for a in ("--role-arn", role)]
    code, _, err = run_cli(
        "collect", "--pipeline", PIPELINE, "--endpoint-url", moto_endpoint, *args, "-o", str(target)
    )
    assert code == 0, err
    snapshot = load(target)
    assert len(snapshot.pipelines) == 2 and len(snapshot.builds) == 2
    assert snapshot.regions == [REGION]


def test_iam_all_feeds_the_graph_with_every_principal(
    stubbed_factory: Any, moto_endpoint: str, tmp_path: Path, run_cli
) -> None:
    iam = boto3.client("iam", endpoint_url=moto_endpoint, region_name=REGION)
    if "ci-admin" not in {u["UserName"] for u in iam.list_users()["Users"]}:
        iam.create_user(UserName="ci-admin")
        iam.attach_user_policy(
            UserName="ci-admin",
            PolicyArn="arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryFullAccess",
        )
    snapshot = collect(
        stubbed_factory(), CollectOptions(regions=[REGION], pipelines=[PIPELINE], iam_all=True)
    )
    details = snapshot.authorization_details
    assert "ci-admin" in {u["UserName"] for u in details["UserDetailList"]}
    assert CODEBUILD_ROLE_ARN in {r["Arn"] for r in details["RoleDetailList"]}
    target = tmp_path / "account.json"
    dump(snapshot, target)
    repository = f"arn:aws:ecr:{REGION}:123456789012:repository/billing-api"
    code, out, err = run_cli(
        "graph",
        "--snapshot",
        str(target),
        "who-can",
        "ecr:PutImage",
        repository,
        "--format",
        "json",
    )
    assert code == 0, err
    principals = {entry["principal"] for entry in json.loads(out)}
    assert "arn:aws:iam::123456789012:user/ci-admin" in principals  # known only from --iam-all
    assert CODEBUILD_ROLE_ARN in principals
