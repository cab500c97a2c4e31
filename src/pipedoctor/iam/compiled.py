"""Compiled policies: statements indexed by service prefix, wildcard patterns turned into
regular expressions once, and a per-action cache of the statements an action can hit.

Compiling is the expensive part; evaluating many requests for the same principal then costs a
dictionary look-up per layer plus one regex call per candidate statement.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from pipedoctor.iam.conditions import ConditionTest, compile_conditions
from pipedoctor.iam.matching import (
    compile_arn_globs,
    compile_glob,
    glob_covers,
    globs_intersect,
    has_wildcard,
)
from pipedoctor.iam.normalize import Policy, Statement, normalize_policy
from pipedoctor.iam.principals import (
    DIRECT,
    Principal,
    not_principal_excludes,
    principal_grant,
)
from pipedoctor.iam.variables import (
    Context,
    has_variables,
    referenced_keys,
    substitute_glob_regex,
    substitute_text,
)

# How a layer treats the Principal element.
PRINCIPAL_IGNORED = 0  # identity, boundary, session, SCP: the principal is implied
PRINCIPAL_REQUIRED = 1  # resource policies: a statement without Principal never applies
PRINCIPAL_DEFAULT_ALL = 2  # RCP, VPC endpoint: a missing Principal means everyone


@dataclass(slots=True)
class ActionTest:
    exact: frozenset[str]
    patterns: tuple[re.Pattern[str], ...]
    negated: bool

    def matches(self, action: str) -> bool:
        hit = action in self.exact or any(p.fullmatch(action) for p in self.patterns)
        return hit != self.negated


@dataclass(slots=True)
class CompiledStatement:
    statement: Statement
    policy_label: str
    allow: bool
    action_test: ActionTest | None  # None: no Action/NotAction, never matches
    prefixes: frozenset[str] | None  # None: may match any service prefix
    resource_patterns: tuple[str, ...] | None  # None: no Resource/NotResource element
    resource_negated: bool
    # Compiled on first use (large policies name thousands of ARNs, most never matched); None
    # when variables need the request first.
    resource_regex: re.Pattern[str] | None
    resource_all: bool  # Resource "*": skip matching entirely
    conditions: tuple[ConditionTest, ...]
    variables: bool
    refs: dict[str, Any] = field(default_factory=dict)  # layer -> StatementRef, built on demand
    regex_pending: bool = False  # resource_regex is still to be compiled

    @property
    def label(self) -> str:
        if self.statement.sid:
            return self.statement.sid
        return f"#{self.statement.index}"

    def principal_grant(self, principal: Principal, mode: int) -> str | None:
        statement = self.statement
        if mode == PRINCIPAL_IGNORED:
            return DIRECT
        if statement.principals is not None:
            return principal_grant(statement.principals, principal)
        if statement.not_principals is not None:
            return None if not_principal_excludes(statement.not_principals, principal) else DIRECT
        return DIRECT if mode == PRINCIPAL_DEFAULT_ALL else None

    def resource_matches(
        self, resource: str, pattern_mode: bool, context: Context, missing_ok_all: bool
    ) -> bool:
        patterns = self.resource_patterns
        if patterns is None:
            return missing_ok_all
        if self.resource_all:
            return not self.resource_negated
        if pattern_mode:
            return self._pattern_mode_matches(resource, context)
        regex = self.resource_regex
        if self.regex_pending:
            regex = self.resource_regex = compile_arn_globs(patterns)
            self.regex_pending = False
        if regex is None:
            sources = [
                substitute_glob_regex(pattern, context, arn=True)
                if has_variables(pattern)
                else None
                for pattern in patterns
            ]
            hit = False
            for pattern, source in zip(patterns, sources, strict=True):
                if source is None and has_variables(pattern):
                    continue  # unresolved variable: this entry matches nothing
                compiled = (
                    re.compile(source, re.DOTALL) if source else compile_arn_globs((pattern,))
                )
                if compiled.fullmatch(resource):
                    hit = True
                    break
            return hit != self.resource_negated
        return (regex.fullmatch(resource) is not None) != self.resource_negated

    def _pattern_mode_matches(self, request_pattern: str, context: Context) -> bool:
        """The request names a set of resources (`bucket/*`): an Allow needs an overlap,
        a Deny needs to cover the whole set."""
        resolved: list[str] = []
        for pattern in self.resource_patterns or ():
            if self.variables and has_variables(pattern):
                text = substitute_text(pattern, context)
                if text is None:
                    continue
                resolved.append(text)
            else:
                resolved.append(pattern)
        if self.allow:
            if self.resource_negated:
                return not any(glob_covers(p, request_pattern) for p in resolved)
            return any(globs_intersect(p, request_pattern) for p in resolved)
        if self.resource_negated:
            return not any(globs_intersect(p, request_pattern) for p in resolved)
        return any(glob_covers(p, request_pattern) for p in resolved)

    def missing_keys(self, context: Context) -> list[str]:
        missing = [test.entry.key for test in self.conditions if test.key not in context]
        if self.variables:
            for pattern in self.resource_patterns or ():
                missing.extend(k for k in referenced_keys(pattern) if k.lower() not in context)
        return missing


def _action_test(
    values: tuple[str, ...], negated: bool
) -> tuple[ActionTest, frozenset[str] | None]:
    exact: set[str] = set()
    patterns: list[re.Pattern[str]] = []
    prefixes: set[str] | None = set()
    for value in values:
        lowered = value.lower()
        if has_wildcard(lowered):
            patterns.append(compile_glob(lowered))
            prefix, sep, _ = lowered.partition(":")
            if not sep or has_wildcard(prefix):
                prefixes = None
            elif prefixes is not None:
                prefixes.add(prefix)
        else:
            exact.add(lowered)
            if prefixes is not None:
                prefixes.add(lowered.partition(":")[0])
    if negated:
        prefixes = None
    return ActionTest(frozenset(exact), tuple(patterns), negated), (
        frozenset(prefixes) if prefixes is not None else None
    )


def compile_statement(statement: Statement, label: str, variables: bool) -> CompiledStatement:
    action_test: ActionTest | None = None
    prefixes: frozenset[str] | None = frozenset()
    if statement.actions is not None:
        action_test, prefixes = _action_test(statement.actions, False)
    elif statement.not_actions is not None:
        action_test, prefixes = _action_test(statement.not_actions, True)
    negated = statement.resources is None and statement.not_resources is not None
    patterns = statement.resources if statement.resources is not None else statement.not_resources
    uses_variables = variables and any(has_variables(p) for p in patterns or ())
    return CompiledStatement(
        statement=statement,
        policy_label=label,
        allow=statement.is_allow,
        action_test=action_test,
        prefixes=prefixes,
        resource_patterns=patterns,
        resource_negated=negated,
        resource_regex=None,
        resource_all=patterns is not None and "*" in patterns,
        conditions=compile_conditions(statement.conditions, variables),
        variables=uses_variables,
        regex_pending=patterns is not None and not uses_variables,
    )


@dataclass(slots=True)
class CompiledPolicy:
    """One policy document in normal form with its statements compiled."""

    label: str
    policy: Policy
    statements: tuple[CompiledStatement, ...]


def compile_policy(document: Any, label: str = "policy") -> CompiledPolicy:
    """Normalise and compile one policy document (a dict)."""
    if isinstance(document, CompiledPolicy):
        return document
    policy = normalize_policy(document)
    statements = tuple(
        compile_statement(statement, label, policy.variables_enabled)
        for statement in policy.statements
        if statement.effect in ("Allow", "Deny")
    )
    return CompiledPolicy(label, policy, statements)


@dataclass(slots=True)
class CompiledLayer:
    """The statements of several policies that form one evaluation layer (e.g. all identity
    policies of a principal, or one SCP level), with a per-action candidate cache."""

    name: str
    policies: tuple[CompiledPolicy, ...]
    _by_prefix: dict[str, list[CompiledStatement]] = field(default_factory=dict)
    _any_prefix: list[CompiledStatement] = field(default_factory=list)
    _cache: dict[str, tuple[CompiledStatement, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for policy in self.policies:
            for statement in policy.statements:
                if statement.action_test is None:
                    continue
                if statement.prefixes is None:
                    self._any_prefix.append(statement)
                else:
                    for prefix in statement.prefixes:
                        self._by_prefix.setdefault(prefix, []).append(statement)

    def candidates(self, action: str) -> tuple[CompiledStatement, ...]:
        """Statements whose Action/NotAction matches the (lower-case) action."""
        cached = self._cache.get(action)
        if cached is not None:
            return cached
        prefix = action.partition(":")[0]
        pool = self._by_prefix.get(prefix, []) + self._any_prefix
        found = tuple(
            statement
            for statement in pool
            if statement.action_test is not None and statement.action_test.matches(action)
        )
        if len(self._cache) > 65536:
            self._cache.clear()
        self._cache[action] = found
        return found
