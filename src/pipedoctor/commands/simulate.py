"""`pipedoctor simulate`: evaluate IAM requests given as JSON lines, one decision per line."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, TextIO

from pipedoctor.commands.common import add_output_file, open_output
from pipedoctor.errors import ExitCode, UserError

DESCRIPTION = """Evaluate IAM authorization requests against the policies given with each request.

Each input line is one JSON object in the shape of the iam-simulate test cases:
  {"id": "...", "request": {"action": "s3:GetObject",
     "resource": {"resource": "arn:aws:s3:::bucket/key", "accountId": "111122223333"},
     "principal": "arn:aws:iam::111122223333:role/build", "context": {"aws:SourceVpce": "vpce-1"}},
   "identityPolicies": [...], "permissionBoundaries": [...],
   "serviceControlPolicies": [{"orgIdentifier": "r-root", "policies": [...]}],
   "resourceControlPolicies": [...], "resourcePolicy": {...}, "sessionPolicy": {...}}
A test-case line that wraps this object under "input" is accepted as well.

Each output line: {"id", "decision": Allowed|ImplicitlyDenied|ExplicitlyDenied, "blockedBy",
"matched", "missingContextKeys"}. A malformed line yields {"id", "line", "error"} and the
remaining lines still run; the exit code is then 2."""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "simulate",
        help="evaluate IAM requests (JSON lines) against their policies",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--cases",
        required=True,
        metavar="FILE.jsonl",
        help="requests, one JSON object per line ('-' reads standard input)",
    )
    parser.add_argument(
        "--format",
        choices=("jsonl", "text"),
        default="jsonl",
        help="jsonl: one decision object per line (default); text: one readable line each",
    )
    add_output_file(parser, "the decisions")
    parser.set_defaults(func=run)


def _open(path: str) -> TextIO:
    if path == "-":
        return sys.stdin
    try:
        return open(path, encoding="utf-8")
    except OSError as error:
        raise UserError(f"cannot read {path}: {error.strerror or error}") from error


def _text_line(result: dict[str, Any]) -> str:
    label = result.get("id") if result.get("id") is not None else f"line {result.get('line')}"
    if "error" in result:
        return f"{label}: error: {result['error']}"
    blocked = ", ".join(result["blockedBy"])
    suffix = f" (blocked by {blocked})" if blocked else ""
    missing = result["missingContextKeys"]
    if missing:
        suffix += f" [missing context: {', '.join(missing)}]"
    return f"{label}: {result['decision']}{suffix}"


def run(args: argparse.Namespace) -> int:
    from pipedoctor.iam import evaluate
    from pipedoctor.iam.catalog import CatalogError, load_catalog
    from pipedoctor.iam.simulate_input import InputError, parse_simulate_line
    from pipedoctor.textparse import ParseError, parse_json

    try:
        catalog = load_catalog()
    except CatalogError as error:
        raise UserError(str(error)) from error
    stream = _open(args.cases)
    failures = 0
    out = open_output(args.output)
    try:
        for number, line in enumerate(stream, start=1):
            if not line.strip():
                continue
            result: dict[str, Any]
            case_id: Any = None
            try:
                data = parse_json(line)
                if isinstance(data, dict):
                    case_id = data.get("id")
                _, request, policy_set = parse_simulate_line(data)
                decision = evaluate(request, policy_set, catalog)
                result = {"id": case_id, **decision.to_dict()}
            except ParseError as error:
                failures += 1
                result = {"id": None, "line": number, "error": f"invalid JSON: {error.args[0]}"}
            except InputError as error:
                failures += 1
                result = {"id": case_id, "line": number, "error": str(error)}
            if args.format == "text":
                print(_text_line(result), file=out)
            else:
                print(json.dumps(result, separators=(",", ":")), file=out)
    except UnicodeDecodeError as error:
        raise UserError(f"{args.cases} is not UTF-8 text") from error
    finally:
        if stream is not sys.stdin:
            stream.close()
        if out is not sys.stdout:
            out.close()
    return ExitCode.USAGE if failures else ExitCode.OK
