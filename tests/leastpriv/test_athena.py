"""Athena: the aggregate SQL as text, and the query run and paged through botocore's Stubber."""

from __future__ import annotations

from functools import partial

import boto3
import pytest
from botocore.stub import Stubber

from pipedoctor.collect.athena_query import QueryFailed, run_query
from pipedoctor.leastpriv.athena import AthenaError, AthenaTable, aggregation_sql, usage_from_athena
from pipedoctor.leastpriv.event_actions import request_parameter_keys
from tests.leastpriv.trail_records import ACCOUNT, ROLE_ARN

TABLE = AthenaTable("trails", "cloudtrail_logs", "ci", "s3://athena-results/pipedoctor/")


def test_sql_groups_by_identity_event_and_parameters() -> None:
    sql = aggregation_sql(TABLE, principal="codebuild-app-role", days=30)
    assert 'FROM "trails"."cloudtrail_logs"' in sql
    assert "useridentity.sessioncontext.sessionissuer.arn AS issuer_arn" in sql
    assert (
        """json_extract_scalar(requestparameters, '$["repositoryName"]') AS param_repositoryName"""
        in sql
    )
    assert """'$["x-amz-copy-source"]') AS param_x_amz_copy_source""" in sql
    assert "count(*) AS calls, min(eventtime) AS first_seen, max(eventtime) AS last_seen" in sql
    assert "useridentity.sessioncontext.sessionissuer.username = 'codebuild-app-role'" in sql
    assert "eventtime >= '" in sql
    columns = 10 + len(request_parameter_keys()) + 1
    assert sql.rstrip().endswith("GROUP BY " + ", ".join(str(i) for i in range(1, columns + 1)))


def test_sql_quotes_user_text_and_rejects_bad_names() -> None:
    sql = aggregation_sql(TABLE, principal="o'brien")
    assert "'o''brien'" in sql and "eventtime >=" not in sql
    with pytest.raises(AthenaError):
        AthenaTable("trails; DROP TABLE x", "t")
    with pytest.raises(AthenaError):
        AthenaTable("db", "t", output="/tmp/out")


def row(*cells: str | None) -> dict:
    return {"Data": [{} if cell is None else {"VarCharValue": cell} for cell in cells]}


def result_row(name: str, repository: str | None, error: str | None, calls: str) -> dict:
    params = {key: None for key in request_parameter_keys()}
    params["repositoryName"] = repository
    return row(
        "AssumedRole", None, ROLE_ARN, None, "ecr.amazonaws.com", name, "AwsApiCall", error, "eu-west-1", ACCOUNT,
        *params.values(), None, calls, "2025-06-01T00:00:00Z", "2025-06-02T00:00:00Z",
    )  # fmt: skip


@pytest.fixture
def athena():
    client = boto3.client(
        "athena", region_name="eu-west-1", aws_access_key_id="a", aws_secret_access_key="b"
    )
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


def test_start_poll_and_page_results(athena, monkeypatch) -> None:
    # the cutoff is written to the second: one fixed moment for the expected query and the real one
    monkeypatch.setattr(
        "pipedoctor.leastpriv.athena.cutoff", lambda days: "2025-03-03T00:00:00Z" if days else None
    )
    client, stubber = athena
    stubber.add_response(
        "start_query_execution",
        {"QueryExecutionId": "q1"},
        {
            "QueryString": aggregation_sql(TABLE, ROLE_ARN, 90),
            "QueryExecutionContext": {"Database": "trails"},
            "WorkGroup": "ci",
            "ResultConfiguration": {"OutputLocation": "s3://athena-results/pipedoctor/"},
        },
    )
    for state in ("QUEUED", "RUNNING", "SUCCEEDED"):
        stubber.add_response(
            "get_query_execution",
            {"QueryExecution": {"Status": {"State": state}}},
            {"QueryExecutionId": "q1"},
        )
    header = row("identity_type", "...")
    stubber.add_response(
        "get_query_results",
        {
            "ResultSet": {"Rows": [header, result_row("PutImage", "app", None, "40")]},
            "NextToken": "n",
        },
        {"QueryExecutionId": "q1"},
    )
    stubber.add_response(
        "get_query_results",
        {
            "ResultSet": {
                "Rows": [
                    result_row("PutImage", "app", "AccessDenied", "2"),
                    result_row("Nope", None, None, "1"),
                ]
            }
        },
        {"QueryExecutionId": "q1", "NextToken": "n"},
    )
    sleeps: list[float] = []
    records, skipped = usage_from_athena(partial(run_query, client, sleep=sleeps.append), TABLE, ROLE_ARN, 90)
    repository = f"arn:aws:ecr:eu-west-1:{ACCOUNT}:repository/app"
    assert [(r.action, r.resource, r.count, r.denied) for r in records] == [
        ("ecr:PutImage", repository, 40, False),
        ("ecr:PutImage", repository, 2, True),
    ]
    assert [(s.reason, s.count) for s in skipped] == [("no IAM action for event ecr:Nope", 1)]
    assert sleeps == [1.0, 1.0]


def test_failed_query_is_one_clear_error(athena) -> None:
    client, stubber = athena
    stubber.add_response("start_query_execution", {"QueryExecutionId": "q2"})
    stubber.add_response(
        "get_query_execution",
        {
            "QueryExecution": {
                "Status": {"State": "FAILED", "StateChangeReason": "TABLE_NOT_FOUND: line 3"}
            }
        },
    )
    with pytest.raises(QueryFailed, match="q2 failed: TABLE_NOT_FOUND"):
        usage_from_athena(partial(run_query, client, sleep=lambda _: None), AthenaTable("trails", "missing"))
