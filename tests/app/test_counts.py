"""One definition of a finding: check, diagnose, the HTML report and the app layer agree."""

from __future__ import annotations

import re
from pathlib import Path

from pipedoctor.app.findings import analyse, primary_findings, section_findings
from pipedoctor.commands.demo import demo_snapshot_text
from pipedoctor.diagnose import load_rules
from pipedoctor.model import loads


def count_in(text: str) -> int:
    found = re.findall(r"(\d+) finding\(s\)", text)
    assert len(found) == 1, text[-500:]
    return int(found[0])


def test_check_diagnose_and_report_count_the_same_findings(run_cli, tmp_path: Path) -> None:
    demo = tmp_path / "demo.json"
    demo.write_text(demo_snapshot_text())
    _, check_out, _ = run_cli("check", "--snapshot", str(demo), "--exit-zero")
    _, diagnose_out, _ = run_cli("diagnose", "--snapshot", str(demo))
    html = tmp_path / "report.html"
    assert run_cli("report", "--snapshot", str(demo), "-o", str(html))[0] == 0
    snapshot = loads(demo_snapshot_text())
    sections = analyse(snapshot, load_rules())
    flat = [finding for section in sections for finding in section.findings]
    expected = len(section_findings(sections))
    # Failures and configuration both count; a failure's other candidates do not.
    assert len(flat) > expected > sum(1 for s in sections if s.title.startswith("failed: "))
    assert len(primary_findings(flat)) == expected
    assert count_in(check_out) == count_in(diagnose_out) == count_in(html.read_text()) == expected


def test_one_execution_counts_its_failures_only(run_cli, tmp_path: Path) -> None:
    demo = tmp_path / "demo.json"
    demo.write_text(demo_snapshot_text())
    _, out, _ = run_cli(
        "diagnose", "--snapshot", str(demo), "--execution", "b7e2c0d4-6a1f-4c3e-9d2b-0f5a8e7c1d93"
    )
    assert count_in(out) == 1


def test_findings_per_pipeline_count_its_failures_and_its_resources() -> None:
    from pipedoctor.app.findings import findings_per_pipeline

    snapshot = loads(demo_snapshot_text())
    findings = [f for section in analyse(snapshot, load_rules()) for f in section.findings]
    counted = primary_findings(findings)
    about_files = [f for f in counted if not f.resource.startswith("arn:")]
    assert about_files, "the demo has a finding about a repository file"
    # Every finding but those about repository files is about the demo's one pipeline.
    assert findings_per_pipeline(snapshot, findings) == {
        "deploy-myapp": len(counted) - len(about_files)
    }
