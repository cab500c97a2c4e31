"""Finding the files of a repository that matter to a pipeline: Dockerfiles, buildspecs (and
buildspec templates), the templates, Terraform, pipeline and project JSON and policy documents
that define the pipeline, and the CDK's synthesized output (`cdk.out`)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from pipedoctor.errors import UserError
from pipedoctor.model import RepoFile
from pipedoctor.sources.file_kinds import is_infrastructure, is_infrastructure_candidate

SKIPPED_DIRECTORIES = {".git", ".venv", "node_modules", "__pycache__", ".terraform", "vendor"}
CDK_OUTPUT = "cdk.out"
MAX_FILE_BYTES = 5 << 20
# Names that mention Dockerfile but are not one (docs, scripts, configs about it).
NOT_DOCKERFILE_SUFFIXES = (".md", ".txt", ".json", ".yml", ".yaml", ".sh", ".py", ".dockerignore")
TEMPLATE_SUFFIXES = (".tpl", ".tftpl", ".tmpl", ".j2", ".jinja", ".jinja2")
# A CDK asset's Dockerfile that is a byte-for-byte copy of a Dockerfile of the repository is read
# once, through its source: the copy's text is replaced by this line and the source's path.
CDK_COPY_MARKER = "# pipedoctor: CDK asset copy of "


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


def is_buildspec_template(path: str) -> bool:
    """buildspec.yml.tpl, buildspec.yml.tftpl, buildspec.yaml.j2, buildspec.yml.template ...: a
    buildspec rendered by Terraform's `templatefile`, Jinja or envsubst before CodeBuild sees it."""
    name = path.rsplit("/", 1)[-1].lower()
    return name.endswith((*TEMPLATE_SUFFIXES, ".template")) and "buildspec" in name


def in_cdk_output(path: str) -> bool:
    return f"/{CDK_OUTPUT}/" in f"/{path}"


def is_cdk_metadata(path: str) -> bool:
    """The cloud assembly's manifests, which say where each asset came from."""
    name = path.rsplit("/", 1)[-1]
    return in_cdk_output(path) and (name == "manifest.json" or name.endswith(".assets.json"))


def _wanted(path: Path) -> bool:
    posix = path.as_posix()
    return (
        is_dockerfile(posix)
        or is_buildspec(posix)
        or is_buildspec_template(posix)
        or is_infrastructure_candidate(posix)
    )


def _walk_cdk_output(folder: Path) -> Iterator[Path]:
    """Only what the CDK synthesized for CloudFormation: templates, manifests, nested assemblies,
    and the Dockerfiles of assets (the rest of an asset is application code)."""
    for child in sorted(folder.iterdir()):
        if child.is_symlink():
            continue
        if child.is_file() and (
            child.name.endswith(".template.json") or is_cdk_metadata(child.as_posix())
        ):
            yield child
        elif child.is_dir() and child.name.startswith("assembly-"):
            yield from _walk_cdk_output(child)
        elif child.is_dir() and child.name.startswith("asset."):
            yield from (p for p in _walk(child) if is_dockerfile(p.as_posix()))


def _walk(root: Path) -> Iterator[Path]:
    if root.is_file():
        yield root
        return
    for child in sorted(root.iterdir()):
        if child.is_dir() and not child.is_symlink():
            if child.name == CDK_OUTPUT:
                yield from _walk_cdk_output(child)
            elif child.name not in SKIPPED_DIRECTORIES:
                yield from _walk(child)
        elif child.is_file() and _wanted(child):
            yield child


def _kept(posix: str, text: str) -> bool:
    return (
        is_dockerfile(posix)
        or is_buildspec(posix)
        or is_buildspec_template(posix)
        or is_cdk_metadata(posix)
        or is_infrastructure(posix, text)
    )


def _read_cdk_copies_once(files: list[RepoFile]) -> None:
    sources = {
        f.text: f.path for f in files if is_dockerfile(f.path) and not in_cdk_output(f.path)
    }
    for repo_file in files:
        source = sources.get(repo_file.text)
        if source is not None and in_cdk_output(repo_file.path) and is_dockerfile(repo_file.path):
            repo_file.text = f"{CDK_COPY_MARKER}{source}\n"


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
            if named or _kept(posix, text):
                found.append(RepoFile(path=posix, text=text))
    _read_cdk_copies_once(found)
    return found


def _work_tree(path: Path) -> str:
    """The git work tree a file is in ("" when none)."""
    for folder in path.resolve().parents:
        if (folder / ".git").exists():
            return str(folder)
    return ""


def repositories(paths: list[str]) -> list[list[str]]:
    """The PATHs grouped by repository, in the order given: each folder is a repository of its
    own; files named one by one (as pre-commit passes them) go with the other files of the same
    git work tree."""
    groups: dict[str, list[str]] = {}
    for name in paths:
        path = Path(name)
        if path.is_file():
            groups.setdefault(f"file:{_work_tree(path)}", []).append(name)
        else:  # a folder named twice is read once
            groups.setdefault(f"folder:{path.resolve()}", [name])
    return list(groups.values())
