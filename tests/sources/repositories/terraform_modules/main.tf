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
