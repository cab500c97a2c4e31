"""A failure no rule recognises, from a snapshot or a pasted text: said honestly, never empty.

The answer shows what was seen (the most error-like lines), the nearest causes the known facts
allow with what would decide between them (leads, not diagnoses), and what to read next.
"""

from __future__ import annotations

import json
from pathlib import Path

from pipedoctor.analysis import analyse_snapshot
from pipedoctor.commands.demo import demo_snapshot_text
from pipedoctor.diagnose import load_rules
from pipedoctor.model import ActionExecution, Snapshot, dump, loads

UNKNOWN_LOG = ["[Container] 2026/11/27 10:00:00 Running command make bundle", "ld: fatal error: cannot find -lfoo"]


def demo_with_an_unrecognised_source_failure() -> Snapshot:
    """The demo's full-clone build, its phase context and log replaced by words no rule knows."""
    snapshot = loads(demo_snapshot_text(), origin="test")
    build = next(b for b in snapshot.builds if b.failed_phases()[0].phase_type == "DOWNLOAD_SOURCE")
    for phase in build.failed_phases():
        phase.phase_status = "FAULT"  # a fault with a message no rule reads
        for context in phase.contexts:
            context.status_code = ""
            context.message = "the source could not be read"
    build.log_excerpt = list(UNKNOWN_LOG)
    action = next(a for a in snapshot.action_executions if a.external_execution_id == build.id)
    action.summary = "Build terminated with state: FAILED"
    return snapshot


def failed_sections(snapshot: Snapshot) -> list:
    return [s for s in analyse_snapshot(snapshot, load_rules(), posture=False) if s.title.startswith("failed:")]


def test_a_failed_build_whose_texts_match_nothing_gets_the_honest_fallback() -> None:
    sections = failed_sections(demo_with_an_unrecognised_source_failure())
    unrecognised = [s for s in sections if s.findings[0].cause == "not-recognised"]
    assert len(unrecognised) == 1
    answer, *resembling = unrecognised[0].findings
    # After the answer, only causes of sourced failures the texts resemble, as zero-confidence candidates.
    assert all(f.rule == "resemblance" and f.confidence == 0.0 for f in resembling)
    assert all(f.where == answer.where and f.resource == answer.resource for f in resembling)
    assert answer.location in unrecognised[0].title and answer.resource
    seen = [line.removeprefix("looks like the error: ") for line in answer.evidence]
    assert seen[0] == "ld: fatal error: cannot find -lfoo"
    assert "DOWNLOAD_SOURCE: FAULT: the source could not be read" in seen
    assert not any("Running command" in line for line in seen)
    # The facts fit the full-clone connection cause: the Source action uses full clone, the
    # connection is available and the IAM engine finds UseConnection denied to the build role.
    leads = [item.removeprefix("nearest cause: ") for item in answer.unverified]
    assert 1 <= len(leads) <= 3
    assert leads[0].startswith("codebuild-role-missing-use-connection")
    assert "IAM: " in leads[0] and "is denied" in leads[0] and "to decide:" in leads[0]
    assert "the whole build log" in answer.fix and "--surface codebuild-log" in answer.fix
    # Every other failed action keeps its specific diagnosis.
    assert all(s.findings[0].cause != "not-recognised" for s in sections if s not in unrecognised)


def test_a_policy_that_rules_a_cause_out_removes_it_from_the_leads() -> None:
    snapshot = demo_with_an_unrecognised_source_failure()
    build = next(b for b in snapshot.builds if b.log_excerpt == UNKNOWN_LOG)
    role = snapshot.role(build.service_role)
    assert role is not None
    role.inline_policies["use-connection"] = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "codeconnections:UseConnection", "Resource": "*"}],
    }
    (section,) = [s for s in failed_sections(snapshot) if s.findings[0].cause == "not-recognised"]
    leads = section.findings[0].unverified
    assert leads and not any("codebuild-role-missing-use-connection" in lead for lead in leads)


def test_a_failed_action_with_no_text_at_all_still_gets_an_answer() -> None:
    action = ActionExecution("app", "e-1", "a-1", "Deploy", "Deploy", "Failed", provider="Manual")
    (section,) = failed_sections(Snapshot(action_executions=[action]))
    (answer,) = section.findings
    assert answer.cause == "not-recognised"
    assert "no line that looks like an error" in answer.message
    assert answer.evidence == [] and "list-action-executions" in answer.fix


