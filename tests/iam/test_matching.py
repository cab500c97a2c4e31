from __future__ import annotations

from pipedoctor.iam.matching import arn_match, glob_covers, glob_match, globs_intersect


def test_plain_glob_star_and_question_mark() -> None:
    assert glob_match("s3:Get*", "s3:GetObject")
    assert glob_match("s3:?etObject", "s3:GetObject")
    assert not glob_match("s3:Get*", "s3:PutObject")
    assert glob_match("S3:GET*", "s3:getobject", ignore_case=True)
    assert not glob_match("S3:GET*", "s3:getobject")


def test_arn_wildcards_stay_within_their_segment() -> None:
    assert arn_match("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/a/b:c")
    assert arn_match("arn:aws:iam::*:role/build", "arn:aws:iam::123456789012:role/build")
    # A wildcard in the region segment cannot swallow the account segment.
    assert not arn_match(
        "arn:aws:logs:*:log-group:x", "arn:aws:logs:eu-west-1:123456789012:log-group:x"
    )
    assert arn_match("*", "arn:aws:s3:::anything")
    assert not arn_match("arn:aws:s3:::Bucket", "arn:aws:s3:::bucket")


def test_pattern_intersection_and_cover() -> None:
    assert globs_intersect("arn:aws:s3:::*/AWSLogs/*", "arn:aws:s3:::example/*")
    assert not globs_intersect("arn:aws:s3:::a/*", "arn:aws:s3:::b/*")
    assert glob_covers("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/photos/*")
    assert not glob_covers("arn:aws:s3:::bucket/private/*", "arn:aws:s3:::bucket/*")
    assert glob_covers("*", "*")
    assert not glob_covers("arn:*", "*")
