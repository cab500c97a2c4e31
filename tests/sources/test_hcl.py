"""The HCL reader: blocks, literals, heredocs, expressions kept as text, lines."""

from __future__ import annotations

import json

import pytest

from pipedoctor.sources.hcl import LABELS, load_hcl
from pipedoctor.textparse import ParseError

SOURCE = """\
# comment
resource "aws_codebuild_project" "app" {
  name         = "${var.prefix}-app" // trailing comment
  service_role = aws_iam_role.build.arn
  environment {
    privileged_mode = true
    image           = "aws/codebuild/standard:7.0"
  }
  source {
    buildspec = <<-EOT
      version: 0.2
      phases: {}
    EOT
  }
  tags = merge(var.tags, { Name = "x" })
  policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = ["s3:*"] }] })
  count = var.enabled ? 1 : 0
}
"""


def test_blocks_attributes_and_lines() -> None:
    doc = load_hcl(SOURCE)
    (resource,) = doc.data["resource"]
    assert resource[LABELS] == ["aws_codebuild_project", "app"]
    assert resource["name"] == "${var.prefix}-app"
    assert resource["service_role"] == "${aws_iam_role.build.arn}"
    assert resource["environment"] == [
        {"privileged_mode": True, "image": "aws/codebuild/standard:7.0"}
    ]
    assert resource["source"][0]["buildspec"] == "version: 0.2\nphases: {}\n"
    assert resource["tags"].startswith("${merge(")
    assert json.loads(resource["policy"])["Statement"][0]["Action"] == ["s3:*"]
    assert resource["count"] == "${var.enabled ? 1 : 0}"
    assert doc.line(("resource", 0, "environment", 0, "privileged_mode")) == 6
    assert doc.text_starts[("resource", 0, "source", 0, "buildspec")] == 11


@pytest.mark.parametrize(
    "broken",
    ['resource "a" "b" {\n  x = "open\n}\n', 'resource "a" "b" {\n  x = 1\n', "x = [1, 2\n"],
)
def test_broken_files_raise_parse_error_with_a_line(broken: str) -> None:
    with pytest.raises(ParseError) as error:
        load_hcl(broken)
    assert error.value.line is not None and error.value.line >= 1


TERRAFORM_0_11 = """\
resource "aws_codebuild_project" "build" {
  service_role = "${aws_iam_role.build.arn}"
  "artifacts" {
    type = "CODEPIPELINE"
  }
  "environment" {
    "privileged_mode" = true
    environment_variable {
      name = "TAG"
    }
  }
}
"""


def test_terraform_0_11_quoted_block_types_and_names_read_as_unquoted() -> None:
    doc = load_hcl(TERRAFORM_0_11)
    (project,) = doc.data["resource"]
    assert project["artifacts"] == [{"type": "CODEPIPELINE"}]
    assert project["environment"][0]["privileged_mode"] is True
    assert project["environment"][0]["environment_variable"] == [{"name": "TAG"}]
    assert doc.line(("resource", 0, "environment", 0, "privileged_mode")) == 7
    assert doc.line(("resource", 0, "artifacts", 0)) == 3
