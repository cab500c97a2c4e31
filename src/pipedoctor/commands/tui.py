"""`pipedoctor tui`: the interactive terminal UI, on live AWS data or on a snapshot file."""

from __future__ import annotations

import argparse
import os
import shlex
import sys
from typing import Any

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
    parser.add_argument("--snapshot", metavar="FILE", help="browse a snapshot file (no AWS access)")
    parser.add_argument("--profile", metavar="P", help="AWS profile")
    parser.add_argument("--region", metavar="R", help="AWS region")
    parser.add_argument(
        "--pipeline",
        action="append",
        default=[],
        metavar="NAME",
        help="only this pipeline (repeatable; default: every pipeline in the region)",
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


def _live_fetcher(args: argparse.Namespace) -> Any:
    def fetch(progress: Any) -> Any:
        from pipedoctor.collect import CollectOptions
        from pipedoctor.commands.collect import collect_snapshot

        options = CollectOptions(
            regions=[args.region] if args.region else [],
            pipelines=args.pipeline,
            all_pipelines=not args.pipeline,
            executions=LIVE_EXECUTIONS,
        )
        snapshot, _ = collect_snapshot(options, args.profile, progress=progress)
        return snapshot

    return fetch


def _app_command(args: argparse.Namespace) -> str:
    """The command each browser session runs: this `tui` with the same options, minus --web."""
    command = [sys.executable, "-m", "pipedoctor.cli", "tui", "--save-dir", args.save_dir]
    for flag, value in (("--snapshot", args.snapshot), ("--profile", args.profile)):
        if value:
            command += [flag, value]
    if args.region:
        command += ["--region", args.region]
    for pipeline in args.pipeline:
        command += ["--pipeline", pipeline]
    return shlex.join(command)


def serve_web(args: argparse.Namespace) -> int:
    try:
        from textual_serve.server import Server
    except ImportError:
        raise UserError("--web needs textual-serve: pip install 'pipedoctor[web]'") from None
    if not 0 < args.port < 65536:
        raise UserError(f"--port {args.port}: not a port number (1-65535)")
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
    from pipedoctor.model import Snapshot, load
    from pipedoctor.tui.app import Source, run_app

    if args.web:
        return serve_web(args)
    if not sys.stdout.isatty() and not _in_browser():
        raise UserError("the TUI needs a terminal; use `pipedoctor check` or `diagnose` in scripts")
    if args.snapshot:
        if args.profile or args.region or args.pipeline:
            raise UserError(
                "--snapshot reads a file: --profile, --region and --pipeline do not apply"
            )
        snapshot = load(args.snapshot)
        path = args.snapshot
        return run_app(
            snapshot,
            Source("snapshot", path=path),
            fetch=lambda _progress: load(path),
            save_dir=args.save_dir,
        )
    source = Source("live", profile=args.profile or "", region=args.region or "")
    empty = Snapshot(regions=[args.region] if args.region else [], origin="live")
    return run_app(
        empty, source, fetch=_live_fetcher(args), fetch_on_start=True, save_dir=args.save_dir
    )
