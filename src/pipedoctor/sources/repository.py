"""Finding the files of a repository that matter to a pipeline: Dockerfiles and buildspecs."""

from __future__ import annotations

import fnmatch
from collections.abc import Iterator
from pathlib import Path

from pipedoctor.errors import UserError
from pipedoctor.model import RepoFile

SKIPPED_DIRECTORIES = {".git", ".venv", "node_modules", "__pycache__", ".terraform", "vendor", "cdk.out"}
PATTERNS = ["Dockerfile*", "*.dockerfile", "buildspec*.yml", "buildspec*.yaml"]
MAX_FILE_BYTES = 5 << 20


def is_dockerfile(path: str) -> bool:
    name = path.rsplit("/", 1)[-1].lower()
    return name.startswith("dockerfile") or name.endswith(".dockerfile")


def is_buildspec(path: str) -> bool:
    name = path.rsplit("/", 1)[-1].lower()
    return name.startswith("buildspec") and name.endswith((".yml", ".yaml"))


def _wanted(path: Path) -> bool:
    return any(fnmatch.fnmatch(path.name.lower(), pattern.lower()) for pattern in PATTERNS)


def _walk(root: Path) -> Iterator[Path]:
    if root.is_file():
        yield root
        return
    for child in sorted(root.iterdir()):
        if child.is_dir() and not child.is_symlink():
            if child.name not in SKIPPED_DIRECTORIES:
                yield from _walk(child)
        elif child.is_file() and _wanted(child):
            yield child


def repository_files(paths: list[str]) -> list[RepoFile]:
    """Every Dockerfile and buildspec under `paths`, with paths relative to the current folder."""
    found = []
    for name in paths:
        root = Path(name)
        if not root.exists():
            raise UserError(f"{name}: no such file or folder")
        for path in _walk(root):
            if path.stat().st_size > MAX_FILE_BYTES:
                continue
            text = path.read_bytes().decode("utf-8", errors="replace")
            found.append(RepoFile(path=path.as_posix(), text=text))
    return found
