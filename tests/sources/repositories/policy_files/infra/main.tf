resource "aws_iam_role" "build" {
  name               = "policy-files-build"
  assume_role_policy = file("${path.module}/policies/trust.json")
}

resource "aws_iam_role_policy" "build" {
  name   = "build"
  role   = aws_iam_role.build.id
  policy = file("${path.module}/policies/build.json")
}
