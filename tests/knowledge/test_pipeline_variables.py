from __future__ import annotations

import pytest

from pipedoctor.knowledge.pipeline_variables import (
    EVENT_ONLY_VARIABLES,
    action_environment_variables,
    variable_references,
)


@pytest.mark.parametrize(
    ("text", "references"),
    [
        ("#{SourceVariables.TagName}", [("SourceVariables", "TagName")]),
        # CodePipeline namespaces may hold @ (API pattern [A-Za-z0-9@\-_]+): the diagnosis facts
        # did not read these, the tag-trigger check did.
        ("v-#{Source@main.CommitId}-#{codepipeline.PipelineExecutionId}", [("Source@main", "CommitId"), ("codepipeline", "PipelineExecutionId")]),
        ("${TAG}", []),
        ("#{broken", []),
    ],
)
def test_variable_references(text: str, references: list[tuple[str, str]]) -> None:
    assert variable_references(text) == references


def test_event_only_variables() -> None:
    assert "TagName" in EVENT_ONLY_VARIABLES and "CommitId" not in EVENT_ONLY_VARIABLES


@pytest.mark.parametrize(
    ("raw", "variables"),
    [
        ('[{"name": "TAG", "value": "#{SourceVariables.TagName}", "type": "PLAINTEXT"}]', [{"name": "TAG", "value": "#{SourceVariables.TagName}", "type": "PLAINTEXT"}]),
        ("", []),
        # The facts read a byte order mark as JSON, the variable check as unreadable.
        ('\ufeff[{"name": "A", "value": "1"}]', [{"name": "A", "value": "1"}]),
        ("[{", None),
        ('{"name": "A"}', None),
    ],
)
def test_action_environment_variables(raw: str, variables: list | None) -> None:
    assert action_environment_variables({"EnvironmentVariables": raw} if raw else {}) == variables
