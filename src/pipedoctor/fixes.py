"""Applying the edits findings carry, ruff-style: a diff to review, or the files rewritten.

An edit replaces text on one located line, so the rest of the file (formatting, comments) is kept
byte for byte. Edits apply only to files under the paths the user named, only when the file on
disk is still the text that was analysed, and an edit whose result is already there is skipped:
a second run changes nothing.
"""

from __future__ import annotations

import difflib
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from pipedoctor.model import Finding, RepoFile
from pipedoctor.model.findings import TextEdit


@dataclass
class FixPlan:
    new_texts: dict[str, str] = field(default_factory=dict)  # path -> the file after its edits
    applied: list[TextEdit] = field(default_factory=list)
    refused: list[tuple[TextEdit, str]] = field(default_factory=list)  # (edit, why)

    def diff(self, originals: dict[str, str]) -> str:
        chunks = []
        for path, new in sorted(self.new_texts.items()):
            chunks += difflib.unified_diff(
                originals[path].splitlines(keepends=True),
                new.splitlines(keepends=True),
                fromfile=f"a/{path}",
                tofile=f"b/{path}",
            )
        return "".join(chunks)


def chosen_edits(findings: list[Finding], unsafe: bool) -> list[TextEdit]:
    """Each distinct edit once, safe ones always, permission changes only when asked."""
    edits = [edit for finding in findings for edit in finding.edits if edit.safe or unsafe]
    return list(dict.fromkeys(edits))


def _inside(path: str, roots: list[str]) -> bool:
    target = Path(path).resolve()
    return any(target == (root := Path(name).resolve()) or root in target.parents for name in roots)


def _why_not_editable(path: str, analysed: str) -> str | None:
    """None when the file on disk is still the text that was analysed (read once per file)."""
    try:
        on_disk = Path(path).read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return f"cannot read it: {error}"
    return None if on_disk == analysed else "changed since it was read"


def plan_fixes(edits: list[TextEdit], files: list[RepoFile], roots: list[str]) -> FixPlan:
    """What the edits make of the analysed files; an edit that cannot apply is refused with why."""
    read = {repo_file.path: repo_file.text for repo_file in files}
    unchanged: dict[str, str | None] = {}  # path -> why it cannot be edited, None when it can
    plan = FixPlan()
    # Bottom up: an edit that adds lines does not move the lines of the edits still to come.
    for edit in sorted(edits, key=lambda e: (e.path, -e.line)):
        if edit.path not in read or not _inside(edit.path, roots):
            plan.refused.append((edit, "outside the checked paths"))
            continue
        if edit.path not in unchanged:
            unchanged[edit.path] = _why_not_editable(edit.path, read[edit.path])
        if (why := unchanged[edit.path]) is not None:
            plan.refused.append((edit, why))
            continue
        lines = plan.new_texts.get(edit.path, read[edit.path]).splitlines(keepends=True)
        if not 0 < edit.line <= len(lines):
            plan.refused.append((edit, f"has no line {edit.line}"))
            continue
        line = lines[edit.line - 1]
        if edit.old not in line:
            if edit.new in line:
                continue  # applied by an earlier run
            plan.refused.append((edit, f"line {edit.line} no longer holds {edit.old!r}"))
            continue
        new = edit.new.replace("\n", "\r\n") if line.endswith("\r\n") else edit.new
        lines[edit.line - 1] = line.replace(edit.old, new, 1)
        plan.new_texts[edit.path] = "".join(lines)
        plan.applied.append(edit)
    return plan


def write_fixes(plan: FixPlan) -> None:
    """Each file replaced whole through a temporary file: a reader never sees half an edit."""
    for path, text in plan.new_texts.items():
        target = Path(path)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(text.encode("utf-8"))
            os.chmod(temporary, target.stat().st_mode)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
