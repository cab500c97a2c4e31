"""When the runtime a base image carries stopped getting security fixes.

Dates from each project's own schedule: Node.js, nodejs.org/en/about/previous-releases (odd majors
end after six months, even majors after thirty); Python, devguide.python.org/versions (PEP 373,
478, 494, 537, 569, 596, 619, 664, 693, 719); PHP, php.net/supported-versions and php.net/eol;
Ruby, ruby-lang.org/en/downloads/branches (the dates of branches still maintained are the planned
ones).
"""

from __future__ import annotations

import re
from datetime import date

from pipedoctor.knowledge.images import ImageReference

END_OF_LIFE: dict[str, dict[str, str]] = {
    "node": {
        "8": "2019-12-31", "10": "2021-04-30", "11": "2019-06-01", "12": "2022-04-30",
        "13": "2020-06-01", "14": "2023-04-30", "15": "2021-06-01", "16": "2023-09-11",
        "17": "2022-06-01", "18": "2025-04-30", "19": "2023-06-01", "20": "2026-04-30",
        "21": "2024-06-01", "22": "2027-04-30", "23": "2025-06-01", "24": "2028-04-30",
        "25": "2026-06-01", "26": "2029-04-30",
    },
    "python": {
        "2.7": "2020-01-01", "3.5": "2020-09-13", "3.6": "2021-12-23", "3.7": "2023-06-27",
        "3.8": "2024-10-07", "3.9": "2025-10-31", "3.10": "2026-10-31", "3.11": "2027-10-31",
        "3.12": "2028-10-31", "3.13": "2029-10-31", "3.14": "2030-10-31",
    },
    "php": {
        "5.6": "2018-12-31", "7.0": "2019-01-10", "7.1": "2019-12-01", "7.2": "2020-11-30",
        "7.3": "2021-12-06", "7.4": "2022-11-28", "8.0": "2023-11-26", "8.1": "2025-12-31",
        "8.2": "2026-12-31", "8.3": "2027-12-31", "8.4": "2028-12-31",
    },
    "ruby": {
        "2.4": "2020-03-31", "2.5": "2021-04-05", "2.6": "2022-04-12", "2.7": "2023-03-31",
        "3.0": "2024-04-23", "3.1": "2025-03-26", "3.2": "2026-03-31", "3.3": "2027-03-31",
        "3.4": "2028-03-31",
    },
}
_MAJOR = re.compile(r"^(\d+)(?:[.-]|$)")
_MAJOR_MINOR = re.compile(r"^(\d+\.\d+)(?:[.-]|$)")
_VERSION = {"node": _MAJOR, "python": _MAJOR_MINOR, "php": _MAJOR_MINOR, "ruby": _MAJOR_MINOR}


def end_of_life(image: ImageReference, today: date) -> tuple[str, str] | None:
    """(release, end date) when `image` is an official runtime image past its end of life."""
    name = image.repository.removeprefix("library/")
    if not image.is_official_library or name not in END_OF_LIFE:
        return None
    found = _VERSION[name].match(image.tag)
    if found is None:
        return None
    release = found.group(1)
    ended = END_OF_LIFE[name].get(release)
    if ended is None or date.fromisoformat(ended) > today:
        return None
    return release, ended


def supported_releases(name: str, today: date) -> list[str]:
    """Releases of `name` still supported on `today`, oldest first (Node.js: long-term ones only)."""
    return [
        release
        for release, ended in END_OF_LIFE.get(name, {}).items()
        if date.fromisoformat(ended) > today and not (name == "node" and int(release) % 2)
    ]
