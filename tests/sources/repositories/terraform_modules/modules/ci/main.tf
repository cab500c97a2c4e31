variable "name" {
  default = "default-name"
}

variable "privileged" {
  default = false
}

resource "aws_iam_role" "build" {
  name               = "${var.name}-build"
  assume_role_policy = "{}"
}

resource "aws_codebuild_project" "app" {
  name         = var.name
  service_role = aws_iam_role.build.arn

  environment {
    compute_type    = "BUILD_GENERAL1_SMALL"
    image           = "aws/codebuild/standard:7.0"
    type            = "LINUX_CONTAINER"
    privileged_mode = var.privileged
  }

  source {
    type      = "CODEPIPELINE"
    buildspec = "buildspec.yml"
  }

  artifacts {
    type = "CODEPIPELINE"
  }
}

output "project_name" {
  value = aws_codebuild_project.app.name
}
