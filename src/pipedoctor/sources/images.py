"""Container image references: which registry they pull from and the ECR Public mirror."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

DOCKER_HUB_HOSTS = {"docker.io", "index.docker.io", "registry-1.docker.io"}
ECR_PUBLIC_LIBRARY = "public.ecr.aws/docker/library"


def _names(data_file: str) -> frozenset[str]:
    text = (resources.files("pipedoctor.sources") / data_file).read_text(encoding="utf-8")
    return frozenset(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))


@cache
def docker_official_images() -> frozenset[str]:
    """The names of Docker's official images (`node`, `python` ...), the ones ECR Public mirrors."""
    return _names("docker-official-images.txt")


@cache
def deprecated_official_images() -> frozenset[str]:
    """Official images Docker stopped maintaining (`centos`, `java` ...): on Docker Hub, not mirrored."""
    return _names("docker-deprecated-official-images.txt")


@dataclass(frozen=True)
class ImageReference:
    registry: str  # "docker.io" for Docker Hub
    repository: str  # "library/node", "bitnami/redis", "myapp"
    tag: str  # "" when pinned by digest only
    digest: str = ""

    @property
    def is_docker_hub(self) -> bool:
        return self.registry in DOCKER_HUB_HOSTS

    @property
    def is_single_name(self) -> bool:
        """`node`, not `bitnami/node`: Docker Hub's library namespace, or an image built locally."""
        return self.is_docker_hub and self.repository.startswith("library/")

    @property
    def is_official_library(self) -> bool:
        return self.is_single_name and self.repository.removeprefix("library/") in docker_official_images()

    @property
    def is_deprecated_library(self) -> bool:
        return self.is_single_name and self.repository.removeprefix("library/") in deprecated_official_images()

    def reference(self) -> str:
        suffix = f":{self.tag}" if self.tag else ""
        suffix += f"@{self.digest}" if self.digest else ""
        return f"{self.repository}{suffix}"

    def ecr_public_mirror(self) -> str | None:
        """The ECR Public copy AWS keeps of Docker official images; None for other images."""
        if not self.is_official_library:
            return None
        name = self.repository.removeprefix("library/")
        tag = f":{self.tag}" if self.tag else ""
        digest = f"@{self.digest}" if self.digest else ""
        return f"{ECR_PUBLIC_LIBRARY}/{name}{tag}{digest}"


def mirror_of_written(written: str) -> str:
    """The FROM text of an official image, as written (ARG references kept), on ECR Public."""
    name = written
    for prefix in ("docker.io/", "index.docker.io/", "registry-1.docker.io/"):
        name = name.removeprefix(prefix)
    return f"{ECR_PUBLIC_LIBRARY}/{name.removeprefix('library/')}"


def parse_image(text: str) -> ImageReference | None:
    """Parse `[registry/]repository[:tag][@digest]`; None for variables, `scratch` or junk."""
    text = text.strip()
    if not text or "$" in text or text == "scratch" or any(c.isspace() for c in text):
        return None
    rest, _, digest = text.partition("@")
    first, slash, remainder = rest.partition("/")
    if slash and ("." in first or ":" in first or first == "localhost"):
        registry, path = first, remainder
    else:
        registry, path = "docker.io", rest
    name, colon, tag = path.rpartition(":") if ":" in path else (path, "", "")
    if not colon:
        name, tag = path, ""
    if not name or "/" in tag:
        return None
    if registry in DOCKER_HUB_HOSTS and "/" not in name:
        name = f"library/{name}"
    if not digest and not tag:
        tag = "latest"
    return ImageReference(registry=registry, repository=name.lower(), tag=tag, digest=digest)
