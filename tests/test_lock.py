"""The lock (requirements/*.txt) is in step with pyproject.toml, complete and hash-pinned."""

from __future__ import annotations

import importlib.util
import re
import sys
import tomllib
from pathlib import Path
from types import ModuleType

import pytest
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.conftest import REPO_ROOT

PIN = re.compile(r"^(?P<name>[A-Za-z0-9_.\-]+)==(?P<version>[^\s;\\]+)\s*(?:;\s*(?P<marker>[^\\]+?))?\s*\\?$")


def load_lock_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("lock_script", REPO_ROOT / "scripts" / "lock.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def pins(lock: Path) -> dict[str, tuple[str, int]]:
    """Package -> (version, number of hashes) for the packages this interpreter installs."""
    environment = default_environment()
    result: dict[str, tuple[str, int]] = {}
    current: str | None = None
    for line in lock.read_text(encoding="utf-8").splitlines():
        match = PIN.match(line)
        if match:
            current = None
            marker = match["marker"]
            if marker and not Requirement(f"x; {marker}").marker.evaluate(environment):  # type: ignore[union-attr]
                continue
            current = canonicalize_name(match["name"])
            assert current not in result, f"{lock.name}: {current} pinned twice for this interpreter"
            result[current] = (match["version"], 0)
        elif current and line.strip().startswith("--hash=sha256:"):
            version, hashes = result[current]
            result[current] = (version, hashes + 1)
    return result


def declared(group: str) -> list[Requirement]:
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    build = [Requirement(text) for text in project["build-system"]["requires"]]
    runtime = [Requirement(text) for text in project["project"]["dependencies"]]
    if group == "runtime":
        return runtime + build
    return runtime + build + [Requirement(text) for text in project["project"]["optional-dependencies"]["test"]]


def test_the_lock_matches_pyproject() -> None:
    assert load_lock_script().stale_locks() == []


def test_a_changed_dependency_makes_the_lock_stale(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    script = load_lock_script()
    changed = tmp_path / "pyproject.toml"
    text = script.PYPROJECT.read_text(encoding="utf-8")
    changed.write_text(text.replace("dependencies = [\n", 'dependencies = [\n  "requests>=2",\n', 1), encoding="utf-8")
    monkeypatch.setattr(script, "PYPROJECT", changed)
    assert len(script.stale_locks()) == 2


@pytest.mark.parametrize("group", ["runtime", "test"])
def test_every_declared_dependency_is_pinned_in_range_with_hashes(group: str) -> None:
    locked = pins(REPO_ROOT / "requirements" / f"{group}.txt")
    assert locked, "the lock is empty"
    for requirement in declared(group):
        name = canonicalize_name(requirement.name)
        assert name in locked, f"{name} is declared but not locked"
        version, _ = locked[name]
        assert requirement.specifier.contains(version, prereleases=True), f"{name}=={version} is outside {requirement.specifier}"
    assert [name for name, (_, hashes) in locked.items() if hashes == 0] == []


def test_the_runtime_lock_is_the_tested_versions() -> None:
    runtime = pins(REPO_ROOT / "requirements" / "runtime.txt")
    tested = pins(REPO_ROOT / "requirements" / "test.txt")
    assert {name: version for name, (version, _) in runtime.items()} == {
        name: tested[name][0] for name in runtime if name in tested
    }
    assert set(runtime) <= set(tested)


def test_the_installed_environment_is_the_lock() -> None:
    from importlib.metadata import distributions

    venv = REPO_ROOT / ".venv"
    if Path(sys.prefix).resolve() != venv.resolve() or not (venv / ".installed-test").exists():
        pytest.skip("not running from the .venv that `make test` installs")
    installed = {canonicalize_name(d.metadata["Name"]): d.version for d in distributions()}
    tested = pins(REPO_ROOT / "requirements" / "test.txt")
    assert {name: (installed.get(name), version) for name, (version, _) in tested.items() if installed.get(name) != version} == {}
