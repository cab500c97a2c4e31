"""Hostile bytes through the commands, built to reach every loader path: YAML with and without
anchors (`&`/`*`: the Python loader, else the C one), JSON, a byte order mark, CRLF, NUL,
invalid UTF-8, characters YAML forbids, unpaired surrogate escapes and long lines.

Each command must end with a result or with its error said once, never with an exception.
"""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipedoctor.cli import main
from tests.fuzz.conftest import TRIED

FRAGMENTS = [
    # structure, so inputs get past the first line of the parsers
    "version: 0.2\n",
    "phases:\n",
    "  build:\n",
    "    commands:\n",
    "      - docker build -t x .\n",
    "Resources:\n  P:\n    Type: AWS::CodeBuild::Project\n    Properties:\n",
    '{"Version": "2012-10-17", "Statement": [',
    '{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}',
    '{"pipeline": {"stages": [{"actions": [{"actionTypeId": {}}]}]}}',
    '{"schema_version": 1, "pipelines": [',
    "]",
    "}",
    "{",
    "[",
    ", ",
    ": ",
    "- ",
    "  ",
    # what selects or breaks a loader path
    "&a ",
    "*a",
    "&",
    "*",
    "!Ref x",
    "\ufeff",
    "\r\n",
    "\r",
    "\x00",
    "\x01",
    "\x1b[2J",
    "\x85",
    "\u2028",
    '"\\ud800"',
    '"\\udc00\\ud83d"',
    "2020-13-45",
    "9" * 5000,
    "y" * 20000,
    "\t",
    "'",
    '"',
]
hostile_text = st.lists(st.sampled_from(FRAGMENTS), max_size=30).map("".join)
INVALID_UTF8 = [b"\xff", b"\xfe", b"\xc3(", b"\xed\xa0\x80", b"\x80"]
hostile_bytes = st.one_of(
    hostile_text.map(lambda text: text.encode("utf-8", "surrogatepass")),
    st.lists(
        st.sampled_from(FRAGMENTS).map(str.encode) | st.sampled_from(INVALID_UTF8), max_size=30
    ).map(b"".join),
    st.binary(max_size=300).map(lambda raw: b"&a " + raw + b" *a"),
    st.binary(max_size=300),
)
REPOSITORY_FILES = ["buildspec.yml", "template.yaml", "template.json", "pipeline.json", "Dockerfile"]


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("hostile")


@settings(settings.get_profile("fuzz"))
@given(data=hostile_bytes)
def test_check_reads_hostile_repository_files(folder: Path, data: bytes) -> None:
    TRIED["check files"] += 1
    for name in REPOSITORY_FILES:
        (folder / name).write_bytes(data)
    code, out, _ = run("check", str(folder), "--format", "json")
    assert code in (0, 1)
    assert isinstance(json.loads(out)["diagnoses"], list)
    out.encode("utf-8")  # nothing a terminal or a report file could not take


@settings(settings.get_profile("fuzz"))
@given(data=hostile_bytes)
def test_file_readers_give_a_result_or_one_error(folder: Path, data: bytes) -> None:
    TRIED["file readers"] += 1
    hostile = folder / "input"
    hostile.write_bytes(data)
    for command in (
        ("policy", "lint"),
        ("diagnose", "--snapshot"),
        ("diagnose", "--text"),
        ("check", "--snapshot"),
    ):
        code, out, err = run(*command, str(hostile))
        assert code in (0, 1, 2), (command, code)
        if code == 2:
            assert sum(line.startswith("pipedoctor: error: ") for line in err.splitlines()) == 1
        (out + err).encode("utf-8")
