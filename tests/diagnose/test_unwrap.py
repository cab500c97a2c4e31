"""Error texts wrapped by whoever quoted them are matched with their lines joined again."""

from __future__ import annotations

from pathlib import Path

from pipedoctor.app.diagnosis import diagnose_text
from pipedoctor.diagnose import Diagnoser, load_rules
from pipedoctor.diagnose.unwrap import unwrapped

WRAPPED_LAMBDA_REFUSAL = (
    "Error: creating Lambda Function (api): InvalidParameterValueException:\n"
    "The image manifest, config or layer media type for the source\n"
    "image 111122223333.dkr.ecr.us-east-1.amazonaws.com/api:build-42\n"
    "is not supported.\n"
)


def test_lines_that_continue_a_sentence_are_joined() -> None:
    assert unwrapped("for the source\nimage x\n  is not supported.") == "for the source image x is not supported."
    assert unwrapped("Error: failed\n(exit status 1)") == "Error: failed (exit status 1)"


def test_lines_of_their_own_stay_apart() -> None:
    log = (
        "[Container] 2026/05/01 10:00:00 Running command make\n"
        "Error: build failed\n"
        "2026-05-01T10:00:01Z next step\n"
        "10:00:02 another line\n"
    )
    assert unwrapped(log) == log


def test_a_wrapped_message_is_diagnosed_as_the_whole_one(tmp_path: Path) -> None:
    rules = load_rules()
    pattern_per_line = [line for line in WRAPPED_LAMBDA_REFUSAL.splitlines() if "media type" in line]
    assert pattern_per_line and "not supported" not in pattern_per_line[0]  # no single line holds it
    path = tmp_path / "deploy.log"
    path.write_text(WRAPPED_LAMBDA_REFUSAL, encoding="utf-8")
    findings = diagnose_text(Diagnoser(rules), str(path), "other")
    assert findings[0].cause == "image-manifest-format-unsupported"
    assert findings[0].rule != "resemblance"
