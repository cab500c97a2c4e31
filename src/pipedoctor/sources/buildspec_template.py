"""Buildspec templates (`buildspec.yml.tpl` for Terraform's `templatefile`, Jinja `{{ var }}`,
envsubst `${VAR}`), read best effort: each template variable becomes an opaque `${name}` the
checks treat as defined but unknown, directives (`{% if %}`, `%{ for }`) are blanked, and every
line keeps its number."""

from __future__ import annotations

import re

_JINJA_EXPRESSION = re.compile(r"\{\{-?\s*(.*?)\s*-?\}\}")
_DIRECTIVE = re.compile(r"\{%-?.*?-?%\}|%\{[^}]*\}|\{#.*?#\}")
_TERRAFORM_VARIABLE = re.compile(r"(?<!\$)\$\{([^{}]*)\}")
_NOT_NAME = re.compile(r"[^A-Za-z0-9_]+")


def _name(expression: str) -> str:
    """`image | default('x')`, `var.repo`, `local.name` -> a shell-safe variable name."""
    head = expression.split("|", 1)[0].strip()
    return _NOT_NAME.sub("_", head).strip("_") or "TEMPLATE"


def render_buildspec_template(text: str) -> tuple[str, dict[str, int]]:
    """The text with template parts replaced, and each template variable's first line."""
    variables: dict[str, int] = {}
    jinja = "{{" in text
    lines = []
    for number, line in enumerate(text.splitlines(), start=1):

        def opaque(match: re.Match[str], number: int = number) -> str:
            name = _name(match.group(1))
            variables.setdefault(name, number)
            return "${" + name + "}"

        line = _DIRECTIVE.sub("", line)
        if jinja:
            line = _JINJA_EXPRESSION.sub(opaque, line)
        else:  # `${x}` is Terraform's (or envsubst's); `$${x}` is the shell's, escaped
            line = _TERRAFORM_VARIABLE.sub(opaque, line).replace("$${", "${")
        lines.append(line)
    return "\n".join(lines) + "\n", variables
