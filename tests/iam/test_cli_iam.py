"""`pipedoctor simulate` and `pipedoctor policy lint` end to end (in-process)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

ACCOUNT = "111122223333"


def _line(case_id: str, action: str, identity: list[Any]) -> str:
    return json.dumps(
        {
            "id": case_id,
            "request": {
                "action": action,
                "resource": {"resource": "arn:aws:s3:::artifacts/a", "accountId": ACCOUNT},
                "principal": f"arn:aws:iam::{ACCOUNT}:role/build",
                "context": {},
            },
            "identityPolicies": identity,
        }
    )


def test_simulate_jsonl_with_a_malformed_line(tmp_path: Path, run_cli: Any) -> None:
    policy = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}],
    }
    cases = tmp_path / "cases.jsonl"
    cases.write_text(
        "\n".join(
            [
                _line("a", "s3:GetObject", [policy]),
                "{not json",
                json.dumps({"input": json.loads(_line("b", "s3:PutObject", [policy]))}),
                json.dumps({"id": "c", "request": {"resource": "*"}}),
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    code, out, _ = run_cli("simulate", "--cases", str(cases))
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 2
    assert [row.get("decision") for row in rows] == ["Allowed", None, "ImplicitlyDenied", None]
    assert rows[0]["matched"][0]["layer"] == "identity"
    assert rows[1]["line"] == 2 and "invalid JSON" in rows[1]["error"]
    assert rows[2]["blockedBy"] == ["identity"]
    assert rows[3]["id"] == "c" and "action" in rows[3]["error"]


def test_simulate_missing_file_is_a_usage_error(tmp_path: Path, run_cli: Any) -> None:
    code, out, err = run_cli("simulate", "--cases", str(tmp_path / "nope.jsonl"))
    assert code == 2 and out == ""
    assert "cannot read" in err and "Traceback" not in err


def test_policy_lint_reports_findings_with_pointers(tmp_path: Path, run_cli: Any) -> None:
    document = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "Source",
                "Effect": "Allow",
                "Action": ["codestar-connections:UseConnection", "s3:GetObjekt"],
                "Resource": f"arn:aws:codeconnections:eu-west-1:{ACCOUNT}:connection/abc",
            },
            {
                "Sid": "Source",
                "Effect": "Allow",
                "Action": "ecr:*",
                "Resource": "*",
                "Condition": {"StringEqualz": {"a": "b"}},
            },
        ],
    }
    path = tmp_path / "role.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    code, out, _ = run_cli("policy", "lint", str(path), "--format", "json")
    findings = {(item["code"], item["pointer"]) for item in json.loads(out)}
    assert code == 1
    assert ("E-SERVICE-MISMATCH", "/Statement/0/Action/0") in findings
    assert ("E-UNKNOWN-ACTION", "/Statement/0/Action/1") in findings
    assert ("E-DUPLICATE-SID", "/Statement/1/Sid") in findings
    assert ("E-CONDITION-OPERATOR", "/Statement/1/Condition/StringEqualz") in findings
    assert ("W-WILDCARD-ACTION", "/Statement/1/Action") in findings


def test_policy_lint_clean_file_and_threshold(tmp_path: Path, run_cli: Any) -> None:
    path = tmp_path / "ok.json"
    path.write_text(
        json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": "ecr:*",
                        "Resource": f"arn:aws:ecr:eu-west-1:{ACCOUNT}:repository/app",
                    }
                ],
            }
        ),
        encoding="utf-8",
    )
    assert run_cli("policy", "lint", str(path))[0] == 1  # wildcard action is a warning
    code, out, _ = run_cli("policy", "lint", str(path), "--fail-on", "error")
    assert code == 0 and "W-WILDCARD-ACTION" in out


def test_policy_lint_invalid_json_is_one_clear_error(tmp_path: Path, run_cli: Any) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"Version": "2012-10-17",', encoding="utf-8")
    code, _, err = run_cli("policy", "lint", str(path))
    assert code == 2
    assert "invalid JSON at line 1" in err and "Traceback" not in err
