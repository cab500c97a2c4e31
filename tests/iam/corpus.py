"""Locating the shared corpus (`<repo root>/../shared/corpus`) and reading its IAM cases."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
CORPUS = REPO_ROOT.parent / "shared" / "corpus"
EVAL_CASES = CORPUS / "iam-eval-cases.jsonl"


def require_corpus(path: Path = EVAL_CASES) -> Path:
    if not path.exists():
        pytest.skip(f"corpus not available at {path}")
    return path


def load_cases() -> list[dict[str, Any]]:
    path = require_corpus()
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]
