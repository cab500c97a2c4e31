"""Container image references: which registry they pull from (Docker Hub, ECR, ECR Public), the
ECR Public mirror of Docker official images, and which images are CodeBuild's curated ones."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

DOCKER_HUB_HOSTS = {"docker.io", "index.docker.io", "registry-1.docker.io"}
ECR_PUBLIC_LIBRARY = "public.ecr.aws/docker/library"
ECR_PUBLIC_HOST = "public.ecr.aws"
# Private ECR registries, FIPS endpoints and the China partition included.
_ECR_HOST = r"(?P<account>\d{12})\.dkr\.ecr(?:-fips)?\.(?P<region>[a-z0-9-]+)\.amazonaws\.com(?:\.cn)?"
_ECR_REGISTRY = re.compile(f"^{_ECR_HOST}$")
_ECR_IMAGE = re.compile(f"^{_ECR_HOST}/(?P<name>[^:@\\s]+)")
_ECR_IN_TEXT = re.compile(_ECR_HOST.replace("?P<account>", "").replace("?P<region>", ""))
# CodeBuild's curated images, named as CodeBuild knows them or as published on ECR Public. Their
# entrypoint starts dockerd when the container is privileged (aws-codebuild-docker-images README:
# "To let the Docker daemon start up in the container ... docker run -it --privileged"), wherever
# they are pulled from; a custom image must start dockerd itself (CodeBuild user guide,
# ProjectEnvironment.privilegedMode).
CURATED_CODEBUILD_PREFIXES = ("aws/codebuild/", f"{ECR_PUBLIC_HOST}/codebuild/")


def _names(data_file: str) -> frozenset[str]:
    text = (resources.files("pipedoctor.knowledge") / data_file).read_text(encoding="utf-8")
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

    @property
    def pulled_from_docker_hub(self) -> bool:
        """A base image Docker pulls from Docker Hub. A single name that is no official image is
        taken for one built locally (or one that does not exist): nothing is pulled."""
        return self.is_docker_hub and (
            not self.is_single_name or self.is_official_library or self.is_deprecated_library
        )

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


def _written_registry(rest: str) -> tuple[str, str]:
    """(registry host as written or "", the path after it): the first path component is a host
    only when it has a dot or a port, or is localhost (Docker's own rule)."""
    first, slash, remainder = rest.partition("/")
    if slash and ("." in first or ":" in first or first == "localhost"):
        return first, remainder
    return "", rest


def parse_image(text: str) -> ImageReference | None:
    """Parse `[registry/]repository[:tag][@digest]`; None for variables, `scratch` or junk."""
    text = text.strip()
    if not text or "$" in text or text == "scratch" or any(c.isspace() for c in text):
        return None
    rest, _, digest = text.partition("@")
    registry, path = _written_registry(rest)
    registry = registry or "docker.io"
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


def names_no_registry(text: str) -> bool:
    """Written without a registry host (`myapp:1`, `team/app`): Docker pulls it from Docker Hub."""
    return parse_image(text) is not None and not _written_registry(text.strip().partition("@")[0])[0]


@dataclass(frozen=True)
class EcrImage:
    account: str
    region: str
    repository: str  # "" for a registry host alone


def ecr_registry(host: str) -> EcrImage | None:
    """The account and region of a private ECR registry host; None for any other host."""
    found = _ECR_REGISTRY.match(host)
    return EcrImage(found["account"], found["region"], "") if found else None


def ecr_image(uri: str) -> EcrImage | None:
    """Account, region and repository name of a private ECR image URI; None for anything else."""
    found = _ECR_IMAGE.match(uri.strip())
    return EcrImage(found["account"], found["region"], found["name"]) if found else None


def mentions_ecr_registry(text: str) -> bool:
    """Whether `text` names a private ECR registry host anywhere."""
    return bool(_ECR_IN_TEXT.search(text))


def is_curated_codebuild_image(image: str) -> bool:
    return image.startswith(CURATED_CODEBUILD_PREFIXES)


# Where a build log names the image it pulls: a Dockerfile FROM, docker pull, BuildKit's metadata
# lookups and the classic builder's "Pulling from".
_IMAGE_IN_LOG = re.compile(
    r"(?:\bFROM\s+(?:--platform=\S+\s+)?|docker pull\s+|load metadata for\s+|"
    r"pulling from\s+|failed to resolve source metadata for\s+)(?P<image>[\w./:@-]+)",
    re.IGNORECASE,
)


def images_in_log(line: str) -> list[tuple[str, ImageReference]]:
    """(as written, parsed) of every image a build log line says is pulled."""
    return [
        (found.group("image"), image)
        for found in _IMAGE_IN_LOG.finditer(line)
        if (image := parse_image(found.group("image"))) is not None
    ]
