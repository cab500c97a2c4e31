"""The one-principal reading path (leastpriv/trail_prefilter) against the full reader: the same usage
and skips, whatever the file's shape, escapes and damage (save the documented trade-off)."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipedoctor.leastpriv import cloudtrail
from pipedoctor.leastpriv.cloudtrail import (
    EXAMPLES,
    identity_of,
    is_record,
    principal_matches,
    principal_name,
    principal_of,
    usage_from_cloudtrail,
)
from pipedoctor.leastpriv.trail_prefilter import principal_bytes, principal_records
from tests.leastpriv.trail_records import ACCOUNT, ROLE_ARN, record

WHO = "codebuild-app-role"
OTHER = "deploy-role"


def compact(item: dict[str, Any]) -> str:
    return json.dumps(item, separators=(",", ":"))


def aws_file(path: Path, texts: list[str]) -> Path:
    """A log file as AWS writes it (one line, no spaces), from records already serialised."""
    data = ('{"Records":[' + ",".join(texts) + "]}").encode()
    path.write_bytes(gzip.compress(data) if path.name.endswith(".gz") else data)
    return path


def both(
    paths: list[Path], principal: str, days: int | None = None
) -> tuple[tuple[list[Any], list[Any]], tuple[list[Any], list[Any]]]:
    """(prefiltered, full reader): usage records and skips. A skip's examples come in the order
    of the groups, which the full reader does not fix: they are compared as sets, and not at all
    when the cap may have kept different ones."""
    given = [str(path) for path in paths]
    fast = usage_from_cloudtrail(given, principal, days)
    full = usage_from_cloudtrail(given, principal, days, prefilter=False)
    for _, skips in (fast, full):
        for skip in skips:
            skip.examples = sorted(skip.examples) if len(skip.examples) < EXAMPLES else []
    return fast, full


def counts(records: list[Any]) -> dict[tuple[str, bool], int]:
    return {(r.action, r.denied): r.count for r in records}


def test_keys_in_another_order_and_several_records_per_window(tmp_path: Path) -> None:
    reordered = dict(reversed(list(record("ListImages").items())))  # eventVersion last
    texts = [
        compact(record(role=OTHER)),
        compact(reordered),  # no boundary of its own: it runs on in the window before it
        compact(record("DescribeImages")),
        compact(dict(reversed(list(record("BatchGetImage", role=OTHER).items())))),
        compact(record(role=f"{WHO}-2")),  # the name is a prefix of another role's name
    ]
    log = aws_file(tmp_path / "a.json.gz", texts)
    fast, full = both([log], WHO)
    assert fast == full
    assert counts(fast[0]) == {("ecr:ListImages", False): 1, ("ecr:DescribeImages", False): 1}
    assert {r.principal_arn for r in fast[0]} == {ROLE_ARN}


def test_a_record_of_the_role_written_with_escapes_is_found(tmp_path: Path) -> None:
    escaped = (
        compact(record("ListImages")).replace("/", "\\/").replace(WHO, "codebuild-\\u0061pp-role")
    )
    assert WHO not in escaped
    log = aws_file(tmp_path / "a.json", [compact(record(role=OTHER)), escaped, compact(record())])
    fast, full = both([log], ROLE_ARN)
    assert fast == full
    assert counts(fast[0]) == {("ecr:ListImages", False): 1, ("ecr:PutImage", False): 1}


def test_a_damaged_record_of_the_role_reads_the_file_whole_and_reports_it(tmp_path: Path) -> None:
    damaged = compact(record("ListImages"))[:-40]  # cut short inside the record
    log = aws_file(tmp_path / "a.json.gz", [compact(record()), damaged, compact(record())])
    fast, full = both([log], WHO)
    assert fast == full
    assert fast[0] == []
    assert [s.reason.split(":")[0] for s in fast[1]] == ["unreadable file"]


def test_a_record_of_the_role_that_is_no_cloudtrail_record_reads_the_file_whole(
    tmp_path: Path,
) -> None:
    nameless = record()
    del nameless["eventName"]
    log = aws_file(tmp_path / "a.json", [compact(record()), compact(nameless)])
    fast, full = both([log], WHO)
    assert fast == full
    assert counts(fast[0]) == {("ecr:PutImage", False): 1}
    assert [(s.reason, s.count) for s in fast[1]] == [
        ("malformed line (not a CloudTrail record)", 1)
    ]


def test_a_damaged_record_of_another_principal_is_no_longer_seen(tmp_path: Path) -> None:
    """The trade-off: the record is never parsed, so the file's other records count and the
    damage goes unreported (the full reader loses the whole file and reports it)."""
    damaged = compact(record(role=OTHER))[:-40]
    log = aws_file(tmp_path / "a.json.gz", [compact(record()), damaged, compact(record())])
    (fast_records, fast_skips), (full_records, full_skips) = both([log], WHO)
    assert counts(fast_records) == {("ecr:PutImage", False): 2}
    assert fast_skips == []
    assert full_records == []
    assert [s.reason.split(":")[0] for s in full_skips] == ["unreadable file"]


@pytest.mark.parametrize("shape", ["lines", "array", "pretty", "pretty-records"])
def test_other_shapes_read_as_before(tmp_path: Path, shape: str) -> None:
    records = [record(), record(role=OTHER), record("ListImages", error="AccessDenied")]
    path = tmp_path / "log.json"
    if shape == "lines":
        path.write_text("\n".join(json.dumps(r) for r in records))
    elif shape == "array":
        path.write_text(json.dumps(records, indent=1))
    elif shape == "pretty":
        path.write_text(json.dumps(records[0], indent=4))
    else:
        path.write_text(json.dumps({"Records": records}, indent=4))
    fast, full = both([path], WHO)
    assert fast == full
    assert fast[0]


def test_days_cut_off_and_records_without_time(tmp_path: Path) -> None:
    now = datetime.now(UTC)
    recent = (now - timedelta(days=10)).strftime("%Y-%m-%dT%H:%M:%SZ")
    old = (now - timedelta(days=100)).strftime("%Y-%m-%dT%H:%M:%SZ")
    timeless = record("DescribeImages")
    del timeless["eventTime"]
    texts = [compact(record(when=recent)), compact(record(when=old)), compact(timeless)]
    log = aws_file(tmp_path / "a.json.gz", texts)
    fast, full = both([log], WHO, days=30)
    assert fast == full
    assert [(r.action, r.count, r.first_seen) for r in fast[0]] == [("ecr:PutImage", 1, recent)]
    fast, full = both([log], WHO)  # no cut-off: the timeless record counts, with no time
    assert fast == full
    assert counts(fast[0]) == {("ecr:DescribeImages", False): 1, ("ecr:PutImage", False): 2}


def test_denied_and_failed_calls(tmp_path: Path) -> None:
    texts = [
        compact(record("ListImages", error="AccessDenied")),
        compact(record("ListImages", error="AccessDenied")),
        compact(record(error="ExpiredToken")),  # failed authentication: skipped with a reason
        compact(record(error="RepositoryNotFoundException")),  # got past authorization: used
        compact(record(role=OTHER, error="AccessDenied")),
    ]
    log = aws_file(tmp_path / "a.json", texts)
    fast, full = both([log], WHO)
    assert fast == full
    assert counts(fast[0]) == {("ecr:ListImages", True): 2, ("ecr:PutImage", False): 1}
    assert [s.reason for s in fast[1]] == ["failed authentication (ExpiredToken)"]


def test_service_principal_user_and_session_arn(tmp_path: Path) -> None:
    service = {
        "eventVersion": "1.08",
        "userIdentity": {"type": "AWSService", "invokedBy": "config.amazonaws.com"},
        "eventTime": "2025-06-01T10:00:00Z",
        "eventSource": "ec2.amazonaws.com",
        "eventName": "DescribeInstances",
        "awsRegion": "eu-west-1",
        "recipientAccountId": ACCOUNT,
    }
    user = {
        **service,
        "userIdentity": {
            "type": "IAMUser",
            "arn": f"arn:aws:iam::{ACCOUNT}:user/ops/alice",
            "accountId": ACCOUNT,
        },
    }
    log = aws_file(tmp_path / "a.json.gz", [compact(service), compact(user), compact(record())])
    session = f"arn:aws:sts::{ACCOUNT}:assumed-role/{WHO}/AWSCodeBuild-1"
    for principal in ("config.amazonaws.com", f"arn:aws:iam::{ACCOUNT}:user/ops/alice", session):
        fast, full = both([log], principal)
        assert fast == full
        assert len(fast[0]) == 1, principal


def test_many_files_over_the_process_pool(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cloudtrail, "PARALLEL_BYTES", 0)
    logs = [
        aws_file(
            tmp_path / f"{n}.json.gz",
            [compact(record(session=f"s{n}", role=role)) for role in (WHO, OTHER, WHO)],
        )
        for n in range(5)
    ]
    damaged = compact(record())[:-40]  # the role's: the file is read whole and reported
    logs.append(aws_file(tmp_path / "damaged.json", [damaged]))
    fast, full = both(logs, WHO)
    assert fast == full
    assert counts(fast[0]) == {("ecr:PutImage", False): 10}
    assert [s.reason.split(":")[0] for s in fast[1]] == ["unreadable file"]


def test_gzip_members_and_empty_records(tmp_path: Path) -> None:
    one = gzip.compress(('{"Records":[' + compact(record()) + "]}").encode())
    (tmp_path / "members.json.gz").write_bytes(one + one)
    (tmp_path / "empty.json.gz").write_bytes(gzip.compress(b'{"Records":[]}\n'))
    fast, full = both([tmp_path], WHO)
    assert fast == full
    assert counts(fast[0]) == {("ecr:PutImage", False): 2}
    assert fast[1] == []
    (tmp_path / "padded.json.gz").write_bytes(one + b"\0\0" + one)  # gzip allows, DuckDB not
    fast, full = both([tmp_path], WHO)
    assert fast == full
    assert [s.reason for s in fast[1]] == ["unreadable file: Input is not a GZIP stream"]


def test_pieces_cut_anywhere_give_the_same_records() -> None:
    texts = [
        compact(record(role=OTHER)),
        compact(record("ListImages")),
        compact(dict(reversed(list(record().items())))),
    ]
    data = ('{"Records":[' + ",".join(texts) + "]}\n").encode()
    wanted = principal_bytes(WHO)
    whole = principal_records([data], wanted)
    assert whole is not None and [r["eventName"] for r in whole] == ["ListImages", "PutImage"]
    for size in (1, 5, 16, 100, 1000):
        pieces = [data[start : start + size] for start in range(0, len(data), size)]
        assert principal_records(pieces, wanted) == whole, size
    assert principal_records([data[:-3]], wanted) is None  # not the end AWS writes
    assert principal_records([b"[" + data + b"]"], wanted) is None  # not the start


def test_escapes_that_could_hide_a_name() -> None:
    assert principal_bytes("ci-role").escape.pattern == rb"\\u00"
    assert principal_bytes("rôle").escape.pattern == rb"\\u"
    assert principal_bytes("a/b").escape.pattern == rb"\\"
    assert principal_name(ROLE_ARN) == WHO
    assert principal_name(f"arn:aws:sts::{ACCOUNT}:assumed-role/{WHO}/session") == WHO
    assert principal_name(f"arn:aws:iam::{ACCOUNT}:root") == f"arn:aws:iam::{ACCOUNT}:root"
    assert principal_name("config.amazonaws.com") == "config.amazonaws.com"


def corpus_records(folder: Path) -> list[dict[str, Any]]:
    """Every CloudTrail record the corpus holds, whatever its file's layout."""
    found: list[dict[str, Any]] = []
    for path in sorted(folder.rglob("*.json*")):
        text = path.read_text(encoding="utf-8")
        try:
            documents = [json.loads(text)]
        except json.JSONDecodeError:
            try:
                documents = [json.loads(line) for line in text.splitlines() if line.strip()]
            except json.JSONDecodeError:
                continue
        for document in documents:
            if isinstance(document, dict):
                document = document.get("record", document)
            items = document.get("Records", [document]) if isinstance(document, dict) else document
            found.extend(item for item in items if is_record(item))
    return found


