"""Every real buildspec, Dockerfile and pipeline definition in the corpus: no crash, every finding
on a real line, and every definition the corpus says a file holds is read from it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from pipedoctor.sources.repository import repository_files
from pipedoctor.sources.repository_model import build_model

FOLDERS = ["buildspecs", "dockerfiles", "pipelines"]


def findings(run_cli, *paths: str) -> list[dict]:
    code, out, err = run_cli("check", *paths, "--format", "json", "--exit-zero")
    assert code == 0, err
    assert "Traceback" not in err
    return json.loads(out)["diagnoses"]


def assert_on_real_lines(found: list[dict]) -> None:
    for finding in found:
        path, _, line = finding["location"].rpartition(":")
        assert line.isdigit(), finding["location"]
        lines = Path(path).read_text(errors="replace").splitlines()
        assert 1 <= int(line) <= max(len(lines), 1), finding["location"]
        if finding["rule"].startswith("static-") and lines:
            assert lines[int(line) - 1].strip(), f"{finding['rule']} points at a blank line"


@pytest.mark.parametrize("folder", FOLDERS)
def test_each_folder_alone(corpus: Path, run_cli, folder: str) -> None:
    assert_on_real_lines(findings(run_cli, str(corpus / folder)))


def test_all_together_links_and_finds(corpus: Path, run_cli) -> None:
    found = findings(run_cli, *(str(corpus / folder) for folder in FOLDERS))
    assert_on_real_lines(found)
    rules = {f["rule"] for f in found}
    # Templates feed the snapshot rules too: CI roles granting everything, or a whole service, are
    # found in templates by what their policies allow.
    assert {"ci-role-admin-equivalent-policy", "ci-role-service-wildcard-policy"} <= rules
    assert any(r.startswith("static-") for r in rules)


def _declared(corpus: Path) -> dict[str, set[str]]:
    """file -> what SOURCES.md says it defines (cfn:AWS::CodeBuild::Project, tf:aws_codepipeline ...)."""
    declared = {}
    for row in (corpus / "pipelines" / "SOURCES.md").read_text().splitlines():
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        if len(cells) >= 5 and re.search(r"(cfn|tf):", cells[4]):
            declared[cells[0]] = set(cells[4].split(","))
    return declared


def test_every_declared_pipeline_and_project_is_read(corpus: Path) -> None:
    declared = _declared(corpus)
    assert len(declared) >= 50
    model = build_model(repository_files([str(corpus / "pipelines")]))
    assert not model.syntax_errors, model.syntax_errors
    by_file: dict[str, set[str]] = {}
    for kind in ("projects", "pipelines"):
        for defined in getattr(model.definitions, kind):
            by_file.setdefault(Path(defined.path).name, set()).add(kind)
    missing = []
    for name, contents in declared.items():
        wants = {
            "projects"
            for c in contents
            if c.endswith(("CodeBuild::Project", "aws_codebuild_project"))
        }
        wants |= {
            "pipelines"
            for c in contents
            if c.endswith(("CodePipeline::Pipeline", "aws_codepipeline"))
        }
        if not wants <= by_file.get(name, set()):
            missing.append((name, sorted(wants - by_file.get(name, set()))))
    assert not missing, missing


def test_pipeline_json_examples_are_read(corpus: Path) -> None:
    folder = corpus / "pipelines" / "codepipeline-json"
    model = build_model(repository_files([str(folder)]))
    assert len(model.definitions.pipelines) == len(list(folder.glob("*.json")))
    for defined in model.definitions.pipelines:
        assert defined.item.stages and all(stage.actions for stage in defined.item.stages)
