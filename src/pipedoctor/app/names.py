"""A name the user typed that names nothing: one error line with the closest known names."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from pipedoctor.errors import UserError


def closest(name: str, known: Iterable[str]) -> str:
    """` (closest: a, b)`, or the whole list when it is short, or nothing."""
    candidates = sorted(set(known))
    close = difflib.get_close_matches(name, candidates, n=3, cutoff=0.5)
    if close:
        return f" (closest: {', '.join(close)})"
    if candidates and len(candidates) <= 5:
        return f" (known: {', '.join(candidates)})"
    return ""


def unknown_name(kind: str, name: str, known: Iterable[str], where: str = "") -> UserError:
    """`pipeline 'nope' is not in demo.json (closest: deploy-myapp)`; exit code 2."""
    place = f"is not in {where}" if where else "does not exist"
    return UserError(f"{kind} {name!r} {place}{closest(name, known)}")


def require_known(kind: str, names: Iterable[str], known: Iterable[str], where: str = "") -> None:
    known = set(known)
    for name in names:
        if name not in known:
            raise unknown_name(kind, name, known, where)
