"""`pipedoctor rules`: list, show, validate and test the rules."""

from __future__ import annotations

import argparse
import textwrap
from typing import Any

from pipedoctor.commands.common import add_output_file, add_rules_dir, write_output
from pipedoctor.errors import UserError


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("rules", help="list, show, validate and test rules")
    actions = parser.add_subparsers(dest="rules_command", metavar="ACTION", required=True)
    for name, help_text in [
        ("list", "one line per rule: id, severity, kind, cause (`rules show ID` for the rest)"),
        ("validate", "check every rule file against the schema, causes and RE2 (file:line errors)"),
        ("test", "run the must-match and must-not-match cases in every rule file"),
    ]:
        sub = actions.add_parser(name, help=help_text, description=help_text)
        add_rules_dir(sub)
        if name == "list":
            add_output_file(sub, "the list")
        sub.set_defaults(func=run)
    show = actions.add_parser(
        "show", help="a rule's documentation", description="a rule's documentation"
    )
    show.add_argument("rule_id", metavar="ID", help="a rule id, as `rules list` prints it")
    add_rules_dir(show)
    add_output_file(show, "the documentation")
    show.set_defaults(func=run)
    facts_help = "the fact names rules can use: entity, type and what each says"
    facts = actions.add_parser("facts", help=facts_help, description=facts_help)
    add_output_file(facts, "the catalogue")
    facts.set_defaults(func=run)


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
    if rule.yields_to:
        given_way = f"gives way to: {', '.join(rule.yields_to)}"
        lines += ["", textwrap.fill(given_way, columns, break_on_hyphens=False)]
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


def _facts() -> str:
    from pipedoctor.diagnose.fact_catalogue import fact_catalogue

    headings = {
        "incident": "Incident facts (diagnosis rules: requires, checks and templates)",
        "finding": "Finding facts (posture rules' templates, given by their predicate)",
    }
    lines: list[str] = []
    for kind, heading in headings.items():
        entries = [entry for entry in fact_catalogue() if entry.kind == kind]
        width = max(len(entry.name) for entry in entries)
        lines += [""] if lines else []
        lines.append(heading)
        lines += [f"  {e.name:{width}}  {e.entity:12} {e.type:8} {e.description} ({e.source})" for e in entries]
    return "\n".join(lines) + "\n"


def run(args: argparse.Namespace) -> int:
    if args.rules_command == "facts":
        write_output(args.output, _facts())
        return 0
    from pipedoctor.diagnose import load_rules

    rules = load_rules(args.rules_dir, validate_bundled=args.rules_command == "validate")
    if args.rules_command == "list":
        write_output(
            args.output,
            "".join(f"{r.id:48} {r.severity:8} {r.kind:9} {r.cause}\n" for r in rules),
        )
        return 0
    if args.rules_command == "show":
        rule = next((r for r in rules if r.id == args.rule_id), None)
        if rule is None:
            from pipedoctor.app.names import closest

            raise UserError(
                f"no rule {args.rule_id!r}{closest(args.rule_id, (r.id for r in rules))} "
                "(see `pipedoctor rules list`)"
            )
        write_output(args.output, _show(rule))
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
