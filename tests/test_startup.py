"""Start-up: `check` loads only what the files present need, and the rule cache only saves time."""

from __future__ import annotations

import json
import marshal
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipedoctor.diagnose import RuleError, load_rules, rule_cache
from pipedoctor.diagnose import rules as rules_module

NOT_FOR_A_DOCKERFILE = ("boto3", "botocore", "textual", "duckdb", "networkx", "jsonschema", "yaml", "policyuniverse")


def run_check(folder: Path, cache_home: Path) -> subprocess.CompletedProcess[str]:
    probe = (
        "import json, sys\n"
        "from pipedoctor.cli import main\n"
        f"code = main(['check', {str(folder)!r}, '--format', 'json', '--exit-zero'])\n"
        f"loaded = sorted(m for m in {NOT_FOR_A_DOCKERFILE!r} if m in sys.modules)\n"
        "print(json.dumps({'code': code, 'loaded': loaded}), file=sys.stderr)\n"
    )
    env = {**os.environ, "XDG_CACHE_HOME": str(cache_home)}
    return subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=False, env=env
    )


def outcome(result: subprocess.CompletedProcess[str]) -> tuple[dict, list[str]]:
    status = json.loads(result.stderr.strip().splitlines()[-1])
    assert status["code"] == 0, result.stderr
    report = json.loads(result.stdout)
    return status, sorted(d["rule"] for d in report["diagnoses"])


@pytest.fixture
def dockerfile_repository(tmp_path: Path) -> Path:
    folder = tmp_path / "repository"
    folder.mkdir()
    (folder / "Dockerfile").write_text("FROM node:20\nRUN npm ci\n")
    return folder


def test_check_on_a_dockerfile_loads_no_sdk_tui_graph_schema_or_yaml(
    dockerfile_repository: Path, tmp_path: Path
) -> None:
    # Building the cache reads the rule files (YAML) but never validates them with jsonschema.
    for expected_loaded in (["yaml"], []):
        status, rules = outcome(run_check(dockerfile_repository, tmp_path / "cache"))
        assert status["loaded"] == expected_loaded
        assert rules == ["dockerfile-docker-hub-base-image"]


def cache_files(cache_home: Path) -> list[Path]:
    return sorted((cache_home / "pipedoctor").glob("rules-*.marshal"))


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda raw: os.urandom(len(raw)), id="random bytes"),
        pytest.param(lambda raw: raw[: len(raw) // 2], id="truncated"),
        pytest.param(lambda raw: b"", id="empty"),
        pytest.param(
            lambda raw: marshal.dumps({**marshal.loads(raw), "key": "0" * 64}), id="stale key"
        ),
        pytest.param(
            lambda raw: marshal.dumps({**marshal.loads(raw), "rules": [{"id": 1}]}), id="wrong shape"
        ),
    ],
)
def test_a_damaged_or_stale_cache_is_ignored_and_rebuilt(
    dockerfile_repository: Path, tmp_path: Path, damage
) -> None:
    cache_home = tmp_path / "cache"
    _, expected = outcome(run_check(dockerfile_repository, cache_home))
    (cache_file,) = cache_files(cache_home)
    good = cache_file.read_bytes()
    cache_file.write_bytes(damage(good))
    status, rules = outcome(run_check(dockerfile_repository, cache_home))
    assert rules == expected and status["loaded"] == ["yaml"]  # read from the rule files
    assert cache_files(cache_home) == [cache_file]
    assert cache_file.read_bytes() == good  # rebuilt


def test_an_unwritable_cache_folder_changes_nothing(dockerfile_repository: Path, tmp_path: Path) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the cache folder would go")
    _, rules = outcome(run_check(dockerfile_repository, blocked))
    assert rules == ["dockerfile-docker-hub-base-image"]
    assert blocked.read_text() == "a file where the cache folder would go"


def test_cached_rules_equal_the_rules_loaded_from_their_files(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    fresh = load_rules()  # nothing cached yet: read from the files, then cached
    assert cache_files(tmp_path)
    cached = load_rules()
    assert [vars(r) | {"match": None, "exclude": None} for r in cached] == [
        vars(r) | {"match": None, "exclude": None} for r in fresh
    ]
    assert [[p.source for p in r.match + r.exclude] for r in cached] == [
        [p.source for p in r.match + r.exclude] for r in fresh
    ]
    # Compiled on first use, to the same matches.
    first = next(r for r in cached if r.match)
    assert first.match[0].compiled is None
    assert first.match[0].regex.pattern == next(r for r in fresh if r.id == first.id).match[0].regex.pattern


def test_a_changed_rule_file_is_never_served_from_the_cache(tmp_path, monkeypatch) -> None:
    bundled = tmp_path / "rules"
    bundled.mkdir()
    original = rules_module.bundled_rules_dir() / "dockerhub-pull-rate-limit.yaml"
    copy = bundled / original.name
    copy.write_text(original.read_text())
    monkeypatch.setattr(rules_module, "bundled_rules_dir", lambda: bundled)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    (before,) = load_rules()
    copy.write_text(original.read_text().replace(f"title: {before.title}", "title: Changed"))
    (after,) = load_rules()
    assert before.title != "Changed" and after.title == "Changed"


def test_bundled_rules_pass_the_schema_which_start_up_skips(tmp_path, monkeypatch) -> None:
    assert load_rules(validate_bundled=True)
    bundled = tmp_path / "rules"
    bundled.mkdir()
    original = rules_module.bundled_rules_dir() / "dockerhub-pull-rate-limit.yaml"
    (bundled / original.name).write_text(original.read_text() + "colour: red\n")
    monkeypatch.setattr(rules_module, "bundled_rules_dir", lambda: bundled)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert [r.id for r in load_rules()] == ["dockerhub-pull-rate-limit"]
    with pytest.raises(RuleError, match="colour"):
        load_rules(validate_bundled=True)


def test_user_rule_folders_are_validated_at_every_load(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    mine = tmp_path / "mine"
    mine.mkdir()
    original = rules_module.bundled_rules_dir() / "dockerhub-pull-rate-limit.yaml"
    (mine / original.name).write_text(original.read_text() + "colour: red\n")
    for _ in range(2):
        with pytest.raises(RuleError, match="colour"):
            load_rules([mine])


def test_the_cache_lives_in_the_user_cache_folder(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert rule_cache.cache_dir() == tmp_path / "pipedoctor"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/is/ignored")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert rule_cache.cache_dir() == tmp_path / "home" / ".cache" / "pipedoctor"
