"""Whether a copy can reach the clipboard: terminals take it through OSC 52, and many ignore it.

Nothing tells an application that the terminal took the sequence, so this is judged from the
environment; when unsure, the TUI shows the text and writes it to a file as well.
PIPEDOCTOR_OSC52=1 (or 0) overrides the judgement.
"""

from __future__ import annotations

import subprocess
from collections.abc import Mapping

# Terminals known to accept OSC 52 writes by default.
TERM_PROGRAMS = {"iTerm.app", "WezTerm", "vscode", "ghostty", "Tabby", "rio"}
TERMS = ("kitty", "alacritty", "foot", "ghostty", "wezterm")


def _tmux_passes_it_on() -> bool:
    """tmux forwards an application's OSC 52 only with `set-clipboard on`."""
    try:
        result = subprocess.run(
            ["tmux", "show-options", "-gv", "set-clipboard"],
            capture_output=True,
            text=True,
            timeout=1,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return result.stdout.strip() == "on"


def osc52_plausible(env: Mapping[str, str], *, web: bool = False) -> bool:
    forced = env.get("PIPEDOCTOR_OSC52", "")
    if forced in ("0", "1"):
        return forced == "1"
    if web:
        return True  # the browser's terminal (textual-serve) takes OSC 52
    if env.get("TMUX") and not _tmux_passes_it_on():
        return False
    if env.get("TERM_PROGRAM", "") in TERM_PROGRAMS or env.get("WT_SESSION"):
        return True
    term = env.get("TERM", "")
    return any(name in term for name in TERMS)


def file_name(what: str) -> str:
    """copied-policy-statement.txt for "policy statement"."""
    slug = "-".join("".join(ch if ch.isalnum() else " " for ch in what.lower()).split())
    return f"copied-{slug or 'text'}.txt"