def test_diagnose_snapshot_prints_the_fallback_with_exit_0(tmp_path: Path, run_cli) -> None:
    path = tmp_path / "snapshot.json"
    dump(demo_with_an_unrecognised_source_failure(), path)
    code, out, err = run_cli("diagnose", "--snapshot", str(path), "--format", "json")
    assert code == 0, err
    causes = [d["cause"] for d in json.loads(out)["diagnoses"]]
    assert causes.count("not-recognised") == 1 and len(causes) > 1
    code, text, _ = run_cli("diagnose", "--snapshot", str(path))
    assert code == 0 and "not recognise" in text and "ld: fatal error" in text


def test_a_pasted_text_from_a_named_place_gets_leads_for_that_place_only(tmp_path: Path, run_cli) -> None:
    path = tmp_path / "task.txt"
    path.write_bytes(b"Task stopped: the widget exploded (quux)\n")
    code, out, err = run_cli("diagnose", "--text", str(path), "--surface", "ecs-task", "--format", "json")
    assert code == 0, err
    (answer,) = [d for d in json.loads(out)["diagnoses"] if d["rule"] != "resemblance"]
    assert answer["cause"] == "not-recognised"
    leads = [item.removeprefix("nearest cause: ").split(" ", 1)[0] for item in answer["unverified"]]
    for_tasks = {rule.cause for rule in load_rules() if rule.kind == "diagnosis" and "ecs-task" in rule.surfaces}
    assert leads and set(leads) <= for_tasks
    code, out, _ = run_cli("diagnose", "--text", str(path), "--format", "json")
    (anywhere,) = [d for d in json.loads(out)["diagnoses"] if d["rule"] != "resemblance"]
    assert anywhere["unverified"] == []  # from an unknown place every rule would do: no leads


def test_a_phase_and_code_alone_list_that_phase_s_causes_and_the_snapshot_decides() -> None:
    """CodeBuild's "DOWNLOAD_SOURCE: CLIENT_ERROR" with no message fits several causes; the snapshot's
    facts (full clone through a connection, UseConnection denied by the IAM engine) decide."""
    snapshot = demo_with_an_unrecognised_source_failure()
    build = next(b for b in snapshot.builds if b.log_excerpt == UNKNOWN_LOG)
    for phase in build.failed_phases():
        phase.phase_status = "CLIENT_ERROR"
        for context in phase.contexts:
            context.status_code, context.message = "CLIENT_ERROR", ""
    (section,) = [s for s in failed_sections(snapshot) if any("DOWNLOAD_SOURCE" in e for f in s.findings for e in f.evidence)]
    causes = [finding.cause for finding in section.findings]
    assert causes[0] == "codebuild-role-missing-use-connection"
    assert "codebuild-role-missing-codecommit-gitpull" not in causes  # the source is not CodeCommit
    assert any(line.startswith("IAM: ") and "is denied" in line for line in section.findings[0].evidence)
    from pipedoctor.diagnose import diagnose_incident, incident_from_text

    text_only = diagnose_incident(incident_from_text("DOWNLOAD_SOURCE: CLIENT_ERROR: ", "codebuild-phase"), load_rules())
    assert {"codebuild-role-missing-use-connection", "codebuild-role-missing-codecommit-gitpull"} <= {
        f.cause for f in text_only
    }


def test_a_failed_build_near_a_sourced_failure_leads_with_its_cause(monkeypatch) -> None:
    from pipedoctor.diagnose import resemblance

    seen = "ld: fatal error: cannot find -lfoo\nBuild terminated with state: FAILED\nthe source could not be read"
    near = resemblance.Model([("codebuild-out-of-memory", resemblance.words(seen, "codebuild-phase"))])
    monkeypatch.setattr(resemblance, "_model", lambda: near)
    monkeypatch.setattr(resemblance, "_knowledge", lambda rules: [])
    sections = failed_sections(demo_with_an_unrecognised_source_failure())
    (section,) = [s for s in sections if any(f.cause == "not-recognised" for f in s.findings)]
    lead, answer = section.findings
    assert lead.cause == "codebuild-out-of-memory" and lead.rule == "resemblance"
    assert answer.cause == "not-recognised"
    assert lead.resource == answer.resource and lead.where == answer.where
    # shown after the lead, where a report prints only its message, it names the line and the next step
    assert 'the line that looks most like the error: "ld: fatal error: cannot find -lfoo"' in answer.message
    assert answer.message.endswith(answer.fix)
