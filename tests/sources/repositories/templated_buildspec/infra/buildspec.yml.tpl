version: 0.2
phases:
  pre_build:
    commands:
      - aws ecr get-login-password | docker login --username AWS --password-stdin ${repository_url}
  build:
    commands:
%{ if tag != "" ~}
      - docker build -t ${repository_url}:${tag} .
%{ endif ~}
      - echo "$${CODEBUILD_RESOLVED_SOURCE_VERSION}"
