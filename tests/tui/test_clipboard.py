"""Whether a copy can reach the clipboard, and where the fallback and saves go."""

from __future__ import annotations

from pipedoctor.tui.clipboard import file_name, osc52_plausible


def test_osc52_is_judged_from_the_terminal() -> None:
    assert osc52_plausible({"TERM": "xterm-kitty"})
    assert osc52_plausible({"TERM_PROGRAM": "iTerm.app"})
    assert osc52_plausible({}, web=True)
    assert not osc52_plausible({"TERM_PROGRAM": "Apple_Terminal", "TERM": "xterm-256color"})
    assert not osc52_plausible({"TERM": "linux"})
    assert not osc52_plausible({"TERM": "xterm-kitty", "PIPEDOCTOR_OSC52": "0"})
    assert osc52_plausible({"TERM": "linux", "PIPEDOCTOR_OSC52": "1"})
    assert file_name("policy statement") == "copied-policy-statement.txt"


def test_gitignore_covers_the_default_save_folder() -> None:
    from pipedoctor.tui.app import DEFAULT_SAVE_DIR
    from tests.conftest import REPO_ROOT

    ignored = (REPO_ROOT / ".gitignore").read_text().splitlines()
    assert f"{DEFAULT_SAVE_DIR}/" in ignored
