"""Shared test helpers: the corpus location and running the CLI in-process."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
CORPUS = REPO_ROOT.parent / "shared" / "corpus"


@pytest.fixture
def corpus() -> Path:
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus is not present")
    return CORPUS


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str]):
    """Run `pipedoctor ARGS` in-process; returns (exit code, stdout, stderr)."""
    from pipedoctor.cli import main

    def run(*args: str) -> tuple[int, str, str]:
        code = main(list(args))
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


@pytest.fixture(autouse=True)
def plain_terminal(monkeypatch: pytest.MonkeyPatch):
    """Every test starts with default CLI settings and no terminal hints from the environment
    (a shell that exports COLUMNS or NO_COLOR would otherwise change the text outputs)."""
    from pipedoctor import terminal

    for name in ("COLUMNS", "NO_COLOR", "FORCE_COLOR"):
        monkeypatch.delenv(name, raising=False)
    terminal.configure()
    yield
    terminal.configure()
