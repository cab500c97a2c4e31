"""`pipedoctor tui`: the interactive terminal UI, on live AWS data or on a snapshot file."""

from __future__ import annotations

import argparse
import os
import shlex
import sys
from typing import Any

from pipedoctor.commands.common import add_snapshot_options, snapshot_request
from pipedoctor.errors import UserError

DESCRIPTION = """Browse pipelines, their executions and the ranked diagnoses of their failures, the
fix and policy statement for each, build logs, and each role's least-privilege policy. Read-only.
Live (the standard AWS credential chain) unless --snapshot FILE is given. `?` shows the keys."""

LIVE_EXECUTIONS = 5
DEFAULT_SAVE_DIR = ".pipedoctor"  # the TUI's own default too (tui.app, not imported here: slow)


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "tui", help="the interactive terminal UI", description=DESCRIPTION
    )
    add_snapshot_options(
        parser,
        "only this pipeline (repeatable): with --snapshot, narrows the snapshot to it; "
        "without, collects it live (default: every pipeline in the region)",
    )
    parser.add_argument(
        "--save-dir",
        metavar="DIR",
        default=os.environ.get("PIPEDOCTOR_SAVE_DIR", DEFAULT_SAVE_DIR),
        help="where `s` saves snapshots and copies fall back to files when the terminal takes "
        f"no clipboard writes (default: $PIPEDOCTOR_SAVE_DIR or {DEFAULT_SAVE_DIR})",
    )
    parser.add_argument(
        "--web",
        action="store_true",
        help="serve the TUI to browsers instead of this terminal (each browser tab gets its own "
        "session; needs the `web` extra: pip install 'pipedoctor[web]')",
    )
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="with --web: the address to listen on (default 127.0.0.1: this machine only)",
    )
    parser.add_argument(
        "--port", type=int, default=8000, help="with --web: the port to listen on (default 8000)"
    )
    parser.set_defaults(func=run)


def _app_command(args: argparse.Namespace) -> str:
    """The command each browser session runs: this `tui` with the same options, minus --web."""
    command = [sys.executable, "-m", "pipedoctor.cli", "tui", "--save-dir", args.save_dir]
    for flag, value in (
        ("--snapshot", args.snapshot),
        ("--profile", args.profile),
        ("--endpoint-url", args.endpoint_url),
    ):
        if value:
            command += [flag, value]
    for flag, values in (("--region", args.region), ("--role-arn", args.role_arn)):
        for value in values or []:
            command += [flag, value]
    for pipeline in args.pipeline:
        command += ["--pipeline", pipeline]
    return shlex.join(command)


def serve_web(args: argparse.Namespace) -> int:
    if not 0 < args.port < 65536:
        raise UserError(f"--port {args.port}: not a port number (1-65535)")
    try:
        from textual_serve.server import Server
    except ImportError:
        raise UserError("--web needs textual-serve: pip install 'pipedoctor[web]'") from None
    server = Server(_app_command(args), host=args.host, port=args.port, title="pipedoctor")
    print(f"pipedoctor: serving the TUI on http://{args.host}:{args.port}", file=sys.stderr)
    try:
        server.serve()
    except OSError as error:
        raise UserError(f"cannot serve on {args.host}:{args.port}: {error.strerror or error}") from None
    return 0


def _in_browser() -> bool:
    """Run by `--web` (textual-serve): the app draws through the web driver, not a terminal."""
    return os.environ.get("TEXTUAL_DRIVER", "").endswith(":WebDriver")


def run(args: argparse.Namespace) -> int:
    from pipedoctor.app.snapshots import open_snapshot
    from pipedoctor.model import Snapshot
    from pipedoctor.tui.app import Source, run_app

    if args.web:
        return serve_web(args)
    if not sys.stdout.isatty() and not _in_browser():
        raise UserError("the TUI needs a terminal; use `pipedoctor check` or `diagnose` in scripts")
    if args.snapshot == "-":
        raise UserError("the TUI reads the terminal: give --snapshot a file, not -")
    request = snapshot_request(
        args, all_pipelines=not args.snapshot, executions=LIVE_EXECUTIONS
    )
    if args.snapshot:
        snapshot = open_snapshot(request)
        return run_app(
            snapshot,
            Source("snapshot", path=args.snapshot),
            fetch=lambda _progress: open_snapshot(request),
            save_dir=args.save_dir,
        )
    source = Source("live", profile=args.profile or "", region=",".join(args.region))
    empty = Snapshot(regions=list(args.region), origin="live")
    return run_app(
        empty, source, fetch=lambda progress: open_snapshot(request, progress),
        fetch_on_start=True,
        save_dir=args.save_dir,
    )
