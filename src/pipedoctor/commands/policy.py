"""`pipedoctor policy`: work with IAM policy documents.

Subcommands register themselves in `SUBCOMMANDS`; add `generate`/`diff` by writing a
`_register_<name>` function and listing it there.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pipedoctor.commands.common import add_output_file, write_output
from pipedoctor.commands.policy_apply import register_apply, register_rollback
from pipedoctor.commands.policy_generate import register_diff, register_generate
from pipedoctor.errors import ExitCode, UserError
from pipedoctor.textparse import ParseError, parse_json

LINT_DESCRIPTION = """Check IAM policy documents (identity, resource, trust, SCP, RCP, boundary,
session) for grammar errors, unknown actions, actions aimed at another service's ARNs, and
wildcard grants. Locations are JSON pointers into each document. AWS CLI responses such as
get-policy-version output are unwrapped.

severities: error (invalid, or a grant that can never work), warning (broader than it looks:
wildcard grants, public principals), info (could be scoped down).

exit codes: 0 no finding at or above --fail-on (default: warning), 1 findings at or above it,
2 a file could not be read or is not valid JSON (the other files are still linted)."""


def _register_lint(actions: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = actions.add_parser(
        "lint",
        help="check policy documents for errors, unknown actions and wildcard grants",
        description=LINT_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "files", nargs="+", metavar="FILE", type=Path, help="policy JSON files; - reads stdin"
    )
    parser.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    parser.add_argument(
        "--type",
        dest="policy_type",
        default="auto",
        choices=("auto", "identity", "resource", "trust", "scp", "rcp", "boundary", "session"),
        help="policy kind (auto: resource policy when statements have a Principal)",
    )
    parser.add_argument(
        "--fail-on",
        choices=("error", "warning", "info"),
        default="warning",
        help="exit 1 when a finding has at least this severity (default: warning)",
    )
    add_output_file(parser, "the findings")
    parser.set_defaults(func=run_lint)


SUBCOMMANDS: list[Callable[[argparse._SubParsersAction[argparse.ArgumentParser]], None]] = [
    _register_lint,
    register_generate,
    register_diff,
    register_apply,
    register_rollback,
]


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "policy",
        help="lint policies; generate, diff and apply least-privilege policies",
        description="Work with IAM policy documents.",
    )
    actions = parser.add_subparsers(dest="policy_command", metavar="ACTION", required=True)
    for add in SUBCOMMANDS:
        add(actions)


def _load(path: Path) -> Any:
    try:
        text = sys.stdin.buffer.read().decode("utf-8") if str(path) == "-" else path.read_text(
            encoding="utf-8"
        )
    except OSError as error:
        raise UserError(f"cannot read {path}: {error.strerror or error}") from error
    except UnicodeDecodeError as error:
        raise UserError(f"{path} is not UTF-8 text") from error
    try:
        return parse_json(text)
    except ParseError as error:
        raise UserError(f"{path}: invalid JSON at {error}") from None


def run_lint(args: argparse.Namespace) -> int:
    from pipedoctor.iam.catalog import CatalogError, load_catalog
    from pipedoctor.iam.lint import SEVERITY_RANK, lint_policy, unwrap_document

    try:
        catalog = load_catalog()
    except CatalogError as error:
        raise UserError(str(error)) from error
    threshold = SEVERITY_RANK[args.fail_on]
    unreadable = False
    failing = False
    report: list[dict[str, Any]] = []
    for path in args.files:
        try:
            document = unwrap_document(_load(path))
        except UserError as error:
            print(f"pipedoctor: error: {error}", file=sys.stderr)
            unreadable = True
            continue
        for finding in lint_policy(document, catalog, args.policy_type):
            failing = failing or SEVERITY_RANK[finding.severity] >= threshold
            report.append({"file": str(path), **finding.to_dict()})
    if args.format == "json":
        write_output(args.output, json.dumps(report, indent=2) + "\n")
    else:
        write_output(
            args.output,
            "".join(
                f"{item['file']}:{item['pointer'] or '/'}: {item['severity']} {item['code']} {item['message']}\n"
                for item in report
            ),
        )
        counts = {severity: 0 for severity in ("error", "warning", "info")}
        for item in report:
            counts[item["severity"]] += 1
        print(
            f"{len(args.files)} file(s): {counts['error']} error(s), {counts['warning']} warning(s), "
            f"{counts['info']} info",
            file=sys.stderr,
        )
    if unreadable:
        return ExitCode.USAGE
    return ExitCode.FINDINGS if failing else ExitCode.OK
