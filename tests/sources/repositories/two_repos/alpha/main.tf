resource "aws_iam_role" "build" {
  assume_role_policy = "{}"
}

resource "aws_codebuild_project" "alpha" {
  name         = "alpha"
  service_role = aws_iam_role.build.arn

  environment {
    compute_type    = "BUILD_GENERAL1_SMALL"
    image           = "aws/codebuild/standard:7.0"
    type            = "LINUX_CONTAINER"
    privileged_mode = false
  }

  source {
    type = "CODEPIPELINE"
  }

  artifacts {
    type = "CODEPIPELINE"
  }
}

resource "aws_iam_role_policy_attachment" "admin" {
  role       = aws_iam_role.build.name
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}
