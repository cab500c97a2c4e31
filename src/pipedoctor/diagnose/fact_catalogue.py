"""The fact names rules can use, generated from the code that sets them (never a list kept by hand).

Each module of `diagnose/facts/` is read as source: every string key a function writes into a
facts mapping is a fact, its entity the part before the dot, its type read from the value written
(a model field's annotation when the value is one), its description the comment on that line or
else the docstring of the function that writes it. Denial facts (`auth.*`) come from the denial
parser, `match.*` from the named groups of a rule's own pattern, and the facts of configuration
findings from the `Hit(facts=...)` of `diagnose/posture/`.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import io
import re
import tokenize
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DIAGNOSE = Path(__file__).parent
MODEL = DIAGNOSE.parent / "model"

# Facts without an entity prefix: the snapshot's, or (for `account`) the pipeline's own.
SNAPSHOT_FACTS = {
    "partition": "the AWS partition of the snapshot (aws, aws-cn, aws-us-gov)",
    "account": "the account of the pipeline (else the snapshot's)",
    "region": "the region of the pipeline (else the snapshot's first)",
}
# A finding's facts are plain lowercase names too (`file`, `line`, `variable`).
_FINDING_FACT = re.compile(r"[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)*")
BOOLEAN_CALLS = {"bool", "any", "all", "isinstance", "startswith", "endswith"}
STRING_METHODS = {"strip", "lstrip", "rstrip", "join", "lower", "upper", "removeprefix", "replace", "get", "at"}
LIST_CALLS = {"list", "sorted", "tuple"}


@dataclass(frozen=True)
class FactEntry:
    name: str
    entity: str
    type: str
    description: str
    source: str  # the module that sets it, relative to the package: "diagnose/facts/build.py"
    kind: str  # "incident" (a rule's requires, checks and templates) or "finding" (posture templates)


def _model_types() -> dict[str, str]:
    """Field and property name -> annotation, over every model class (the first one wins)."""
    types: dict[str, str] = {}
    for path in [*sorted(MODEL.glob("*.py")), DIAGNOSE / "authz.py", DIAGNOSE.parent / "knowledge" / "images.py"]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                types.setdefault(node.target.id, ast.unparse(node.annotation))
            elif isinstance(node, ast.FunctionDef) and node.returns is not None and any(
                isinstance(d, ast.Name) and d.id == "property" for d in node.decorator_list
            ):
                types.setdefault(node.name, ast.unparse(node.returns))
    return types


def _simple(annotation: str) -> str:
    head = annotation.split("[", 1)[0].split("|", 1)[0].strip()
    return {"dict": "mapping", "tuple": "list"}.get(head, head)


class _Types:
    def __init__(self, model: dict[str, str], returns: dict[str, str], function: ast.FunctionDef) -> None:
        self.model, self.returns = model, returns
        self.locals: dict[str, ast.expr] = {
            target.id: node.value
            for node in ast.walk(function)
            if isinstance(node, ast.Assign)
            for target in node.targets
            if isinstance(target, ast.Name)
        }
        self.params = {
            arg.arg: ast.unparse(arg.annotation) for arg in function.args.args if arg.annotation is not None
        }

    def of(self, value: ast.expr, depth: int = 0) -> str:
        if depth > 3:
            return "any"
        if isinstance(value, ast.Constant):
            return type(value.value).__name__
        if isinstance(value, ast.JoinedStr):
            return "str"
        if isinstance(value, (ast.List, ast.ListComp, ast.Tuple)):
            return "list"
        if isinstance(value, (ast.Dict, ast.DictComp)):
            return "mapping"
        if isinstance(value, ast.Compare) or (isinstance(value, ast.UnaryOp) and isinstance(value.op, ast.Not)):
            return "bool"
        if isinstance(value, (ast.BoolOp, ast.IfExp)):
            return self.of(value.values[0] if isinstance(value, ast.BoolOp) else value.body, depth + 1)
        if isinstance(value, ast.Call):
            name = value.func.attr if isinstance(value.func, ast.Attribute) else getattr(value.func, "id", "")
            if name in BOOLEAN_CALLS or name.startswith("is_"):
                return "bool"
            if name in LIST_CALLS:
                return "list"
            if name in ("len", "line"):
                return "int"
            if name in STRING_METHODS:
                return "str"
            return _simple(self.returns[name]) if name in self.returns else "any"
        if isinstance(value, ast.Attribute):
            return _simple(self.model.get(value.attr, "any"))
        if isinstance(value, ast.Name) and value.id in self.locals:
            return self.of(self.locals[value.id], depth + 1)
        if isinstance(value, ast.Name) and value.id in self.params:
            return _simple(self.params[value.id])
        if isinstance(value, ast.Subscript):
            return "str"  # an element of a list of names or a mapping of strings, here
        return "any"


def _comments(text: str) -> dict[int, str]:
    found = {}
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        if token.type == tokenize.COMMENT:
            found[token.start[0]] = token.string.lstrip("# ").strip()
    return found


def _written(function: ast.FunctionDef) -> list[tuple[str, ast.expr, int]]:
    """(key, value, line) of every string key the function writes into a mapping."""
    found = []
    for node in ast.walk(function):
        if isinstance(node, ast.Dict):
            found += [
                (key.value, value, key.lineno)
                for key, value in zip(node.keys, node.values, strict=True)
                if isinstance(key, ast.Constant) and isinstance(key.value, str)
            ]
        elif isinstance(node, ast.Assign):
            found += [
                (target.slice.value, node.value, target.lineno)
                for target in node.targets
                if isinstance(target, ast.Subscript)
                and isinstance(target.slice, ast.Constant)
                and isinstance(target.slice.value, str)
            ]
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "setdefault"
            and len(node.args) == 2
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.append((node.args[0].value, node.args[1], node.lineno))
    return found


def _is_fact_name(key: str, kind: str) -> bool:
    if kind == "finding":
        return bool(_FINDING_FACT.fullmatch(key))
    return key in SNAPSHOT_FACTS or ("." in key and bool(_FINDING_FACT.fullmatch(key)))


def _module_facts(path: Path, kind: str, prefix: str = "") -> list[FactEntry]:
    text = path.read_text(encoding="utf-8")
    comments, model = _comments(text), _model_types()
    source = path.relative_to(DIAGNOSE.parent).as_posix()
    tree = ast.parse(text)
    module = importlib.import_module("pipedoctor." + ".".join(path.relative_to(DIAGNOSE.parent).with_suffix("").parts))
    returns = {
        name: str(inspect.get_annotations(value)["return"])
        for name, value in vars(module).items()
        if inspect.isfunction(value) and "return" in inspect.get_annotations(value)
    }
    entries = []
    for function in tree.body:
        if not isinstance(function, ast.FunctionDef):
            continue
        doc = (ast.get_docstring(function) or "").strip().splitlines()
        fallback = doc[0] if doc else f"set by {function.name}()"
        types = _Types(model, returns, function)
        for key, value, line in _written(function):
            if not key.startswith(prefix) or not _is_fact_name(key, kind):
                continue
            entity = key.partition(".")[0] if "." in key else ("snapshot" if kind == "incident" else "finding")
            description = comments.get(line) or SNAPSHOT_FACTS.get(key) or fallback
            entries.append(FactEntry(key, entity, types.of(value), description, source, kind))
    return entries


MATCH_FACT = FactEntry(
    "match.<group>",
    "match",
    "str",
    "a named group the rule's own pattern captured in the failure text",
    "diagnose/engine.py",
    "incident",
)


@cache
def fact_catalogue() -> tuple[FactEntry, ...]:
    """Every fact once (the first module that sets it), incident facts first, sorted by name."""
    entries = [
        *(e for path in sorted((DIAGNOSE / "facts").glob("*.py")) for e in _module_facts(path, "incident")),
        *_module_facts(DIAGNOSE / "denials.py", "incident", prefix="auth."),
        MATCH_FACT,
        *(e for path in sorted((DIAGNOSE / "posture").glob("*.py")) for e in _module_facts(path, "finding")),
    ]
    unique: dict[tuple[str, str], FactEntry] = {}
    for entry in entries:
        unique.setdefault((entry.kind, entry.name), entry)
    return tuple(sorted(unique.values(), key=lambda e: (e.kind != "incident", e.name)))


def catalogued(name: str, kind: str = "incident") -> bool:
    """Whether rules of `kind` can use the fact `name` (`match.anything` is a pattern's group)."""
    if kind == "incident" and name.startswith("match."):
        return True
    return any(entry.name == name and entry.kind == kind for entry in fact_catalogue())
