"""What CodePipeline and CodeBuild do in a pipeline's artifact bucket, as IAM actions.

Both read and write the artifacts' objects; CodeBuild also reads the bucket's ACL and location, and
CodePipeline its versioning. The least-privilege generator grants these, and the denial reader
takes a denial of one of them (or of listing the objects) as the artifacts' access.
"""

from __future__ import annotations

ARTIFACT_OBJECT_ACTIONS = ("s3:GetObject", "s3:GetObjectVersion", "s3:PutObject")
BUILD_BUCKET_ACTIONS = ("s3:GetBucketAcl", "s3:GetBucketLocation")
PIPELINE_BUCKET_ACTIONS = ("s3:GetBucketVersioning",)
