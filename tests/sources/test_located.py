"""Located YAML/JSON: CloudFormation short tags, lines, and hostile input."""

from __future__ import annotations

import pytest

from pipedoctor.sources.located import load_located_json, load_located_yaml
from pipedoctor.textparse import ParseError


def test_short_tags_become_long_form_and_keep_lines() -> None:
    text = "A: !Ref X\nB: !GetAtt R.Arn\nC:\n  - !Sub |\n    echo ${AWS::Region}\n    done\nD: 2012-10-17\n"
    doc = load_located_yaml(text)
    assert doc.data == {
        "A": {"Ref": "X"},
        "B": {"Fn::GetAtt": "R.Arn"},
        "C": [{"Fn::Sub": "echo ${AWS::Region}\ndone\n"}],
        "D": "2012-10-17",  # IAM versions stay strings
    }
    assert doc.line(("B",)) == 2 and doc.line(("C", 0)) == 4
    assert doc.text_starts[("C", 0)] == 5  # the literal block's first line
    assert doc.line(("C", 0, "missing")) == 4  # nearest located ancestor


def test_numbers_keep_their_written_form() -> None:
    doc = load_located_yaml("python: 3.10\n")
    assert doc.data["python"] == 3.1 and doc.number_texts[("python",)] == "3.10"


def test_invalid_yaml_and_json_raise_parse_error_with_position() -> None:
    with pytest.raises(ParseError) as error:
        load_located_yaml("a:\n  - x\n - y\n")
    assert error.value.line == 3
    with pytest.raises(ParseError) as error:
        load_located_json('{"a": [1,\n}')
    assert error.value.line == 2


def test_json_gets_lines_through_yaml() -> None:
    doc = load_located_json('{\n  "Resources": {\n    "R": {"Type": "AWS::S3::Bucket"}\n  }\n}\n')
    assert doc.line(("Resources", "R", "Type")) == 3


def test_alias_bombs_are_refused_not_expanded() -> None:
    levels = "".join(
        f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9) if i else 'a'}]\n" for i in range(9)
    )
    with pytest.raises(ParseError, match="expand"):
        load_located_yaml(levels)
