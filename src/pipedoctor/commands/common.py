"""Arguments and steps several commands share."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from pipedoctor.errors import UserError
from pipedoctor.model import SEVERITIES, Finding, severity_rank
from pipedoctor.report.formats import FORMATS

if TYPE_CHECKING:
    from pipedoctor.app.live import AwsOptions
    from pipedoctor.app.snapshots import SnapshotRequest

REPORT_FORMATS = list(FORMATS)


def add_aws_options(parser: argparse.ArgumentParser) -> None:
    """The options of every command that reads AWS, with the same names and meaning."""
    group = parser.add_argument_group("AWS (the standard credential chain)")
    group.add_argument("--profile", metavar="P", help="AWS profile (default: AWS_PROFILE)")
    group.add_argument(
        "--region",
        action="append",
        default=[],
        metavar="R",
        help="AWS region, repeatable (default: AWS_REGION, AWS_DEFAULT_REGION, the profile's)",
    )
    group.add_argument(
        "--endpoint-url",
        metavar="URL",
        help="AWS endpoint instead of the public ones (moto, LocalStack); also AWS_ENDPOINT_URL",
    )
    group.add_argument(
        "--role-arn",
        action="append",
        default=[],
        metavar="ARN",
        help="assume this role first; repeat for several accounts (one snapshot holds them all)",
    )


def aws_options(args: argparse.Namespace) -> AwsOptions:
    from pipedoctor.app.live import AwsOptions

    return AwsOptions(
        profile=args.profile,
        regions=list(args.region or []),
        endpoint_url=args.endpoint_url,
        role_arns=list(args.role_arn or []),
    )


def add_snapshot_options(parser: argparse.ArgumentParser, pipeline_help: str = "") -> None:
    """`--snapshot FILE` and `--pipeline NAME`: one behaviour in every command."""
    parser.add_argument(
        "--snapshot", metavar="FILE", help="a snapshot file (no AWS access); - reads stdin"
    )
    parser.add_argument(
        "--pipeline",
        action="append",
        default=[],
        metavar="NAME",
        help=pipeline_help
        or "only this pipeline (repeatable): with --snapshot, narrows the snapshot to it; "
        "without, collects it live",
    )
    add_aws_options(parser)


def snapshot_request(args: argparse.Namespace, **extra: Any) -> SnapshotRequest:
    from pipedoctor.app.snapshots import SnapshotRequest

    return SnapshotRequest(
        path=args.snapshot,
        pipelines=list(args.pipeline or []),
        aws=aws_options(args),
        **extra,
    )


def add_output_file(parser: argparse.ArgumentParser, what: str = "the output") -> None:
    parser.add_argument(
        "-o", "--output", metavar="FILE", help=f"write {what} to FILE (default or -: stdout)"
    )


def refuse_binary_on_terminal(path: str | None) -> None:
    if (not path or path == "-") and sys.stdout.isatty():
        raise UserError("binary output would go to the terminal: give -o FILE or redirect stdout")


def write_output(path: str | None, payload: str | bytes) -> None:
    """The main output to FILE, or to stdout; binary never to a terminal."""
    if path and path != "-":
        from pipedoctor.model.snapshot import write_atomically

        try:
            if isinstance(payload, bytes):
                Path(path).write_bytes(payload)
            else:
                write_atomically(path, payload)
        except OSError as error:
            raise UserError(f"cannot write {path}: {error.strerror}") from None
        return
    if isinstance(payload, bytes):
        refuse_binary_on_terminal(path)
        sys.stdout.flush()
        sys.stdout.buffer.write(payload)
    else:
        sys.stdout.write(payload)


def add_rules_dir(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--rules-dir",
        action="append",
        type=Path,
        default=[],
        metavar="DIR",
        help="extra rules directory (repeatable); its rules add to or override the bundled ones",
    )


def add_output_options(
    parser: argparse.ArgumentParser, formats: list[str], fail_on_default: str | None = "high"
) -> None:
    parser.add_argument("--format", choices=formats, default="text", help="output format on stdout")
    parser.add_argument(
        "--fail-on",
        choices=SEVERITIES,
        default=fail_on_default,
        help="exit 1 when a finding has at least this severity (default: high)",
    )
    parser.add_argument(
        "--exit-zero", action="store_true", help="exit 0 even when there are findings"
    )


def findings_exit_code(findings: list[Finding], fail_on: str, exit_zero: bool) -> int:
    if exit_zero:
        return 0
    threshold = severity_rank(fail_on)
    return 1 if any(severity_rank(f.severity) >= threshold for f in findings) else 0


def add_redact_accounts(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--redact-accounts",
        action="store_true",
        help="replace account ids (and so ARNs) with stand-ins, consistently across every output",
    )


def account_redactor(args: argparse.Namespace) -> Any:
    from pipedoctor.redact import AccountRedactor

    return AccountRedactor() if getattr(args, "redact_accounts", False) else None


def safe_output(text: str, accounts: Any = None) -> str:
    """What may leave: secrets redacted, and account ids when asked."""
    from pipedoctor.redact import text as redact_text

    text = redact_text(text)
    return accounts(text) if accounts else text


def open_output(path: str | None) -> TextIO:
    """A stream for output written as it is produced: FILE, or stdout for none or `-`."""
    if not path or path == "-":
        return sys.stdout
    try:
        return open(path, "w", encoding="utf-8")
    except OSError as error:
        raise UserError(f"cannot write {path}: {error.strerror}") from None
