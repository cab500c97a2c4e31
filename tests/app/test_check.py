"""`check`'s analysis as the application layer serves it, without the command."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipedoctor.app.check import CheckRequest, check, fix_plan
from pipedoctor.app.snapshots import SnapshotRequest
from pipedoctor.commands.demo import demo_snapshot_text
from pipedoctor.errors import UserError


def repository(root: Path, name: str) -> str:
    folder = root / name
    folder.mkdir()
    (folder / "Dockerfile").write_text("FROM python:3.12-slim\n")
    return str(folder)


def test_each_repository_gets_its_findings_and_the_snapshots_come_once(tmp_path: Path) -> None:
    snapshot = tmp_path / "demo.json"
    snapshot.write_text(demo_snapshot_text())
    alone = check(CheckRequest(snapshot=SnapshotRequest(path=str(snapshot))))
    snapshot_locations = [f.location for s in alone.sections for f in s.findings]
    assert snapshot_locations and alone.files == []

    paths = [repository(tmp_path, "one"), repository(tmp_path, "two")]
    result = check(CheckRequest(paths=paths, snapshot=SnapshotRequest(path=str(snapshot))))
    locations = [f.location for s in result.sections for f in s.findings]
    for path in paths:
        assert f"{Path(path).as_posix()}/Dockerfile:1" in locations
    for location in snapshot_locations:
        assert locations.count(location) == snapshot_locations.count(location)  # not once per PATH
    assert {Path(f.path).parent.name for f in result.files} == {"one", "two"}


def test_fixes_need_repository_files(tmp_path: Path) -> None:
    snapshot = tmp_path / "demo.json"
    snapshot.write_text(demo_snapshot_text())
    result = check(CheckRequest(snapshot=SnapshotRequest(path=str(snapshot))))
    with pytest.raises(UserError, match="name the PATHs"):
        fix_plan(result, [], unsafe=False)
