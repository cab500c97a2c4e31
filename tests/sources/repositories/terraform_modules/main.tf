variable "environment" {}

module "api" {
  source     = "./modules/ci"
  name       = "api"
  privileged = true
}

module "web" {
  source = "./modules/ci"
  name   = "web-${var.environment}"
}

resource "aws_codepipeline" "release" {
  name     = "release"
  role_arn = "arn:aws:iam::123456789012:role/pipeline"

  artifact_store {
    location = "artifacts"
    type     = "S3"
  }

  stage {
    name = "Build"

    action {
      name            = "Api"
      category        = "Build"
      owner           = "AWS"
      provider        = "CodeBuild"
      version         = "1"
      input_artifacts = ["source"]

      configuration = {
        ProjectName = module.api.project_name
      }
    }
  }
}
