"""JUnit XML: one test case per rule, failed when the rule produced findings."""

from __future__ import annotations

from xml.etree import ElementTree

from pipedoctor.diagnose.rules import Rule
from pipedoctor.model import Finding
from pipedoctor.report.sanitize import clean


def render_junit(findings: list[Finding], rules: list[Rule]) -> str:
    by_rule: dict[str, list[Finding]] = {}
    for finding in findings:
        by_rule.setdefault(finding.rule, []).append(finding)
    failed = sum(1 for rule in rules if rule.id in by_rule)
    suite = ElementTree.Element(
        "testsuite", name="pipedoctor", tests=str(len(rules)), failures=str(failed), errors="0"
    )
    for rule in rules:
        case = ElementTree.SubElement(suite, "testcase", classname=f"pipedoctor.{rule.kind}", name=rule.id)
        hits = by_rule.get(rule.id)
        if hits:
            failure = ElementTree.SubElement(
                case, "failure", message=clean(f"{rule.title}: {len(hits)} finding(s)"), type=rule.severity
            )
            failure.text = "\n".join(clean(f"{f.location}: {f.message} Fix: {f.fix}") for f in hits)
    suites = ElementTree.Element("testsuites", tests=str(len(rules)), failures=str(failed))
    suites.append(suite)
    ElementTree.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ElementTree.tostring(suites, encoding="unicode") + "\n"
