from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipedoctor.commands.demo import demo_snapshot_text
from pipedoctor.errors import ExitCode, UserError
from pipedoctor.model import SCHEMA_VERSION, Snapshot, dump, dumps, load, loads


def test_demo_snapshot_round_trips_unchanged(tmp_path: Path) -> None:
    snapshot = loads(demo_snapshot_text())
    target = tmp_path / "s.json"
    dump(snapshot, target)
    assert load(target) == snapshot
    assert dumps(load(target)) == dumps(snapshot)


def test_demo_snapshot_holds_the_documented_pipeline() -> None:
    snapshot = loads(demo_snapshot_text())
    pipeline = snapshot.pipeline("deploy-myapp")
    assert pipeline is not None and pipeline.region == "eu-west-2"
    source = pipeline.source_actions()[0]
    assert source.configuration["OutputArtifactFormat"] == "CODEBUILD_CLONE_REF"
    assert source.configuration["ConnectionArn"].startswith("arn:aws:codeconnections:eu-west-2:123456789012:")
    assert [a.status for a in snapshot.action_executions if a.stage_name == "Build"] == ["Failed"] * 3
    role = snapshot.role("codebuild-build-myapp-service-role")
    assert role is not None
    assert "AmazonEC2ContainerRegistryFullAccess" in [p.name for p in role.attached_policies]


def test_other_schema_version_is_one_clear_error() -> None:
    body = json.loads(dumps(Snapshot()))
    body["schema_version"] = SCHEMA_VERSION + 1
    with pytest.raises(UserError) as error:
        loads(json.dumps(body), origin="x.json")
    assert "schema version" in str(error.value)
    assert error.value.exit_code == ExitCode.USAGE


@pytest.mark.parametrize(
    "content",
    [b"{not json", b"\xff\xfe\x00garbage", b"[]", b'{"kind": "pipedoctor-snapshot", "schema_version": 1, "pipelines": 5}'],
)
def test_corrupt_files_give_exit_code_2_and_one_line(tmp_path: Path, run_cli, content: bytes) -> None:
    bad = tmp_path / "bad.json"
    bad.write_bytes(content)
    code, out, err = run_cli("check", "--snapshot", str(bad))
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("pipedoctor: error:")
    assert "Traceback" not in err


def test_missing_file_is_a_usage_error(tmp_path: Path, run_cli) -> None:
    code, _, err = run_cli("check", "--snapshot", str(tmp_path / "absent.json"))
    assert code == 2 and "cannot read snapshot" in err
