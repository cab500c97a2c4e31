"""Loading and validating rule files (rules/*.yaml): schema, patterns, cause ids.

The bundled rules are validated against the schema by `rules validate` and the tests, not at
every start; once loaded they are cached in the user cache folder under the sha256 of their
files (`rule_cache`). Rule folders given by the user are validated every time they are loaded.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from pipedoctor.diagnose import rule_cache
from pipedoctor.diagnose.patterns import Pattern, PatternError, compile_pattern
from pipedoctor.errors import UserError
from pipedoctor.textparse import ParseError, parse_yaml


@dataclass
class Rule:
    id: str
    title: str
    severity: str
    cause: str
    kind: str
    message: str
    fix_text: str
    path: Path
    fix_policy: dict[str, Any] | None = None
    fix_edit: str = ""  # "safe" / "unsafe" when `check --fix` can apply the fix, else ""
    surfaces: list[str] = field(default_factory=list)
    match: list[Pattern] = field(default_factory=list)
    exclude: list[Pattern] = field(default_factory=list)
    yields_to: list[str] = field(default_factory=list)  # rule ids whose match withholds this one's answer
    confidence: float = 0.5
    predicate: str = ""
    params: dict[str, Any] = field(default_factory=dict)
    requires: list[dict[str, Any]] = field(default_factory=list)
    checks: list[dict[str, Any]] = field(default_factory=list)
    decide: str = ""
    resolve: str = ""  # "authorization": the cause and auth.* facts come from the denial parser
    fallback: bool = False  # a symptom-level answer, dropped when a more specific cause matches
    references: list[str] = field(default_factory=list)
    doc: str = ""
    tests: list[dict[str, Any]] = field(default_factory=list)


class RuleError(UserError):
    """A rule file that cannot be used; the message names the file and line."""


def bundled_rules_dir() -> Path:
    """`rules/` of a source checkout, else the copy packaged into the wheel."""
    checkout = Path(__file__).resolve().parents[3] / "rules"
    if checkout.is_dir():
        return checkout
    from importlib import resources

    return Path(str(resources.files("pipedoctor") / "_bundled_rules"))


@cache
def _schema_validator() -> Any:
    import jsonschema

    schema = json.loads((Path(__file__).parent / "rule.schema.json").read_text())
    return jsonschema.Draft202012Validator(schema)


def _line_of(text: str, path: list[Any]) -> int:
    """1-based line of the YAML node at `path` (keys and indexes), or of its nearest parent.

    Composed again only when an error needs a line, so valid rules are parsed once."""
    import yaml

    node = yaml.compose(text, Loader=yaml.SafeLoader)
    for step in path:
        if isinstance(node, yaml.MappingNode):
            match = next((v for k, v in node.value if k.value == step), None)
            if match is None:
                match = next((k for k, _ in node.value if k.value == step), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and step < len(node.value):
            match = node.value[step]
        else:
            match = None
        if match is None:
            break
        node = match
    return node.start_mark.line + 1


def _rule_from_text(path: Path, text: str, known_causes: set[str] | None, validate: bool) -> Rule:
    """The rule in `text` (read from `path`); `validate` checks it against the schema first."""
    try:
        data = parse_yaml(text)
    except ParseError as error:
        line = f":{error.line}" if error.line else ""
        raise RuleError(f"{path}{line}: invalid YAML: {error.args[0]}") from None
    if not isinstance(data, dict):
        raise RuleError(f"{path}:1: a rule file holds one mapping")
    errors = (
        sorted(_schema_validator().iter_errors(data), key=lambda e: list(e.absolute_path))
        if validate
        else []
    )
    if errors:
        first = errors[0]
        where = list(first.absolute_path)
        if first.validator == "additionalProperties":
            unknown = next(iter(set(first.instance) - set(first.schema["properties"])), None)
            if unknown is not None:
                where.append(unknown)
        raise RuleError(f"{path}:{_line_of(text, where)}: {first.message}")
    if data["id"] != path.stem:
        raise RuleError(f"{path}:{_line_of(text, ['id'])}: rule id {data['id']!r} must equal the file name")
    if known_causes is not None and data["cause"] not in known_causes:
        raise RuleError(
            f"{path}:{_line_of(text, ['cause'])}: unknown cause id {data['cause']!r} (see causes.yaml)"
        )
    compiled: dict[str, list[Pattern]] = {}
    for key in ("match", "exclude"):
        compiled[key] = []
        for index, source in enumerate(data.get(key, [])):
            try:
                compiled[key].append(compile_pattern(source))
            except PatternError as error:
                raise RuleError(f"{path}:{_line_of(text, [key, index])}: {error}") from None
    if data["kind"] == "diagnosis" and not compiled["match"]:
        raise RuleError(f"{path}:1: a diagnosis rule needs at least one match pattern")
    if data["kind"] == "posture" and not data.get("predicate"):
        raise RuleError(f"{path}:1: a posture rule needs a predicate")
    fix = data["fix"]
    return Rule(
        id=data["id"],
        title=data["title"],
        severity=data["severity"],
        cause=data["cause"],
        kind=data["kind"],
        message=data["message"],
        fix_text=fix["text"],
        fix_policy=fix.get("policy"),
        fix_edit=fix.get("edit", ""),
        path=path,
        surfaces=data.get("surfaces", []),
        match=compiled["match"],
        exclude=compiled["exclude"],
        yields_to=data.get("yields_to", []),
        confidence=data.get("confidence", 0.5),
        predicate=data.get("predicate", ""),
        params=data.get("params", {}),
        requires=data.get("requires", []),
        checks=data.get("checks", []),
        decide=data.get("decide", ""),
        resolve=data.get("resolve", ""),
        fallback=data.get("fallback", False),
        references=data.get("references", []),
        doc=data.get("doc", ""),
        tests=data.get("tests", []),
    )


def _bundled_rules(validate: bool) -> list[Rule]:
    """The bundled rules, from the cache when their files are unchanged since it was written."""
    directory = bundled_rules_dir()
    if not directory.is_dir():
        raise RuleError(f"{directory}: rules directory does not exist")
    files = _rule_files(directory)
    try:
        key = rule_cache.content_key({**files, **_loader_files()}, Rule)
    except OSError:  # no source beside the bytecode: load without the cache
        return _checked_rules(files, validate)
    if not validate:
        cached = rule_cache.read(directory, key, Rule)
        if cached is not None:
            return cached
    rules = _checked_rules(files, validate)
    rule_cache.write(directory, key, rules)
    return rules


# What decides how a rule file loads and whether it is valid: a change to any of them, in a
# checkout, makes the cached rules stale like a change to the rule files does.
LOADER_FILES = (
    "causes.yaml",
    "rules.py",
    "rule_cache.py",
    "patterns.py",
    "predicates.py",
)


def _loader_files() -> dict[Path, bytes]:
    here = Path(__file__).parent
    return {here / name: (here / name).read_bytes() for name in LOADER_FILES}


def _rule_files(directory: Path) -> dict[Path, bytes]:
    files = {}
    for path in sorted(directory.glob("*.yaml")):
        try:
            files[path] = path.read_bytes()
        except OSError as error:
            raise RuleError(f"{path}: cannot read rule file: {error}") from None
    return files


def _checked_rules(files: dict[Path, bytes], validate: bool) -> list[Rule]:
    from pipedoctor.diagnose.causes import known_cause_ids
    from pipedoctor.diagnose.predicates import PREDICATES

    causes = known_cause_ids()
    rules = []
    for path, raw in files.items():
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise RuleError(f"{path}: cannot read rule file: {error}") from None
        rule = _rule_from_text(path, text, causes, validate)
        if rule.predicate and rule.predicate not in PREDICATES:
            raise RuleError(f"{path}:1: unknown predicate {rule.predicate!r}")
        rules.append(rule)
    return rules


def load_rules(extra_dirs: list[Path] | None = None, validate_bundled: bool = False) -> list[Rule]:
    """Bundled rules, then each extra directory in order; a later rule with the same id wins.

    Rules in `extra_dirs` are always validated against the schema; the bundled ones only when
    `validate_bundled` (they are validated by the tests and `rules validate`)."""
    by_id = {rule.id: rule for rule in _bundled_rules(validate_bundled)}
    for directory in extra_dirs or []:
        if not directory.is_dir():
            raise RuleError(f"{directory}: rules directory does not exist")
        for rule in _checked_rules(_rule_files(directory), validate=True):
            by_id[rule.id] = rule
    _check_yields(by_id)
    return sorted(by_id.values(), key=lambda r: r.id)


def _check_yields(by_id: dict[str, Rule]) -> None:
    """Every rule a rule yields to is another diagnosis rule that is loaded."""
    for rule in by_id.values():
        for index, other in enumerate(rule.yields_to):
            target = by_id.get(other)
            if target is None or target.kind != "diagnosis" or other == rule.id:
                line = _line_of(rule.path.read_text(encoding="utf-8"), ["yields_to", index])
                raise RuleError(
                    f"{rule.path}:{line}: yields_to names {other!r}, which is not another "
                    "diagnosis rule"
                )
