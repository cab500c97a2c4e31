"""Dockerfile FROM lines, with ARG defaults substituted and stage names resolved."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from pipedoctor.knowledge.images import ImageReference, parse_image
from pipedoctor.model import RepoFile
from pipedoctor.sources.repository import is_dockerfile

_ARG = re.compile(r"^\s*ARG\s+([A-Za-z_][A-Za-z0-9_]*)(?:=(\S*))?", re.IGNORECASE)
_FROM = re.compile(
    r"^\s*FROM\s+(?:--platform=\S+\s+)?(?P<image>\S+)(?:\s+AS\s+(?P<stage>\S+))?", re.IGNORECASE
)
_VARIABLE = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}?")


@dataclass(frozen=True)
class BaseImage:
    line: int  # 1-based
    written: str  # as it stands in the file
    image: ImageReference | None  # None: a stage name, scratch, or unresolved variable


def _logical_lines(text: str) -> list[tuple[int, str]]:
    """Join backslash continuations; keep the number of the first physical line."""
    lines: list[tuple[int, str]] = []
    pending: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        if not pending:
            start = number
        stripped = raw.rstrip()
        if stripped.endswith("\\"):
            pending.append(stripped[:-1])
            continue
        pending.append(stripped)
        lines.append((start, " ".join(pending)))
        pending = []
    if pending:
        lines.append((start, " ".join(pending)))
    return lines


def base_images(text: str) -> list[BaseImage]:
    args: dict[str, str] = {}
    stages: set[str] = set()
    found = []
    for number, line in _logical_lines(text):
        if arg := _ARG.match(line):
            args.setdefault(arg.group(1), arg.group(2) or "")
            continue
        source = _FROM.match(line)
        if source is None:
            continue
        written = source.group("image")
        resolved = _VARIABLE.sub(lambda m: args.get(m.group(1)) or m.group(2) or m.group(0), written)
        is_stage = resolved.lower() in stages
        found.append(BaseImage(number, written, None if is_stage else parse_image(resolved)))
        if source.group("stage"):
            stages.add(source.group("stage").lower())
    return found


def docker_hub_bases(repo_files: list[RepoFile]) -> Iterator[tuple[RepoFile, BaseImage]]:
    """Every FROM of a repository Dockerfile that pulls from Docker Hub, in file order."""
    for repo_file in repo_files:
        if is_dockerfile(repo_file.path):
            for base in base_images(repo_file.text):
                if base.image is not None and base.image.pulled_from_docker_hub:
                    yield repo_file, base
