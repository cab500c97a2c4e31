resource "aws_iam_role" "build" {
  assume_role_policy = "{}"
}

resource "aws_codebuild_project" "beta" {
  name         = "beta"
  service_role = aws_iam_role.build.arn

  environment {
    compute_type    = "BUILD_GENERAL1_SMALL"
    image           = "aws/codebuild/standard:7.0"
    type            = "LINUX_CONTAINER"
    privileged_mode = true
  }

  source {
    type = "CODEPIPELINE"
  }

  artifacts {
    type = "CODEPIPELINE"
  }
}
