"""`pipedoctor report --html`: one self-contained page that a real browser renders."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from pipedoctor.commands.demo import demo_snapshot_text

CHROMIUM = next(
    (
        path
        for path in ("/usr/bin/chromium", shutil.which("chromium") or "")
        if path and Path(path).exists()
    ),
    None,
)


@pytest.fixture
def page(tmp_path: Path, run_cli) -> Path:
    snapshot = tmp_path / "demo.json"
    snapshot.write_text(demo_snapshot_text())
    html = tmp_path / "report.html"
    code, out, err = run_cli("report", "--html", str(html), "--snapshot", str(snapshot))
    assert code == 0, err
    assert out == ""
    return html


def test_page_is_self_contained(page: Path) -> None:
    text = page.read_text()
    assert "<style>" in text
    assert not re.search(r"<(script|link|img|iframe)\b", text)
    assert not re.search(r"(src|href)=\"https?://", text)
    assert "Diagnoses" in text and "Least privilege" in text and "Permission graph" in text
    assert "codebuild-build-myapp-service-role" in text
    assert "ecr:DeleteRepository" in text  # dropped by the generated policy
    if shutil.which("dot"):
        assert "<svg" in text and "<?xml" not in text


def _chromium(page: Path, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    command = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={tmp_path / 'profile'}",
        *args,
        page.as_uri(),
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium)")
def test_chromium_renders_the_page(page: Path, tmp_path: Path) -> None:
    dom = _chromium(page, tmp_path, "--dump-dom")
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert '<h2 id="diagnoses">' in dom.stdout
    assert "codebuild-build-myapp-service-role" in dom.stdout
    if shutil.which("dot"):
        assert "<svg" in dom.stdout
    shot = tmp_path / "shot.png"
    result = _chromium(page, tmp_path, f"--screenshot={shot}", "--window-size=1280,2000")
    assert result.returncode == 0, result.stderr[-2000:]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000
