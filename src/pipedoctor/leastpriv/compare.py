"""Does one set of policies allow any request another does not? Decided exactly, not sampled.

The request space is every catalog action a new Allow statement names, with every resource the
action can take (the union of its ARN formats; the literal `*` for actions that take none). For
one action, each statement either applies to a resource or not, and which resources it applies
to is a regular language (`globlang`); a side allows a request when an identity Allow applies,
no identity or boundary Deny applies, and (with a boundary) a boundary Allow applies. Actions
that meet the same statements share one search over the product of the statements' automata:
the first product state where the new side allows and the old side does not gives the shortest
counterexample resource, and a search that ends without one proves that none exists.

Conditions are not decided: each distinct condition block is a free boolean, the same block on
both sides the same boolean, and every assignment is tried. A proof therefore holds whatever the
request context; a counterexample that needs an assignment says which (two blocks that can never
both hold may make it impossible: it is listed, never hidden). Policy variables in resources
(`${aws:username}`) are widened or narrowed, whichever is conservative, and listed.
"""

from __future__ import annotations

import itertools
import json
import re
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from pipedoctor.iam import (
    CompiledPolicy,
    PolicySet,
    Request,
    compile_policy,
    evaluate,
    load_catalog,
)
from pipedoctor.knowledge.arns import arn_account
from pipedoctor.leastpriv.globlang import (
    STAR,
    PatternAutomaton,
    Token,
    alphabet,
    arn_format_tokens,
    literal_tokens,
    pattern_tokens,
)

OLD, NEW = "old", "new"
IDENTITY, BOUNDARY, EXTRA = "identity", "boundary", "extra"
MAX_FREE_CONDITIONS = 10  # beyond this, conditions take their conservative value instead
MAX_PRODUCT_STATES = 200_000  # a search this large is reported as undecided, never as proven
_VARIABLE = re.compile(r"\$\{[^}]*\}")


@dataclass
class AccessSide:
    """The policies deciding one principal's identity-side access."""

    identity: list[dict[str, Any]]
    boundaries: list[dict[str, Any]] = field(default_factory=list)
    # Grants counted as held whatever the Deny statements and boundary say (e.g. listed needs).
    extra: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class Counterexample:
    """A request the new side allows and the old side does not."""

    action: str
    resource: str
    assuming: tuple[str, ...] = ()  # condition values the difference needs; () = any context
    alike: int = 0  # further actions meeting the same statements (the same difference)

    def describe(self) -> str:
        text = f"{self.action} on {self.resource}"
        if self.alike:
            text += f" (and {self.alike} more action(s) alike)"
        if self.assuming:
            text += " when " + "; ".join(self.assuming)
        return text


@dataclass
class Comparison:
    new_access: list[Counterexample] = field(default_factory=list)
    undecided: list[str] = field(default_factory=list)  # what was approximated, and how

    @property
    def no_new_access(self) -> bool:
        return not self.new_access


@dataclass
class _Part:
    """One statement of one side, as the comparison sees it."""

    side: str
    layer: str
    allow: bool
    compiled: Any  # CompiledStatement: its action test is the evaluator's own
    tokens: list[list[Token]]
    negated: bool  # NotResource
    condition: int | None  # index of its condition block, None when unconditional


@lru_cache(maxsize=1)
def _catalog_actions() -> tuple[str, ...]:
    return tuple(load_catalog().expand("*"))


def _condition_text(block: tuple[tuple[str, str, tuple[str, ...]], ...]) -> str:
    return " and ".join(f"{op} {key} {json.dumps(list(values))}" for op, key, values in block)


