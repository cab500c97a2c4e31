"""How rule patterns are compiled: case-insensitive, ^ and $ per line, and a space matches any run of
whitespace."""

from __future__ import annotations

import pytest

from pipedoctor.diagnose import diagnose_incident, incident_from_text, load_rules
from pipedoctor.diagnose.patterns import compile_pattern, spaces_as_whitespace


@pytest.mark.parametrize(
    ("source", "compiled"),
    [
        ("Login Succeeded", r"Login\s+Succeeded"),
        ("Access ?Denied", r"Access\s?Denied"),  # a quantified space stays one character
        ("x {2}y", r"x\s{2}y"),
        ("[^ ]+ x", r"[^ ]+\s+x"),  # in a class: as written
        (r"a\ b", r"a\ b"),  # escaped: as written
        (r"\\ b", r"\\\s+b"),  # an escaped backslash, then a space
        (r"\[Container\] x", r"\[Container\]\s+x"),
    ],
)
def test_spaces_become_whitespace_runs_outside_classes_and_escapes(
    source: str, compiled: str
) -> None:
    assert spaces_as_whitespace(source) == compiled


def test_a_message_wrapped_onto_the_next_line_still_matches() -> None:
    pattern = compile_pattern("was unable to place a task because no container instance met")
    assert pattern.regex.search(
        "service web was unable to place a task\n   because no container instance met all"
    )
    assert pattern.regex.search("WAS UNABLE TO PLACE A TASK\tBECAUSE NO CONTAINER INSTANCE MET")
    assert not pattern.regex.search("was unable to place a taskbecause no container instance met")


def test_a_message_ending_its_line_matches_with_more_lines_after_it() -> None:
    pattern = compile_pattern("Service not found\\.?$")
    assert pattern.regex.search("Deploying...\nService not found.\nExited with code 1")
    assert not pattern.regex.search("Service not found in cluster app")
    assert compile_pattern("^denied:").regex.search("Pushing app\ndenied: requested access")


def test_a_wrapped_console_message_is_diagnosed_as_its_cause() -> None:
    text = (
        "Stopped reason: ResourceInitializationError: failed to validate logger args: create stream has\n"
        "been retried 1 times: failed to create Cloudwatch log\n"
        "stream: ResourceNotFoundException: The specified log\n"
        "group does not exist."
    )
    causes = [
        f.cause for f in diagnose_incident(incident_from_text(text, "ecs-task"), load_rules())
    ]
    assert causes[:1] == ["ecs-log-group-missing"]
