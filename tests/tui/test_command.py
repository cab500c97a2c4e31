"""`pipedoctor tui` argument errors end in one line, never a traceback."""

from __future__ import annotations


def test_tui_needs_a_terminal(run_cli) -> None:
    code, out, err = run_cli("tui", "--snapshot", "whatever.json")
    assert code == 2 and out == ""
    assert err.strip() == (
        "pipedoctor: error: the TUI needs a terminal; use `pipedoctor check` or `diagnose` in scripts"
    )


def test_tui_is_listed_in_help() -> None:
    from pipedoctor.cli import build_parser

    assert "the interactive terminal UI" in build_parser().format_help()
