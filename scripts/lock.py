"""The dependency lock: requirements/test.txt and requirements/runtime.txt.

`python scripts/lock.py` (what `make lock` runs; `make lock UPGRADE=1` adds --upgrade) resolves pyproject.toml's dependencies, test
extras and build requirements with uv into exact versions with hashes, one version per package for
every platform and every Python the project supports, and stamps each file with a digest of those
inputs. Pins already in the lock are kept unless pyproject.toml excludes them or --upgrade is given.
`python scripts/lock.py --check` needs only the standard library and no network: it fails
when pyproject.toml's dependencies changed since the lock was made.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = ROOT / "pyproject.toml"
LOCKS = {"test": ROOT / "requirements" / "test.txt", "runtime": ROOT / "requirements" / "runtime.txt"}
DIGEST_PREFIX = "# inputs-sha256: "
OLDEST_PYTHON = "3.11"


def lock_inputs() -> dict[str, object]:
    project = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))
    return {
        "requires-python": project["project"]["requires-python"],
        "dependencies": project["project"]["dependencies"],
        "optional-dependencies": project["project"].get("optional-dependencies", {}),
        "build-system": project["build-system"]["requires"],
    }


def inputs_digest() -> str:
    canonical = json.dumps(lock_inputs(), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def recorded_digest(lock: Path) -> str | None:
    for line in lock.read_text(encoding="utf-8").splitlines():
        if line.startswith(DIGEST_PREFIX):
            return line.removeprefix(DIGEST_PREFIX).strip()
    return None


def stale_locks() -> list[str]:
    expected = inputs_digest()
    return [
        f"{lock.relative_to(ROOT)}: missing" if not lock.is_file() else f"{lock.relative_to(ROOT)}: out of date"
        for lock in LOCKS.values()
        if not lock.is_file() or recorded_digest(lock) != expected
    ]


def compile_lock(uv: str, output: Path, extras: list[str], constraint: Path | None, upgrade: bool) -> None:
    command = [
        uv, "pip", "compile", "pyproject.toml", "-",
        "--universal", "--python-version", OLDEST_PYTHON, "--fork-strategy", "fewest",
        "--generate-hashes", "--custom-compile-command", "make lock", "--quiet",
        "-o", str(output.relative_to(ROOT)),
    ]
    for extra in extras:
        command += ["--extra", extra]
    if constraint is not None:
        command += ["--constraint", str(constraint.relative_to(ROOT))]
    if upgrade:
        command.append("--upgrade")
    build_requirements = "\n".join(lock_inputs()["build-system"]) + "\n"  # type: ignore[arg-type]
    subprocess.run(command, cwd=ROOT, input=build_requirements, text=True, check=True)
    body = output.read_text(encoding="utf-8")
    output.write_text(f"{DIGEST_PREFIX}{inputs_digest()}\n{body}", encoding="utf-8")


def refresh(uv: str, upgrade: bool) -> None:
    LOCKS["test"].parent.mkdir(exist_ok=True)
    compile_lock(uv, LOCKS["test"], ["test"], constraint=None, upgrade=upgrade)
    # The runtime lock is the test lock's subset: a user installs the versions the tests ran on.
    compile_lock(uv, LOCKS["runtime"], [], constraint=LOCKS["test"], upgrade=False)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="fail if the lock does not match pyproject.toml")
    parser.add_argument("--upgrade", action="store_true", help="move every pin to the newest allowed version")
    parser.add_argument("--uv", default="uv", help="the uv executable used to resolve (default: uv on PATH)")
    args = parser.parse_args()
    if args.check:
        stale = stale_locks()
        for problem in stale:
            print(f"lock: {problem}; run `make lock` and commit requirements/", file=sys.stderr)
        return 1 if stale else 0
    uv = shutil.which(args.uv)
    if uv is None:
        print(f"lock: {args.uv} not found; `make lock` installs it", file=sys.stderr)
        return 2
    refresh(uv, args.upgrade)
    return 0


if __name__ == "__main__":
    sys.exit(main())
