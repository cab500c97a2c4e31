"""`pipedoctor rules`: list, show, validate and test the rules."""

from __future__ import annotations

import argparse
import sys
import textwrap
from typing import Any

from pipedoctor.commands.common import add_rules_dir
from pipedoctor.errors import UserError


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("rules", help="list, show, validate and test rules")
    actions = parser.add_subparsers(dest="rules_command", metavar="ACTION", required=True)
    for name, help_text in [
        ("list", "one line per rule: id, severity, cause, title"),
        ("validate", "check every rule file against the schema, causes and RE2 (file:line errors)"),
        ("test", "run the must-match and must-not-match cases in every rule file"),
    ]:
        sub = actions.add_parser(name, help=help_text, description=help_text)
        add_rules_dir(sub)
        sub.set_defaults(func=run)
    show = actions.add_parser(
        "show", help="a rule's documentation", description="a rule's documentation"
    )
    show.add_argument("rule_id", metavar="ID")
    add_rules_dir(show)
    show.set_defaults(func=run)


def _show(rule: Any) -> str:
    from pipedoctor.terminal import width

    columns = width()
    lines = [
        f"{rule.id}: {rule.title}",
        "",
        f"severity: {rule.severity}",
        f"cause: {rule.cause}",
        f"kind: {rule.kind}",
    ]
    if rule.surfaces:
        lines.append(f"surfaces: {', '.join(rule.surfaces)}")
    if rule.doc:
        lines += ["", textwrap.fill(rule.doc, columns)]
    if rule.match:
        lines += ["", "matches:"] + [f"  {p.source}" for p in rule.match]
    if rule.decide:
        lines += ["", textwrap.fill(f"decided by: {rule.decide}", columns)]
    lines += [
        "",
        "fix:",
        textwrap.fill(rule.fix_text, columns, initial_indent="  ", subsequent_indent="  "),
    ]
    if rule.fix_edit:
        flag = "--fix" if rule.fix_edit == "safe" else "--fix --unsafe-fixes"
        lines.append(f"  `pipedoctor check {flag}` applies it ({rule.fix_edit}; `--diff` shows it first)")
    if rule.references:
        lines += ["", "references:"] + [f"  {ref}" for ref in rule.references]
    return "\n".join(lines) + "\n"


def run(args: argparse.Namespace) -> int:
    from pipedoctor.diagnose import load_rules

    rules = load_rules(args.rules_dir, validate_bundled=args.rules_command == "validate")
    if args.rules_command == "list":
        for rule in rules:
            print(f"{rule.id:48} {rule.severity:8} {rule.kind:9} {rule.cause}")
        return 0
    if args.rules_command == "show":
        rule = next((r for r in rules if r.id == args.rule_id), None)
        if rule is None:
            raise UserError(f"no rule {args.rule_id!r} (see `pipedoctor rules list`)")
        sys.stdout.write(_show(rule))
        return 0
    if args.rules_command == "validate":
        print(f"{len(rules)} rules valid")
        return 0
    from pipedoctor.diagnose.rule_tests import run_rule_tests

    results = run_rule_tests(rules)
    failed = [r for r in results if not r.passed]
    for result in failed:
        print(f"FAIL {result.rule}: {result.name} (expected {result.expected})")
    print(f"{len(results) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0
