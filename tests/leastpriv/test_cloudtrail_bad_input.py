"""Bad input finishes and says what was skipped and why."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from pipedoctor.leastpriv.cloudtrail import usage_from_cloudtrail
from tests.leastpriv.trail_records import record, write_log


def reasons(skipped: list) -> dict[str, int]:
    return {s.reason: s.count for s in skipped}


def test_truncated_gzip_is_skipped_and_the_rest_is_read(tmp_path: Path) -> None:
    write_log(tmp_path / "good.json.gz", [record()])
    whole = gzip.compress(json.dumps({"Records": [record("ListImages")] * 500}).encode())
    (tmp_path / "cut.json.gz").write_bytes(whole[: len(whole) // 2])
    (tmp_path / "notgzip.json.gz").write_bytes(b"plain text, not gzip")
    records, skipped = usage_from_cloudtrail([str(tmp_path)])
    assert [(r.action, r.count) for r in records] == [("ecr:PutImage", 1)]
    unreadable = [s for s in skipped if s.reason.startswith("unreadable file")]
    assert sorted(Path(e).name for s in unreadable for e in s.examples) == [
        "cut.json.gz",
        "notgzip.json.gz",
    ]
    assert all(
        str(tmp_path) not in s.reason for s in unreadable
    )  # the path is an example, not the reason


def test_malformed_records_and_lines(tmp_path: Path) -> None:
    lines = [
        json.dumps(record()),
        "{not json",
        json.dumps({"no": "event"}),
        json.dumps(record("ListImages")),
    ]
    (tmp_path / "lines.jsonl").write_text("\n".join(lines))
    (tmp_path / "broken.json").write_text('{"Records": [' + json.dumps(record()) + ", {]}")
    (tmp_path / "digest.json").write_text(json.dumps({"digestStartTime": "2025-06-01T00:00:00Z"}))
    records, skipped = usage_from_cloudtrail([str(tmp_path)])
    assert {r.action: r.count for r in records} == {"ecr:PutImage": 1, "ecr:ListImages": 1}
    found = reasons(skipped)
    assert found["malformed line (not a CloudTrail record)"] == 2
    assert found["no CloudTrail records in file"] == 1
    assert any(reason.startswith("unreadable file: Malformed JSON") for reason in found)


def test_unknown_event_sources_and_identities_are_reported(tmp_path: Path) -> None:
    service_call = record("AssumeRole", "sts.amazonaws.com")
    service_call["userIdentity"] = {"type": "AWSAccount", "accountId": "999988887777"}
    write_log(tmp_path / "a.json", [
        record("DoThing", "nosuch.amazonaws.com"),
        record("DoThing", "nosuch.amazonaws.com"),
        record("NotAnAction", "ecr.amazonaws.com"),
        record("GetCallerIdentity", "sts.amazonaws.com"),
        service_call,
    ])  # fmt: skip
    records, skipped = usage_from_cloudtrail([str(tmp_path)])
    assert records == []  # GetCallerIdentity needs no permission: neither usage nor skipped
    assert reasons(skipped) == {
        "unknown event source 'nosuch' (no IAM service prefix)": 2,
        "no IAM action for event ecr:NotAnAction": 1,
        "no principal for identity type 'AWSAccount'": 1,
    }


def test_mixed_accounts_and_regions_stay_apart(tmp_path: Path) -> None:
    write_log(tmp_path / "a.json.gz", [
        record(account="111122223333", region="eu-west-1"),
        record(account="444455556666", region="eu-west-1"),
        record(account="111122223333", region="us-east-1"),
        record(account="111122223333", region="us-east-1"),
    ])  # fmt: skip
    records, skipped = usage_from_cloudtrail([str(tmp_path)])
    assert skipped == []
    assert {(r.principal_arn.split(":")[4], r.resource, r.count) for r in records} == {
        ("111122223333", "arn:aws:ecr:eu-west-1:111122223333:repository/app", 1),
        ("444455556666", "arn:aws:ecr:eu-west-1:444455556666:repository/app", 1),
        ("111122223333", "arn:aws:ecr:us-east-1:111122223333:repository/app", 2),
    }


def test_missing_path_is_reported(tmp_path: Path) -> None:
    records, skipped = usage_from_cloudtrail([str(tmp_path / "nope")])
    assert records == [] and reasons(skipped) == {"no such file or folder": 1}


def test_thousands_of_small_files_with_a_few_bad_ones(tmp_path: Path) -> None:
    """Each bad file is skipped on its own; the speed over many files is bench_cloudtrail's."""
    body = json.dumps({"Records": [record()]}).encode()
    compressed = gzip.compress(body)
    for index in range(2_000):
        folder = tmp_path / f"{index % 100:02d}"
        folder.mkdir(exist_ok=True)
        (folder / f"{index}.json.gz").write_bytes(
            compressed[:20] if index % 500 == 7 else compressed
        )
    records, skipped = usage_from_cloudtrail([str(tmp_path)])
    assert [(r.action, r.count) for r in records] == [("ecr:PutImage", 1_996)]
    assert sum(s.count for s in skipped if s.reason.startswith("unreadable file")) == 4
