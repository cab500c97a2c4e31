"""Configuration checks on the files themselves: syntax errors and ambiguous links."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from pipedoctor.diagnose.hit import Hit
from pipedoctor.model import Snapshot
from pipedoctor.sources.repository import is_buildspec
from pipedoctor.sources.repository_model import repository_model
from pipedoctor.textparse import ParseError, parse_yaml

# `${name}`-style shell expansions; anything else left in an inline buildspec is a template
# expression the reader could not resolve, and the text is not what CodeBuild will get.
_UNRESOLVED_TEMPLATE = re.compile(r"\$\{(?![A-Za-z_][A-Za-z0-9_]*(?:[:#%/^,@][^}]*)?\})")


def inline_buildspec_yaml_error(snapshot: Snapshot, params: dict[str, Any]) -> Iterator[Hit]:
    """An inline buildspec (in a template) that is not valid YAML, with its line and column."""
    for linked in repository_model(snapshot).projects:
        facts = linked.buildspec
        if facts is None or facts.error is None or linked.buildspec_file:
            continue
        if _UNRESOLVED_TEMPLATE.search(linked.project.source.buildspec):
            continue
        error = facts.error
        yield Hit(
            facts={
                "file": facts.path,
                "line": facts.error_line,
                "column": error.column or 1,
                "problem": str(error.args[0]),
                "project.name": linked.project.name,
            },
            location=f"{facts.path}:{facts.error_line}",
            resource=f"{linked.project.arn}#buildspec",
            evidence=[
                f"{facts.path}:{facts.error_line}: the inline buildspec of {linked.project.name}: {error}"
            ],
        )


def definition_syntax_error(snapshot: Snapshot, params: dict[str, Any]) -> Iterator[Hit]:
    """A template, Terraform or pipeline file that does not parse, with its line and column."""
    for path, error in repository_model(snapshot).syntax_errors:
        line, column = error.line or 1, error.column or 1
        yield Hit(
            facts={"file": path, "line": line, "column": column, "problem": str(error.args[0])},
            location=f"{path}:{line}",
            resource=path,
            evidence=[f"{path}:{line}:{column}: {error.args[0]}"],
        )


def ambiguous_link(snapshot: Snapshot, params: dict[str, Any]) -> Iterator[Hit]:
    """A project with several equally close candidate buildspecs or service roles."""
    for linked in repository_model(snapshot).projects:
        defined = linked.defined
        for kind, key, candidates in (
            ("buildspec", "buildspec", list(linked.buildspec_candidates)),
            ("service role", "service_role", [role.at() for role in linked.role_candidates]),
        ):
            if len(candidates) < 2:
                continue
            yield Hit(
                facts={
                    "project.name": defined.item.name,
                    "file": defined.path,
                    "line": defined.line(key),
                    "link.kind": kind,
                    "link.count": len(candidates),
                    "link.candidates": ", ".join(candidates),
                },
                location=defined.at(key),
                resource=f"{defined.item.arn}#{key}",
                evidence=[
                    f"{defined.at(key)}: {defined.item.name} could use {c}" for c in candidates
                ],
            )


def buildspec_yaml_error(snapshot: Snapshot, params: dict[str, Any]) -> Iterator[Hit]:
    """Repository buildspecs that are not valid YAML, with the line and column of the error."""
    for repo_file in snapshot.repo_files:
        if not is_buildspec(repo_file.path):
            continue
        try:
            parse_yaml(repo_file.text)
        except ParseError as error:
            line, column = error.line or 1, error.column or 1
            problem = str(error.args[0])
            yield Hit(
                facts={"file": repo_file.path, "line": line, "column": column, "problem": problem},
                location=f"{repo_file.path}:{line}",
                resource=repo_file.path,
                evidence=[f"{repo_file.path}:{line}:{column}: {problem}"],
            )
