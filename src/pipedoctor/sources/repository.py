"""Finding the files of a repository that matter to a pipeline: Dockerfiles, buildspecs, and the
templates, Terraform and pipeline JSON that define the pipeline."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from pipedoctor.errors import UserError
from pipedoctor.model import RepoFile
from pipedoctor.sources.file_kinds import is_infrastructure, is_infrastructure_candidate

SKIPPED_DIRECTORIES = {".git", ".venv", "node_modules", "__pycache__", ".terraform", "vendor", "cdk.out"}
MAX_FILE_BYTES = 5 << 20
# Names that mention Dockerfile but are not one (docs, scripts, configs about it).
NOT_DOCKERFILE_SUFFIXES = (".md", ".txt", ".json", ".yml", ".yaml", ".sh", ".py", ".dockerignore")


def is_dockerfile(path: str) -> bool:
    """Dockerfile, Dockerfile.prod, prod.Dockerfile, app.dockerfile ..."""
    name = path.rsplit("/", 1)[-1].lower()
    return "dockerfile" in name and not name.endswith(NOT_DOCKERFILE_SUFFIXES)


def is_buildspec(path: str) -> bool:
    """buildspec.yml, buildspec-test.yaml, or any YAML in a folder named like buildspecs/."""
    parts = path.lower().split("/")
    if not parts[-1].endswith((".yml", ".yaml")):
        return False
    return "buildspec" in parts[-1] or (len(parts) > 1 and "buildspec" in parts[-2])


def _wanted(path: Path) -> bool:
    posix = path.as_posix()
    return is_dockerfile(posix) or is_buildspec(posix) or is_infrastructure_candidate(posix)


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
    """Every Dockerfile, buildspec and infrastructure file under `paths`, with paths relative to
    the current folder."""
    found = []
    for name in paths:
        root = Path(name)
        if not root.exists():
            raise UserError(f"{name}: no such file or folder")
        for path in _walk(root):
            if path.stat().st_size > MAX_FILE_BYTES:
                continue
            text = path.read_bytes().decode("utf-8", errors="replace")
            posix = path.as_posix()
            named = root.is_file()  # a file named on the command line is always read
            if named or is_dockerfile(posix) or is_buildspec(posix) or is_infrastructure(posix, text):
                found.append(RepoFile(path=posix, text=text))
    return found