class _Builder:
    def __init__(self) -> None:
        self.parts: list[_Part] = []
        self.conditions: list[tuple[tuple[str, str, tuple[str, ...]], ...]] = []
        self.undecided: list[str] = []

    def _condition(self, statement: Any) -> int | None:
        entries = statement.statement.conditions
        if not entries:
            return None
        block = tuple(sorted((e.operator, e.key.lower(), tuple(e.values)) for e in entries))
        if block not in self.conditions:
            self.conditions.append(block)
        return self.conditions.index(block)

    def add(self, side: str, layer: str, policy: CompiledPolicy) -> None:
        for statement in policy.statements:
            patterns = statement.resource_patterns
            if statement.action_test is None or patterns is None:
                continue  # matches nothing in an identity policy or a boundary
            # Widening is conservative for a new Allow or an old Deny; narrowing for the others.
            widen = (side == NEW) == statement.allow
            if statement.variables:
                if statement.resource_negated:
                    widen = not widen
                approximated = [
                    _VARIABLE.sub("*", pattern) if widen else pattern
                    for pattern in patterns
                    if widen or not _VARIABLE.search(pattern)
                ]
                how = "read as any value" if widen else "read as matching nothing"
                self.undecided.append(
                    f"{side} {layer} {policy.label} statement {statement.label}: policy "
                    f"variables in its resources {how}"
                )
                patterns = tuple(approximated)
            self.parts.append(
                _Part(
                    side,
                    layer,
                    statement.allow,
                    statement,
                    [pattern_tokens(pattern) for pattern in patterns],
                    statement.resource_negated,
                    self._condition(statement),
                )
            )


def _universe(action: str, partition: str) -> tuple[object, list[list[Token]]]:
    info = load_catalog().action(action)
    if info is None:
        return "any", [[(STAR, "")]]
    if not info.resource_types:
        return "*", [literal_tokens("*")]
    formats = load_catalog().resource_arn_formats(action)
    if not formats:
        return "any", [[(STAR, "")]]
    return tuple(sorted(formats)), [arn_format_tokens(arn, partition) for arn in formats]


def _candidate_actions(parts: list[_Part]) -> list[str]:
    """Every catalog action (and every unknown exact name) a new identity Allow can match."""
    catalog = load_catalog()
    found: set[str] = set()
    for part in parts:
        if part.side != NEW or part.layer != IDENTITY or not part.allow:
            continue
        statement = part.compiled.statement
        if statement.actions is None:
            found.update(_catalog_actions())
            continue
        for pattern in statement.actions:
            expanded = catalog.expand(pattern)
            found.update(expanded)
            if not expanded and "*" not in pattern and "?" not in pattern:
                found.add(pattern)
    return sorted(found)


class _Judge:
    """Whether the new side allows and the old side does not, for parts that apply."""

    def __init__(self, has_boundary: dict[str, bool], conditions: list[Any]) -> None:
        self.has_boundary = has_boundary
        self.conditions = conditions

    def _side_allows(self, side: str, applying: list[_Part]) -> bool:
        mine = [part for part in applying if part.side == side]
        if any(part.layer == EXTRA for part in mine):
            return True
        if any(not part.allow for part in mine):
            return False
        if not any(part.layer == IDENTITY for part in mine):
            return False
        return not self.has_boundary[side] or any(part.layer == BOUNDARY for part in mine)

    def difference(self, matched: list[_Part]) -> tuple[str, ...] | None:
        """None when no assignment of the conditions gives new access; else what it needs."""
        free = sorted({part.condition for part in matched if part.condition is not None})
        if len(free) > MAX_FREE_CONDITIONS:
            applying = [
                part
                for part in matched
                if part.condition is None or (part.side == NEW) == part.allow
            ]
            if self._side_allows(NEW, applying) and not self._side_allows(OLD, applying):
                return ("conditions too many to try one by one: each taken at its worst",)
            return None
        for values in itertools.product((True, False), repeat=len(free)):
            holds = dict(zip(free, values, strict=True))
            applying = [part for part in matched if part.condition is None or holds[part.condition]]
            if self._side_allows(NEW, applying) and not self._side_allows(OLD, applying):
                return tuple(
                    f"{_condition_text(self.conditions[index])} "
                    + ("holds" if holds[index] else "does not hold")
                    for index in free
                )
        return None


def _search(
    parts: list[_Part], universe: list[list[Token]], judge: _Judge
) -> tuple[str, tuple[str, ...]] | None | str:
    """The shortest resource the new side allows and the old one does not, with the condition
    values it needs; None when there is none; "too large" when the search was cut short."""
    automata = [PatternAutomaton(universe)] + [PatternAutomaton(part.tokens) for part in parts]
    symbols, _ = alphabet([tokens for automaton in automata for tokens in automaton.token_lists])
    new_allows = [
        index + 1
        for index, part in enumerate(parts)
        if part.side == NEW and part.layer == IDENTITY and part.allow
    ]
    start = tuple(automaton.start for automaton in automata)
    parent: dict[tuple[int, ...], tuple[tuple[int, ...], str] | None] = {start: None}
    queue = deque([start])
    while queue:
        state = queue.popleft()
        if state[0] == 0:
            continue  # no resource of this action continues from here
        if not any(state[i] != 0 or parts[i - 1].negated for i in new_allows):
            continue  # no new Allow can apply any more
        if automata[0].accepts(state[0]):
            matched = [
                part
                for index, part in enumerate(parts)
                if automata[index + 1].accepts(state[index + 1]) != part.negated
            ]
            needed = judge.difference(matched)
            if needed is not None:
                return _spell(parent, state), needed
        for char in symbols:
            following = tuple(
                automaton.step(component, char)
                for automaton, component in zip(automata, state, strict=True)
            )
            if following not in parent:
                if len(parent) >= MAX_PRODUCT_STATES:
                    return "too large"
                parent[following] = (state, char)
                queue.append(following)
    return None


