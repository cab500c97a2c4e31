"""AWS console addresses for what the screens show (the `o` key)."""

from __future__ import annotations

from urllib.parse import quote

from pipedoctor.model import Build, Pipeline, Role

_DOMAINS = {"aws": "console.aws.amazon.com", "aws-cn": "console.amazonaws.cn"}


def _domain(partition: str, region: str = "") -> str:
    base = _DOMAINS.get(partition, "console.amazonaws-us-gov.com" if "gov" in partition else "")
    base = base or _DOMAINS["aws"]
    return f"{region}.{base}" if region else base


def pipeline_url(pipeline: Pipeline, partition: str = "aws") -> str:
    name = quote(pipeline.name, safe="")
    return (
        f"https://{_domain(partition, pipeline.region)}/codesuite/codepipeline/pipelines/"
        f"{name}/view?region={pipeline.region}"
    )


def execution_url(pipeline: Pipeline, execution_id: str, partition: str = "aws") -> str:
    name = quote(pipeline.name, safe="")
    return (
        f"https://{_domain(partition, pipeline.region)}/codesuite/codepipeline/pipelines/"
        f"{name}/executions/{quote(execution_id, safe='')}/timeline?region={pipeline.region}"
    )


def build_url(build: Build, account: str, partition: str = "aws") -> str:
    return (
        f"https://{_domain(partition, build.region)}/codesuite/codebuild/{account}/projects/"
        f"{quote(build.project_name, safe='')}/build/{quote(build.id, safe='')}/?region={build.region}"
    )


def role_url(role: Role, partition: str = "aws") -> str:
    return f"https://{_domain(partition)}/iam/home#/roles/details/{quote(role.name, safe='')}"
