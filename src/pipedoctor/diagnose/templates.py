"""`{fact.name}` placeholders in messages, fixes and checks."""

from __future__ import annotations

import re
from typing import Any

# {fact.name} or {fact.name|text to use when the fact is unknown}
_PLACEHOLDER = re.compile(r"\{([a-z][\w.-]*)(?:\|([^{}]*))?\}")


class MissingFact(LookupError):
    pass


def _text(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


def render(template: str, facts: dict[str, Any], strict: bool = False) -> str:
    """Fill placeholders; unknown facts raise MissingFact when strict, else read `<unknown X>`."""

    def fill(found: re.Match[str]) -> str:
        name = found.group(1)
        if name in facts and facts[name] not in (None, ""):
            return _text(facts[name])
        if found.group(2) is not None:
            return found.group(2)
        if strict:
            raise MissingFact(name)
        return f"<unknown {name}>"

    return _PLACEHOLDER.sub(fill, template)


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
