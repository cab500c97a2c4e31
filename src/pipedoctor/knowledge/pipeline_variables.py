"""CodePipeline variables: `#{namespace.name}` references, the source variables only some git
events fill, and a CodeBuild action's `EnvironmentVariables` configuration (a JSON list)."""

from __future__ import annotations

import re
from typing import Any

from pipedoctor.textparse import ParseError, parse_json

# Namespaces and variable names: letters, digits and @ - _ (CodePipeline's pattern).
_REFERENCE = re.compile(r"#\{([A-Za-z0-9@\-_]+)\.([A-Za-z0-9@\-_]+)\}")
# Source variables only filled by one kind of git event (a tag push, a pull request);
# any other start leaves them empty.
EVENT_ONLY_VARIABLES = frozenset(
    {"TagName", "PullRequestId", "PullRequestTitle", "SourceBranchName", "DestinationBranchName"}
)


def variable_references(text: str) -> list[tuple[str, str]]:
    """(namespace, variable) of every `#{namespace.variable}` in `text`."""
    return _REFERENCE.findall(text)


def action_environment_variables(configuration: dict[str, str]) -> list[dict[str, Any]] | None:
    """A CodeBuild action's EnvironmentVariables entries; [] when none, None when unreadable."""
    raw = configuration.get("EnvironmentVariables")
    if not raw:
        return []
    try:
        value = parse_json(raw)
    except ParseError:
        return None
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else None
