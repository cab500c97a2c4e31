"""A name the user typed that names nothing: one error line with the closest known names."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from pipedoctor.errors import UserError


def unknown_name(kind: str, name: str, known: Iterable[str], where: str = "") -> UserError:
    """`pipeline 'nope' is not in demo.json (closest: deploy-myapp)`; exit code 2."""
    candidates = sorted(set(known))
    close = difflib.get_close_matches(name, candidates, n=3, cutoff=0.5)
    place = f"is not in {where}" if where else "does not exist"
    if close:
        hint = f" (closest: {', '.join(close)})"
    elif candidates and len(candidates) <= 5:
        hint = f" (known: {', '.join(candidates)})"
    else:
        hint = ""
    return UserError(f"{kind} {name!r} {place}{hint}")


def require_known(kind: str, names: Iterable[str], known: Iterable[str], where: str = "") -> None:
    known = set(known)
    for name in names:
        if name not in known:
            raise unknown_name(kind, name, known, where)
