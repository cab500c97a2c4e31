"""Every loader path meets hostile bytes: a finding or one clear error line, never a traceback.

YAML goes through the C loader without an anchor and the alias-counting Python loader with one
(`&`), JSON through `json` and, for lines, through YAML again; each file reader decodes bytes its
own way. Each case below is written to reach one of those paths through a real command.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

BOM = b"\xef\xbb\xbf"
HOSTILE = {
    # The crash from the issue: a control character with an anchor takes the Python reader.
    "control character, anchor": b"version: 0.2\n&a \x01\x02 x\n",
    "control character, no anchor": b"version: 0.2\nphases: \x01\n",
    "NUL, anchor": b"version: 0.2\nphases: &p {build: {commands: [x\x00]}}\n",
    "NUL, no anchor": b"version: 0.2\x00\nphases: {}\n",
    "BOM and CRLF, anchor": BOM + b"version: 0.2\r\nphases: &p\r\n  build: {commands: [a]}\r\nx: *p\r\n",
    "BOM, CRLF and NUL": BOM + b"version: 0.2\r\nphases:\r\n  build:\r\n    commands:\r\n      - echo &x\x00\r\n",
    "invalid UTF-8, anchor": b"version: 0.2\n\xff\xfe\xc3(\nphases: &p {}\n",
    "UTF-16": "version: 0.2\nphases: &p {}\n".encode("utf-16"),
    "impossible date, anchor": b"version: 0.2\nx: &d 2020-13-45\n",
    "impossible date, no anchor": b"version: 0.2\nx: 2020-13-45\n",
    "unpaired surrogate escape, anchor": b'version: 0.2\nphases: &p {build: {commands: ["\\ud800"]}}\n',
    "long line, anchor": b"version: 0.2\nx: &a " + b"y" * 2_000_000 + b"\x01\n",
    "JSON with NUL": b'{"version": 0.2, "phases": "\x00"}',
    "JSON with an endless integer": b'{"version": ' + b"9" * 5000 + b"}",
}
HOSTILE_IDS = list(HOSTILE)


def assert_one_clear_outcome(code: int, out: str, err: str) -> None:
    """A result, or the error said once: on stderr, or per input line by `simulate` on stdout."""
    assert "Traceback" not in err and code in (0, 1, 2), (code, err)
    if code == 2:
        errors = [line for line in err.splitlines() if line.startswith("pipedoctor: error: ")]
        assert len(errors) == 1 or '"error":' in out, (out, err)


@pytest.mark.parametrize("name", HOSTILE_IDS)
@pytest.mark.parametrize(
    "file_name", ["buildspec.yml", "template.yaml", "pipeline.json", "buildspecs/deploy.yaml"]
)
def test_check_reports_a_hostile_repository_file(tmp_path: Path, run_cli, name, file_name) -> None:
    path = tmp_path / file_name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(HOSTILE[name])
    code, out, err = run_cli("check", str(tmp_path), "--format", "json")
    assert_one_clear_outcome(code, out, err)
    assert isinstance(json.loads(out)["diagnoses"], list)


def test_the_issue_case_is_an_invalid_yaml_finding_at_its_line(tmp_path: Path, run_cli) -> None:
    (tmp_path / "buildspec.yml").write_bytes(b"version: 0.2\nphases:\n  x: &a \x01 y\n")
    code, out, _ = run_cli("check", str(tmp_path), "--format", "json")
    (finding,) = json.loads(out)["diagnoses"]
    assert code == 1 and finding["rule"] == "buildspec-invalid-yaml"
    assert "line 3, column 9" in finding["message"] and "#x0001" in finding["message"]


def test_a_half_character_escape_is_replaced_not_printed(tmp_path: Path, run_cli) -> None:
    policy = tmp_path / "policy.json"
    policy.write_text(
        '{"Version": "2012-10-17", "Statement": '
        '[{"Effect": "Allow", "Action": "s3:\\ud800", "Resource": "*"}]}'
    )
    code, out, _ = run_cli("policy", "lint", str(policy))
    assert code == 1 and "s3:\ufffd" in out
    out.encode("utf-8")  # what the terminal or a file must be able to take


@pytest.mark.parametrize("name", HOSTILE_IDS)
@pytest.mark.parametrize(
    "command",
    [
        ("check", "--snapshot"),
        ("diagnose", "--snapshot"),
        ("diagnose", "--text"),
        ("policy", "lint"),
        ("simulate", "--cases"),
        ("rules-dir",),
        ("baseline",),
    ],
)
def test_every_file_reader_gives_one_clear_outcome(tmp_path: Path, run_cli, name, command) -> None:
    hostile = tmp_path / "input"
    hostile.write_bytes(HOSTILE[name])
    (tmp_path / "Dockerfile").write_text("FROM public.ecr.aws/docker/library/node:20\n")
    if command == ("rules-dir",):
        rules = tmp_path / "rules"
        rules.mkdir()
        (rules / "my-rule.yaml").write_bytes(HOSTILE[name])
        args = ("rules", "validate", "--rules-dir", str(rules))
    elif command == ("baseline",):
        args = ("check", str(tmp_path / "Dockerfile"), "--baseline", str(hostile))
    else:
        args = (*command, str(hostile))
    code, out, err = run_cli(*args)
    assert_one_clear_outcome(code, out, err)
