"""The catalogue of fact names is generated from the code, and every fact a rule uses is in it."""

from __future__ import annotations

import re

import pytest

from pipedoctor.commands.demo import demo_snapshot_text
from pipedoctor.diagnose import load_rules
from pipedoctor.diagnose.fact_catalogue import catalogued, fact_catalogue
from pipedoctor.diagnose.incidents import incidents_from_snapshot
from pipedoctor.model import loads

TEMPLATE_FACT = re.compile(r"\{([a-z][\w.-]*)(?:\|[^{}]*)?\}")


def _template_facts(*texts: str) -> set[str]:
    return {name for text in texts for name in TEMPLATE_FACT.findall(text or "")}


def _used(rule) -> set[str]:
    used = _template_facts(rule.message, rule.fix_text, rule.decide)
    used |= {str(requirement["fact"]) for requirement in rule.requires if "fact" in requirement}
    for check in rule.checks:
        used |= _template_facts(*(str(value) for value in check.values()))
    return used


@pytest.fixture(scope="module")
def rules():
    return load_rules()


def test_every_fact_a_diagnosis_rule_uses_is_catalogued(rules) -> None:
    missing = sorted(
        f"{rule.id}: {name}"
        for rule in rules
        if rule.kind == "diagnosis"
        for name in _used(rule)
        if not catalogued(name)
    )
    assert not missing, "facts rules use that no fact module sets:\n" + "\n".join(missing)


def test_every_fact_a_posture_template_names_is_catalogued(rules) -> None:
    missing = sorted(
        f"{rule.id}: {name}"
        for rule in rules
        if rule.kind == "posture"
        for name in _template_facts(rule.message, rule.fix_text)
        if not catalogued(name, "finding")
    )
    assert not missing, "\n".join(missing)


def test_an_unknown_fact_is_not_catalogued() -> None:
    assert not catalogued("project.privileged")  # the name is project.privileged_mode
    assert not catalogued("file")  # a finding's fact, not an incident's
    assert catalogued("file", "finding")
    assert catalogued("match.action")  # a named group of the rule's own pattern


def test_the_facts_of_real_incidents_are_all_catalogued() -> None:
    """What the source reading finds agrees with what the fact functions set when they run."""
    incidents = incidents_from_snapshot(loads(demo_snapshot_text()))
    set_at_runtime = {name for incident in incidents for name in incident.facts}
    assert len(set_at_runtime) > 20
    assert sorted(name for name in set_at_runtime if not catalogued(name)) == []


@pytest.mark.parametrize(
    ("name", "entity", "kind_of_value"),
    [
        ("project.image_curated", "project", "bool"),
        ("project.privileged_mode", "project", "bool"),
        ("task.images", "task", "list"),
        ("deployment.distinct_target_groups", "deployment", "int"),
        ("env.resolved", "env", "mapping"),
        ("execution.started_by_tag", "execution", "bool"),
        ("pipeline.name", "pipeline", "str"),
        ("partition", "snapshot", "str"),
    ],
)
def test_entity_and_type_come_from_the_code(name: str, entity: str, kind_of_value: str) -> None:
    entry = next(e for e in fact_catalogue() if e.name == name and e.kind == "incident")
    assert (entry.entity, entry.type) == (entity, kind_of_value)
    assert entry.description and entry.source.startswith("diagnose/")


def test_rules_facts_prints_the_catalogue(run_cli) -> None:
    code, out, _ = run_cli("rules", "facts")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("Incident facts")
    row = next(line.split() for line in lines if line.split()[:1] == ["project.image_curated"])
    assert row[1:3] == ["project", "bool"]
    assert any(line.startswith("Finding facts") for line in lines)


def test_the_facts_configuration_checks_give_are_all_catalogued(rules) -> None:
    from pipedoctor.diagnose.predicates import PREDICATES
    from pipedoctor.model import Snapshot
    from pipedoctor.model.serialize import from_plain

    given = {
        name
        for rule in rules
        if rule.kind == "posture"
        for case in rule.tests
        if case["expect"] == "match"
        for hit in PREDICATES[rule.predicate](from_plain(Snapshot, case["snapshot"]), rule.params)
        for name in hit.facts
    }
    assert len(given) > 20
    assert sorted(name for name in given if not catalogued(name, "finding")) == []
