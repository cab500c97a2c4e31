"""Agreement with checkov's labelled fixtures on the checks both tools make.

Shared ground, and how each side is read:
- CKV_AWS_316 CodeBuildPrivilegedMode (Terraform): checkov fails a project whose privileged mode
  is on. pipedoctor judges the opposite risk (docker *without* privileged mode), so what is
  compared is the fact both rest on: the privileged mode pipedoctor reads from the project.
- CKV_DOCKER_7 ReferenceLatestTag (Dockerfile): fails when a base image resolves to `latest`
  (written or implied). pipedoctor's FROM reader (ARG substitution, stage names, scratch) is the
  one the Docker Hub rule uses; the comparison checks it resolves images the same way.
Every other labelled fixture is read for parse coverage: each labelled resource of a kind
pipedoctor models must be found, and every template must parse.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from pipedoctor.sources.cloudformation import definitions_from_template, is_template
from pipedoctor.sources.definitions import Definitions
from pipedoctor.sources.dockerfile import base_images
from pipedoctor.sources.hcl import load_hcl
from pipedoctor.sources.located import load_located_json, load_located_yaml
from pipedoctor.sources.terraform import definitions_from_module

# file (relative to rule-oracles/checkov) -> why pipedoctor disagrees with checkov's label there.
DOCUMENTED_EXCEPTIONS: dict[str, str] = {}
MODELLED_TERRAFORM = {
    "aws_codebuild_project": "projects",
    "aws_codepipeline": "pipelines",
    "aws_ecs_task_definition": "task_definitions",
    "aws_ecr_repository": "repositories",
    "aws_iam_role": "roles",
}


def _cases(root: Path) -> list[dict]:
    return [
        json.loads(line) for line in (root / "cases.jsonl").read_text().splitlines() if line.strip()
    ]


def _terraform(root: Path, case: dict) -> Definitions:
    return definitions_from_module([(case["file"], load_hcl((root / case["file"]).read_text()))])


def _labels(case: dict) -> dict[str, str]:
    """resource or file -> "pass" / "fail"."""
    expected = case["expected"]
    if isinstance(expected, dict):
        labels = {name: "pass" for name in expected.get("passing_resources", [])}
        labels.update({name: "fail" for name in expected.get("failing_resources", [])})
        return labels
    return {case["file"]: expected}


def _privileged(root: Path, case: dict) -> dict[str, str]:
    found = {}
    for defined in _terraform(root, case).projects:
        assert "privileged_mode" not in defined.unknown
        found[defined.logical_id] = "fail" if defined.item.environment.privileged_mode else "pass"
    return found


def _latest_tag(root: Path, case: dict) -> dict[str, str]:
    images = base_images((root / case["file"]).read_text())
    latest = any(
        b.image is not None and b.image.tag == "latest" and not b.image.digest for b in images
    )
    return {case["file"]: "fail" if latest else "pass"}


SHARED_CHECKS: dict[str, Callable[[Path, dict], dict[str, str]]] = {
    "CKV_AWS_316": _privileged,
    "CKV_DOCKER_7": _latest_tag,
}


@pytest.fixture
def checkov(corpus: Path) -> Path:
    root = corpus / "rule-oracles" / "checkov"
    if not (root / "cases.jsonl").is_file():
        pytest.skip("checkov fixtures are not in the corpus")
    return root


def test_agreement_on_shared_checks(checkov: Path) -> None:
    agreement: dict[str, tuple[int, int]] = {}
    disagreements = []
    for case in _cases(checkov):
        judge = SHARED_CHECKS.get(case["check_id"])
        if judge is None:
            continue
        ours = judge(checkov, case)
        agreed, total = agreement.get(case["check_id"], (0, 0))
        for name, label in _labels(case).items():
            total += 1
            if ours.get(name) == label:
                agreed += 1
            elif case["file"] not in DOCUMENTED_EXCEPTIONS:
                disagreements.append((case["check_id"], name, label, ours.get(name)))
        agreement[case["check_id"]] = (agreed, total)
    assert set(agreement) == set(SHARED_CHECKS), "a shared check has no labelled fixture"
    assert all(total >= 3 for _, total in agreement.values()), agreement
    assert not disagreements, disagreements
    print({check: f"{agreed}/{total}" for check, (agreed, total) in agreement.items()})


def test_every_labelled_fixture_parses_and_its_resources_are_found(checkov: Path) -> None:
    for case in _cases(checkov):
        path = checkov / case["file"]
        if case["kind"] == "terraform":
            definitions = _terraform(checkov, case)
            for name in _labels(case):
                kind = name.split(".", 1)[0]
                if kind in MODELLED_TERRAFORM:
                    found = getattr(definitions, MODELLED_TERRAFORM[kind])
                    assert name in {d.logical_id for d in found}, (case["file"], name)
        elif case["kind"] == "cloudformation":
            text = path.read_text()
            doc = load_located_json(text) if path.suffix == ".json" else load_located_yaml(text)
            assert is_template(doc.data), case["file"]
            definitions_from_template(case["file"], doc)
        else:
            base_images(path.read_text())
