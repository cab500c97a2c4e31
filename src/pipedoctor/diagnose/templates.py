"""`{fact.name}` placeholders in messages, fixes and checks.

A message never shows a placeholder: `{fact|words}` reads `words` when the fact is unknown,
`[[ ... ]]` is a clause dropped whole when a fact inside it is unknown (`[[ ... || words ]]` reads
`words` instead), and a bare `{fact}` that
is unknown reads as a plain description of the fact ("the build role").
"""

from __future__ import annotations

import re
from typing import Any

# {fact.name} or {fact.name|text to use when the fact is unknown}
_PLACEHOLDER = re.compile(r"\{([a-z][\w.-]*)(?:\|([^{}]*))?\}")
_OPTIONAL = re.compile(r"\[\[(.*?)\]\]", re.DOTALL)

# How to say a fact nobody knows, for the facts whose name alone reads badly.
_UNKNOWN_WORDS = {
    "build.role": "the CodeBuild service role",
    "project.role": "the CodeBuild service role",
    "pipeline.role": "the pipeline role",
    "action.role": "the action's role",
    "task.execution_role": "the task execution role",
    "task.role": "the task role",
    "task.image": "the image",
    "connection.arn": "the connection",
    "connection.prefix": "the connection's service prefix",
    "artifact.bucket": "the artifact bucket",
    "artifact.kms_key": "the artifact key",
    "project.name": "the CodeBuild project",
    "pipeline.name": "the pipeline",
    "match.action": "the denied action",
    "match.resource": "the resource",
    "match.role": "the role",
    "match.image": "the image",
    "match.repository": "the repository",
    "auth.role": "the role",
    "auth.action": "the denied action",
    "auth.resource": "the resource",
}


class MissingFact(LookupError):
    pass


def _text(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


def _known(facts: dict[str, Any], name: str) -> bool:
    return name in facts and facts[name] not in (None, "", [])


def unknown_words(name: str) -> str:
    """A plain description of a fact the text does not give."""
    if name in _UNKNOWN_WORDS:
        return _UNKNOWN_WORDS[name]
    return "the " + name.rsplit(".", 1)[-1].replace("_", " ")


def _drop_optional(template: str, facts: dict[str, Any]) -> str:
    def keep(found: re.Match[str]) -> str:
        inner, _, otherwise = found.group(1).partition("||")
        names = [m.group(1) for m in _PLACEHOLDER.finditer(inner) if m.group(2) is None]
        return inner if all(_known(facts, name) for name in names) else otherwise

    return _OPTIONAL.sub(keep, template)


def render(template: str, facts: dict[str, Any], strict: bool = False) -> str:
    """Fill placeholders; unknown facts raise MissingFact when strict, else read as plain words."""

    def fill(found: re.Match[str]) -> str:
        name = found.group(1)
        if _known(facts, name):
            return _text(facts[name])
        if found.group(2) is not None:
            return found.group(2)
        if strict:
            raise MissingFact(name)
        return unknown_words(name)

    text = _PLACEHOLDER.sub(fill, _drop_optional(template, facts))
    if strict:
        return text
    text = re.sub(r"[ \t]{2,}", " ", text)
    text = re.sub(r" ([,.;:)])", r"\1", text)
    return text.strip()


def render_structure(value: Any, facts: dict[str, Any]) -> Any:
    """Render every string inside a JSON-like structure (a policy statement); strict."""
    if isinstance(value, str):
        whole = _PLACEHOLDER.fullmatch(value)
        if whole and isinstance(facts.get(whole.group(1)), list):
            if not facts[whole.group(1)]:
                raise MissingFact(whole.group(1))
            return list(facts[whole.group(1)])
        return render(value, facts, strict=True)
    if isinstance(value, list):
        return [render_structure(item, facts) for item in value]
    if isinstance(value, dict):
        return {key: render_structure(item, facts) for key, item in value.items()}
    return value


def fact_names(value: Any) -> list[str]:
    """The facts a template (or every string inside a JSON-like structure) names, in order."""
    if isinstance(value, str):
        return [found.group(1) for found in _PLACEHOLDER.finditer(value)]
    if isinstance(value, list):
        return [name for item in value for name in fact_names(item)]
    if isinstance(value, dict):
        return [name for item in value.values() for name in fact_names(item)]
    return []