def corpus_principals(records: list[dict[str, Any]]) -> list[str]:
    return sorted({p for r in records if (p := principal_of(identity_of(r))[0])})


def test_corpus_records_as_aws_writes_them(corpus: Path, tmp_path: Path) -> None:
    """The corpus's records in AWS-shaped files, in their own key order and in AWS's (eventVersion
    first): every principal's usage as the full reader gives it; skips too for a sample."""
    records = corpus_records(corpus / "cloudtrail")
    assert len(records) > 500
    for start in range(0, len(records), 100):
        part = records[start : start + 100]
        aws_file(tmp_path / f"own-{start}.json.gz", [compact(r) for r in part])
        first = [{"eventVersion": r.get("eventVersion", "1.08"), **r} for r in part]
        aws_file(tmp_path / f"aws-{start}.json", [compact(r) for r in first])
    principals = corpus_principals(records)
    assert len(principals) > 20
    everyone, _ = usage_from_cloudtrail([str(tmp_path)], prefilter=False)
    with_usage = 0
    for principal in principals:
        fast, _ = usage_from_cloudtrail([str(tmp_path)], principal)
        assert fast == [r for r in everyone if principal_matches(r.principal_arn, principal)]
        with_usage += bool(fast)
    assert with_usage > 20
    for principal in principals[::8]:
        fast, full = both([tmp_path], principal)
        assert fast == full, principal
    fast, full = both([tmp_path], "AWSReservedSSO_AdministratorAccess_abcdef")  # nobody's
    assert fast == full == ([], [])


