"""Suggestions that exist: the ECR Public mirror only for Docker official images, a note for bases
past their end of life, and a pre-commit hook that runs on every file kind check reads."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import yaml

from pipedoctor.knowledge.images import parse_image
from pipedoctor.sources.end_of_life import end_of_life, supported_releases
from tests.conftest import REPO_ROOT


def docker_hub_findings(run_cli, tmp_path: Path, monkeypatch, dockerfile: str, buildspec: str = "") -> list[dict]:
    (tmp_path / "Dockerfile").write_text(dockerfile, encoding="utf-8")
    if buildspec:
        (tmp_path / "buildspec.yml").write_text(buildspec, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli("check", ".", "--format", "json", "--exit-zero")
    assert code == 0, err
    return [d for d in json.loads(out)["diagnoses"] if d["rule"] == "dockerfile-docker-hub-base-image"]


def test_official_images_get_the_mirror_and_others_do_not(run_cli, tmp_path, monkeypatch) -> None:
    found = docker_hub_findings(
        run_cli, tmp_path, monkeypatch,
        "FROM node:24-alpine AS build\nFROM bitnami/redis:7.2\nFROM gameserver-debian-base\nFROM build\n",
    )
    by_line = {int(f["location"].rsplit(":", 1)[1]): f for f in found}
    assert set(by_line) == {1, 2}
    assert "public.ecr.aws/docker/library/node:24-alpine" in by_line[1]["fix"]
    assert "public.ecr.aws" not in by_line[2]["fix"] and "pull-through cache" in by_line[2]["fix"]
    assert all(f["severity"] == "high" for f in found)


def test_deprecated_official_images_are_docker_hub_pulls_without_a_mirror(run_cli, tmp_path, monkeypatch) -> None:
    (finding,) = docker_hub_findings(run_cli, tmp_path, monkeypatch, "FROM centos:7\n")
    assert "deprecated official image" in finding["message"] and "public.ecr.aws" not in finding["fix"]


def test_an_end_of_life_base_is_named_with_what_to_move_to(run_cli, tmp_path, monkeypatch) -> None:
    (finding,) = docker_hub_findings(run_cli, tmp_path, monkeypatch, "FROM python:3.8-slim\n")
    assert "python 3.8 reached its end of life on 2024-10-07" in finding["message"]
    assert "python 3.11" in finding["message"] or "python 3.12" in finding["message"]


def test_end_of_life_reads_the_release_from_the_tag() -> None:
    today = date(2026, 12, 6)
    assert end_of_life(parse_image("node:21-alpine3.19"), today) == ("21", "2024-06-01")
    assert end_of_life(parse_image("node:22.11.0-bookworm"), today) is None
    assert end_of_life(parse_image("python:3.10"), today) == ("3.10", "2026-10-31")
    assert end_of_life(parse_image("python:3.10"), date(2026, 1, 1)) is None
    assert end_of_life(parse_image("node:lts"), today) is None
    assert end_of_life(parse_image("myregistry.example.com/node:12"), today) is None
    assert supported_releases("node", today) == ["22", "24", "26"]
    assert end_of_life(parse_image("php:7.4-apache"), today) == ("7.4", "2022-11-28")
    assert end_of_life(parse_image("php:8.3-fpm"), today) is None
    assert end_of_life(parse_image("ruby:2.7-slim"), today) == ("2.7", "2023-03-31")
    assert supported_releases("php", today) == ["8.2", "8.3", "8.4"]


def test_an_end_of_life_php_base_is_not_offered_as_a_mirror_of_itself(run_cli, tmp_path, monkeypatch) -> None:
    (finding,) = docker_hub_findings(run_cli, tmp_path, monkeypatch, "FROM php:7.4-apache\n")
    assert "php 7.4 reached its end of life on 2022-11-28" in finding["message"]
    assert re.search(r"move to php 8\.\d+", finding["message"]), finding["message"]


def test_the_pre_commit_hook_runs_on_every_file_kind_check_reads() -> None:
    (hook,) = yaml.safe_load((REPO_ROOT / ".pre-commit-hooks.yaml").read_text())
    pattern = re.compile(hook["files"])
    for path in ("Dockerfile", "app/Dockerfile.prod", "web.dockerfile", "buildspec.yml", "ci/buildspecs/test.yaml",
                 "infra/pipeline.yaml", "infra/pipeline.template", "cdk.out/App.template.json", "main.tf",
                 "pipeline.json", "buildspec.yml.tpl"):
        assert pattern.search(path), path
    assert not pattern.search("src/app.py")
    assert hook["pass_filenames"] is False
