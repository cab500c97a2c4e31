"""The seed's misconfigurations give the same cause ids whatever the model is built from: a
snapshot without repository files, CloudFormation, Terraform, or get-pipeline and create-project
JSON (with the roles from AWS, which those files cannot hold). The live round trip is in
tests/collect/test_live_check.py."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.collect.seed_world import EXPECTED_CAUSES

PARITY = Path(__file__).parent / "parity"
SOURCES = {
    "snapshot": ["--snapshot", str(PARITY / "collected-snapshot.json")],
    "cloudformation": [str(PARITY / "cloudformation")],
    "terraform": [str(PARITY / "terraform")],
    "pipeline-json": [str(PARITY / "pipeline_json"), "--snapshot", str(PARITY / "roles-snapshot.json")],
}


def _causes(run_cli: Any, arguments: list[str]) -> set[str]:
    code, out, err = run_cli("check", *arguments, "--format", "json", "--fail-on", "critical")
    assert code in (0, 1), err
    return {finding["cause"] for finding in json.loads(out)["diagnoses"]}


@pytest.mark.parametrize("source", list(SOURCES))
def test_same_causes_from_every_source(run_cli: Any, source: str) -> None:
    found = _causes(run_cli, SOURCES[source])
    assert found == EXPECTED_CAUSES, f"{source}: {sorted(found ^ EXPECTED_CAUSES)}"