def test_corpus_as_it_is(corpus: Path, tmp_path: Path) -> None:
    """The corpus's own files that hold a Records list (pretty-printed, one malformed): the same
    usage for each of their principals; skips differ only by damaged files without the
    principal's name, no longer read."""
    folder = corpus / "cloudtrail"
    documents = [p for p in folder.rglob("*.json") if p.read_text().lstrip().startswith("{\n")]
    documents = [p for p in documents if '"Records"' in p.read_text()[:100]]
    assert len(documents) >= 4
    for path in documents:
        (tmp_path / path.name).write_bytes(path.read_bytes())
    for principal in corpus_principals(corpus_records(tmp_path)):
        (fast_records, fast_skips), (full_records, full_skips) = both([tmp_path], principal)
        assert fast_records == full_records, principal
        unread = [s for s in full_skips if s not in fast_skips]
        assert all(s.reason.startswith("unreadable file") for s in unread), principal
        assert all(s in full_skips for s in fast_skips), principal


SAMPLE = (
    '{"Records":['
    + ",".join(compact(r) for r in (record(), record(role=OTHER), record("ListImages")))
    + "]}"
).encode()


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, len(SAMPLE)),
            st.integers(0, 40),
            st.sampled_from(
                [b"", b"\\", b"\\u0061", b"\\/", b'{"eventVersion"', b",", b"]}", b"\xff"]
                + [WHO.encode(), b"codebuild-\\u0061pp-role"]
            ),
        ),
        max_size=4,
    ),
    st.integers(1, 300),
)
def test_damaged_bytes_never_crash_nor_lose_the_principals_records(
    edits: list[tuple[int, int, bytes]], size: int
) -> None:
    """Bytes cut, replaced or inserted anywhere, read in pieces of any size: no crash; and when
    the file still parses whole, the records returned are among its records, with every record
    of the principal's among them (nothing lost)."""
    data = SAMPLE
    for at, cut, inserted in edits:
        data = data[:at] + inserted + data[at + cut :]
    pieces = [data[start : start + size] for start in range(0, len(data), size)]
    found = principal_records(pieces, principal_bytes(WHO))
    if data == SAMPLE:
        assert found is not None and [r["eventName"] for r in found] == ["PutImage", "ListImages"]
    try:
        whole = json.loads(data)["Records"]
    except (ValueError, TypeError, KeyError):
        return  # damaged: the caller reads the file whole when found is None
    if found is None or not isinstance(whole, list):
        return
    remaining = iter(whole)
    assert all(any(item == other for other in remaining) for item in found)  # in order
    theirs = [
        r
        for r in whole
        if is_record(r)
        and (p := principal_of(identity_of(r))[0]) is not None
        and principal_matches(p, WHO)
    ]
    assert all(r in found for r in theirs)
