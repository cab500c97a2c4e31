"""Policy variables (`${aws:username}`, `${aws:PrincipalTag/team}`, `${s3:prefix, 'home'}`).

A template is cut into pieces: text written in the policy (where `*` and `?` keep their wildcard
meaning) and values substituted from the request context (always literal). `${*}`, `${?}` and
`${$}` stand for the literal characters.
"""

from __future__ import annotations

import re
from functools import lru_cache

from pipedoctor.iam.matching import arn_glob_to_regex, glob_to_regex

_VARIABLE = re.compile(r"\$\{([^}]*)\}")
_SPECIAL = {"*": "*", "?": "?", "$": "$"}

Context = dict[str, list[str]]  # lower-cased key -> values


def has_variables(text: str) -> bool:
    return "${" in text


@lru_cache(maxsize=4096)
def _parse(template: str) -> tuple[tuple[bool, str, str | None], ...]:
    """Pieces of (is_variable, text-or-key, default)."""
    pieces: list[tuple[bool, str, str | None]] = []
    position = 0
    for match in _VARIABLE.finditer(template):
        if match.start() > position:
            pieces.append((False, template[position : match.start()], None))
        body = match.group(1).strip()
        default: str | None = None
        if "," in body:
            name, _, rest = body.partition(",")
            body = name.strip()
            rest = rest.strip()
            if len(rest) >= 2 and rest[0] == rest[-1] == "'":
                default = rest[1:-1]
        pieces.append((True, body, default))
        position = match.end()
    if position < len(template):
        pieces.append((False, template[position:], None))
    return tuple(pieces)


def referenced_keys(template: str) -> list[str]:
    return [text for is_var, text, _ in _parse(template) if is_var and text not in _SPECIAL]


def substitute(template: str, context: Context) -> list[tuple[bool, str]] | None:
    """Pieces of (is_literal_value, text); None when a variable has no value and no default."""
    result: list[tuple[bool, str]] = []
    for is_var, text, default in _parse(template):
        if not is_var:
            result.append((False, text))
            continue
        if text in _SPECIAL:
            result.append((True, _SPECIAL[text]))
            continue
        values = context.get(text.lower())
        if values and len(values) == 1:
            result.append((True, values[0]))
        elif default is not None:
            result.append((True, default))
        else:
            return None
    return result


def substitute_text(template: str, context: Context) -> str | None:
    pieces = substitute(template, context)
    if pieces is None:
        return None
    return "".join(text for _, text in pieces)


def substitute_glob_regex(template: str, context: Context, arn: bool) -> str | None:
    """Regex source for a glob template whose substituted values match literally."""
    pieces = substitute(template, context)
    if pieces is None:
        return None
    if arn and not any(literal for literal, _ in pieces):
        return arn_glob_to_regex("".join(text for _, text in pieces))
    # Substituted values are escaped; the surrounding text keeps its wildcards.
    marker_parts: list[str] = []
    for literal, text in pieces:
        marker_parts.append(re.escape(text) if literal else glob_to_regex(text))
    return "".join(marker_parts)
