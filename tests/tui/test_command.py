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


def test_tui_web_without_a_port_number_is_a_usage_error(run_cli) -> None:
    code, out, err = run_cli("tui", "--web", "--port", "0", "--snapshot", "whatever.json")
    assert code == 2 and out == ""
    assert err.strip() == "pipedoctor: error: --port 0: not a port number (1-65535)"


def test_tui_web_on_a_port_in_use_is_one_line(run_cli) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code, _out, err = run_cli("tui", "--web", "--port", str(port))
    assert code == 2
    assert err.strip().splitlines()[-1].startswith(f"pipedoctor: error: cannot serve on 127.0.0.1:{port}")
