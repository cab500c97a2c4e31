resource "aws_iam_role" "build" {
  name               = "templated-build"
  assume_role_policy = "{}"
}

resource "aws_codebuild_project" "app" {
  name         = "templated"
  service_role = aws_iam_role.build.arn

  environment {
    compute_type = "BUILD_GENERAL1_SMALL"
    image        = "aws/codebuild/standard:7.0"
    type         = "LINUX_CONTAINER"
  }

  source {
    type      = "CODEPIPELINE"
    buildspec = templatefile("${path.module}/buildspec.yml.tftpl", { repository_url = "x", tag = "y" })
  }

  artifacts {
    type = "CODEPIPELINE"
  }
}