def _spell(
    parent: dict[tuple[int, ...], tuple[tuple[int, ...], str] | None], state: tuple[int, ...]
) -> str:
    chars: list[str] = []
    step = parent[state]
    while step is not None:
        state, char = step
        chars.append(char)
        step = parent[state]
    return "".join(reversed(chars))


def compare(
    old: AccessSide,
    new: AccessSide,
    actions: Iterable[str] | None = None,
    partition: str = "aws",
) -> Comparison:
    """Every kind of request `new` allows and `old` does not: one counterexample per group of
    actions meeting the same statements. `actions` narrows the actions considered (default:
    every catalog action a new Allow statement can match); resources are in `partition`."""
    builder = _Builder()
    for side, access in ((OLD, old), (NEW, new)):
        for layer, documents in (
            (IDENTITY, access.identity),
            (BOUNDARY, access.boundaries),
            (EXTRA, access.extra),
        ):
            for number, document in enumerate(documents):
                builder.add(side, layer, compile_policy(document, f"{layer}[{number}]"))
    judge = _Judge({OLD: bool(old.boundaries), NEW: bool(new.boundaries)}, builder.conditions)
    comparison = Comparison(undecided=list(builder.undecided))
    groups: dict[tuple[object, ...], list[str]] = {}
    pool = sorted(set(actions)) if actions is not None else _candidate_actions(builder.parts)
    for action in pool:
        lowered = action.lower()
        if lowered == "sts:getcalleridentity":
            continue  # allowed to everyone whatever the policies say
        indexes = tuple(
            index
            for index, part in enumerate(builder.parts)
            if part.compiled.action_test.matches(lowered)
        )
        universe_key, _ = _universe(action, partition)
        groups.setdefault((indexes, universe_key), []).append(action)
    for (indexes, _), members in groups.items():
        parts = [builder.parts[index] for index in indexes]
        if not any(p.side == NEW and p.layer == IDENTITY and p.allow for p in parts):
            continue
        action = members[0]
        found = _search(parts, _universe(action, partition)[1], judge)
        if found == "too large":
            comparison.undecided.append(
                f"{action}: more than {MAX_PRODUCT_STATES} states to compare; counted as new access"
            )
            comparison.new_access.append(
                Counterexample(action, "*", ("the comparison was cut short",), len(members) - 1)
            )
        elif found is not None:
            resource, assuming = found  # type: ignore[misc]
            comparison.new_access.append(
                Counterexample(action, resource, assuming, len(members) - 1)
            )
    return comparison


def trusting_policy(account: str) -> dict[str, Any]:
    """A resource policy that leaves the decision to the identity side (the account is trusted)."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
                "Action": "*",
                "Resource": "*",
            }
        ],
    }


def replays(
    counterexample: Counterexample, principal_arn: str, old: AccessSide, new: AccessSide
) -> bool:
    """Whether the evaluator, given no context, allows the request under `new` and not `old`
    (identity side: the resource is taken to be in the principal's account, whose resource
    policies trust the account)."""
    account = arn_account(principal_arn)
    trusting = trusting_policy(account)
    request = Request(
        action=counterexample.action,
        resource=counterexample.resource,
        principal_arn=principal_arn,
        resource_account=account,
        context={},
    )

    def allowed(side: AccessSide) -> bool:
        policies = PolicySet(
            identity=list(side.identity), boundaries=list(side.boundaries), resource_policy=trusting
        )
        if evaluate(request, policies).allowed:
            return True
        return bool(side.extra) and evaluate(request, PolicySet(identity=list(side.extra))).allowed

    return allowed(new) and not allowed(old)
