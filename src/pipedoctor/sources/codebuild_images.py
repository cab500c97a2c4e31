"""Runtimes that CodeBuild's curated Linux images ship, for `runtime-versions` checks.

From the CodeBuild user guide ("Available runtimes",
https://docs.aws.amazon.com/codebuild/latest/userguide/available-runtimes.html) and the images'
Dockerfiles (https://github.com/aws/aws-codebuild-docker-images). Images gain versions over time,
so a version missing here is reported only when it is outside what the image has ever shipped;
images not in the table are never judged.
"""

from __future__ import annotations

import re

_MODERN = {
    "nodejs": {"18", "20", "22", "24"},
    "python": {"3.9", "3.10", "3.11", "3.12", "3.13", "3.14"},
    "java": {"corretto8", "corretto11", "corretto17", "corretto21", "corretto25"},
    "golang": {"1.20", "1.21", "1.22", "1.23", "1.24", "1.25", "1.26"},
    "php": {"8.2", "8.3", "8.4", "8.5"},
    "ruby": {"3.1", "3.2", "3.3", "3.4", "4.0"},
    "dotnet": {"6", "8", "10"},
}
RUNTIMES: dict[str, dict[str, set[str]]] = {
    "aws/codebuild/standard:7.0": _MODERN,
    "aws/codebuild/amazonlinux2-x86_64-standard:5.0": _MODERN,
    "aws/codebuild/amazonlinux-x86_64-standard:5.0": _MODERN,
    "aws/codebuild/amazonlinux2-aarch64-standard:3.0": {**_MODERN, "php": {"8.1", *_MODERN["php"]}},
    "aws/codebuild/amazonlinux-aarch64-standard:3.0": {**_MODERN, "php": {"8.1", *_MODERN["php"]}},
    "aws/codebuild/standard:6.0": {
        "nodejs": {"16"},
        "python": {"3.10"},
        "golang": {"1.18"},
        "php": {"8.1"},
        "ruby": {"3.1"},
        "dotnet": {"6"},
    },
    "aws/codebuild/amazonlinux2-x86_64-standard:4.0": {
        "nodejs": {"16"},
        "python": {"3.9"},
        "golang": {"1.18"},
        "php": {"8.1"},
        "ruby": {"3.1"},
        "dotnet": {"6"},
    },
    "aws/codebuild/standard:5.0": {
        "nodejs": {"12", "14"},
        "python": {"3.7", "3.8", "3.9"},
        "java": {"corretto8", "corretto11"},
        "golang": {"1.15", "1.16"},
        "php": {"7.3", "7.4", "8.0"},
        "ruby": {"2.6", "2.7"},
        "dotnet": {"3.1", "5"},
    },
}
# Languages whose versions the table does not cover on some images (never judged there).
_ALWAYS_ACCEPTED = {"android"}


def _normalise(language: str, version: str) -> str | None:
    """The comparable part of a requested version; None for `latest` and wildcards."""
    version = version.strip().lower().removesuffix(".x")
    if version in ("latest", "") or "*" in version:
        return None
    if language == "java":
        return version
    if language == "dotnet" and version.startswith("3.1"):
        return "3.1"
    if language in ("nodejs", "dotnet"):
        match = re.match(r"\d+", version)
        return match.group(0) if match else None
    match = re.match(r"\d+\.\d+", version)
    return match.group(0) if match else None


def unsupported_runtime(image: str, language: str, version: str) -> str | None:
    """Why `image` cannot provide `language: version` (None when it can, or when unknown)."""
    table = RUNTIMES.get(image.strip())
    if table is None or language in _ALWAYS_ACCEPTED:
        return None
    if language not in table:
        if language == "java" or language not in {"docker", *_MODERN}:
            return None  # not covered for this image
        return f"{image} has no `{language}` runtime (it ships {', '.join(sorted(table))})"
    wanted = _normalise(language, version)
    if wanted is None:
        return None
    if wanted in table[language]:
        return None
    return f"{image} ships {language} {', '.join(sorted(table[language]))}, not {version}"
