"""No input crashes a parser: each either parses or raises its one documented error."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipedoctor.diagnose import Diagnoser, load_rules
from pipedoctor.diagnose.matcher import ANY_SURFACE, ScanState
from pipedoctor.errors import UserError
from pipedoctor.iam import load_catalog
from pipedoctor.iam.lint import lint_policy
from pipedoctor.knowledge.images import parse_image
from pipedoctor.model import loads
from pipedoctor.sources.buildspec import parse_buildspec, pushed_ecr_repositories
from pipedoctor.sources.dockerfile import base_images
from pipedoctor.textparse import ParseError
from tests.fuzz.conftest import TRIED

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=12), children, max_size=5)
    ),
    max_leaves=40,
)
# Policies: the real keys with arbitrary values, so the fuzzer reaches past the first check.
policy_like = st.fixed_dictionaries(
    {"Version": st.sampled_from(["2012-10-17", "2008-10-17", "x"]) | json_values},
    optional={
        "Statement": st.lists(
            st.fixed_dictionaries(
                {},
                optional={
                    key: json_values | st.text(max_size=40)
                    for key in (
                        "Sid",
                        "Effect",
                        "Action",
                        "NotAction",
                        "Resource",
                        "NotResource",
                        "Principal",
                        "Condition",
                    )
                },
            ),
            max_size=4,
        )
        | json_values
    },
)
yaml_like = st.text(alphabet=st.sampled_from(list("abc :-\n\t'\"&*![]{}#|>%@`$\\0")), max_size=200)
dockerfile_like = st.lists(
    st.sampled_from(
        [
            "FROM ",
            "ARG ",
            "AS ",
            "--platform=x ",
            "${A}",
            "$B",
            ":",
            "@",
            "/",
            "\\\n",
            "node",
            " ",
            "\n",
            "a",
        ]
    ),
    max_size=40,
).map("".join)


@settings(settings.get_profile("fuzz"))
@given(policy_like)
def test_policy_lint_never_crashes(document) -> None:
    TRIED["policy"] += 1
    assert isinstance(lint_policy(document, load_catalog()), list)


@settings(settings.get_profile("fuzz"))
@given(st.one_of(yaml_like, st.text(max_size=300)))
def test_buildspec_parse_raises_only_parse_error(text: str) -> None:
    TRIED["buildspec"] += 1
    try:
        buildspec = parse_buildspec(text)
    except ParseError:
        return
    assert isinstance(pushed_ecr_repositories(buildspec, {"A": "1"}), list)


@settings(settings.get_profile("fuzz"))
@given(st.one_of(dockerfile_like, st.text(max_size=300)))
def test_dockerfile_and_image_parsers_never_crash(text: str) -> None:
    TRIED["dockerfile"] += 1
    assert all(b.line >= 1 for b in base_images(text))
    parse_image(text)


@settings(settings.get_profile("fuzz"))
@given(st.one_of(json_values.map(json.dumps), st.text(max_size=300)))
def test_snapshot_load_raises_only_user_error(text: str) -> None:
    TRIED["snapshot"] += 1
    try:
        loads(text)
    except UserError:
        pass


@pytest.fixture(scope="module")
def matcher():
    return Diagnoser(load_rules()).matcher


@settings(settings.get_profile("fuzz"))
@given(st.binary(max_size=2000) | st.text(max_size=2000).map(str.encode))
def test_log_scan_never_crashes(matcher, data: bytes) -> None:
    TRIED["log"] += 1
    state = ScanState()
    matcher.scan(data, ANY_SURFACE, state)
    assert set(state.first) <= {rule.id for rule in matcher.rules}


record_like = st.fixed_dictionaries(
    {},
    optional={
        "eventName": st.sampled_from(["PutImage", "GetObject", "Invoke20150331", "ReEncrypt", "x"])
        | json_values,
        "eventSource": st.sampled_from(
            ["ecr.amazonaws.com", "s3.amazonaws.com", "monitoring.amazonaws.com", "nope"]
        )
        | json_values,
        "userIdentity": st.fixed_dictionaries(
            {},
            optional={
                "arn": st.text(max_size=60) | json_values,
                "type": json_values,
                "sessionContext": json_values,
            },
        )
        | json_values,
        "requestParameters": st.dictionaries(
            st.sampled_from(["bucketName", "key", "repositoryName", "keyId", "secretId"]),
            json_values,
        )
        | json_values,
        "resources": json_values,
        "errorCode": st.sampled_from(["AccessDenied", "Throttling"]) | json_values,
        "eventTime": st.text(max_size=25) | json_values,
        "awsRegion": json_values,
        "recipientAccountId": json_values,
    },
)


@settings(settings.get_profile("fuzz"))
@given(st.one_of(record_like, json_values))
def test_cloudtrail_record_mapping_never_crashes(record) -> None:
    from pipedoctor.leastpriv.cloudtrail import group_from_record, usage_from_groups

    TRIED["cloudtrail"] += 1
    group = group_from_record(record)
    usage, _ = usage_from_groups([group] if group else [])
    assert all(u.action and u.resource for u in usage)


cfn_like = st.lists(
    st.sampled_from(
        [
            "Resources:\n",
            "  P:\n",
            "    Type: AWS::CodeBuild::Project\n",
            "    Type: AWS::IAM::Role\n",
            "    Properties:\n",
            "      ServiceRole: !GetAtt R.Arn\n",
            "      Environment: {PrivilegedMode: false}\n",
            "      Source: {Type: CODEPIPELINE, BuildSpec: !Sub '${X}'}\n",
            "      Policies: [ {PolicyDocument: x} ]\n",
            "  R: !Ref P\n",
            "&a ",
            "*a",
            "- ",
            ": ",
            "{",
            "}",
            "[",
            "]",
            "\t",
            "'",
            '"',
            "!Join [a, b]\n",
        ]
    ),
    max_size=30,
).map("".join)
hcl_like = st.lists(
    st.sampled_from(
        [
            'resource "aws_codebuild_project" "p" {\n',
            'resource "aws_iam_role" "r" {\n',
            "}\n",
            "  service_role = aws_iam_role.r.arn\n",
            "  environment {\n",
            "    privileged_mode = false\n",
            '  buildspec = <<EOF\nphases: {build: {commands: ["docker build ."]}}\nEOF\n',
            "  x = [1, 2,\n",
            '  y = "${var.a}"\n',
            'dynamic "d" {\n',
            "#",
            "/*",
            "*/",
            "{",
            "}",
            "=",
            '"',
            "\n",
        ]
    ),
    max_size=30,
).map("".join)


@settings(settings.get_profile("fuzz"))
@given(st.one_of(cfn_like, st.text(max_size=300)))
def test_cloudformation_files_never_crash_the_repository_reader(text: str) -> None:
    from pipedoctor.model import RepoFile
    from pipedoctor.sources.repository_model import build_model

    TRIED["cloudformation"] += 1
    model = build_model([RepoFile("template.yaml", text), RepoFile("template.json", text)])
    assert isinstance(model.locations(), dict)


@settings(settings.get_profile("fuzz"))
@given(st.one_of(hcl_like, st.text(max_size=300)))
def test_terraform_files_never_crash_the_repository_reader(text: str) -> None:
    from pipedoctor.model import RepoFile
    from pipedoctor.sources.repository_model import build_model

    TRIED["terraform"] += 1
    model = build_model([RepoFile("main.tf", text), RepoFile("plan.json", text)])
    assert isinstance(model.locations(), dict)
