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
    compile_arn_glob,
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


def _trailing_star(pattern: str) -> bool:
    """A literal followed by one `*` and nothing else: a prefix test (`s3:Get*`, `bucket/*`).
    Whether in an action, an ARN's resource part or a plain glob, that `*` matches anything."""
    return pattern.endswith("*") and not has_wildcard(pattern[:-1])


@dataclass(slots=True)
class ActionTest:
    exact: frozenset[str]
    patterns: tuple[re.Pattern[str], ...]  # the other wildcard patterns
    negated: bool
    starts: tuple[str, ...] = ()  # literal prefixes of the patterns ending in their only `*`

    def matches(self, action: str) -> bool:
        hit = (
            action in self.exact
            or action.startswith(self.starts)
            or any(p.fullmatch(action) for p in self.patterns)
        )
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
    # Compiled on first use (large policies name thousands of ARNs, most never matched): the
    # patterns without wildcards as a set, those ending in their only `*` as prefixes, the
    # others as one regex (None when there are none).
    resource_regex: re.Pattern[str] | None
    resource_all: bool  # Resource "*": skip matching entirely
    conditions: tuple[ConditionTest, ...]
    variables: bool
    refs: dict[str, Any] = field(default_factory=dict)  # layer -> StatementRef, built on demand
    regex_pending: bool = False  # resource_exact and resource_regex are still to be built
    resource_exact: frozenset[str] = frozenset()
    resource_starts: tuple[str, ...] = ()

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
        if self.regex_pending:
            wild = [p for p in patterns if has_wildcard(p) and not _trailing_star(p)]
            self.resource_exact = frozenset(p for p in patterns if not has_wildcard(p))
            self.resource_starts = tuple(p[:-1] for p in patterns if _trailing_star(p))
            self.resource_regex = compile_arn_globs(wild) if wild else None
            self.regex_pending = False
        elif self.variables:
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
                compiled = re.compile(source, re.DOTALL) if source else compile_arn_glob(pattern)
                if compiled.fullmatch(resource):
                    hit = True
                    break
            return hit != self.resource_negated
        regex = self.resource_regex
        hit = (
            resource in self.resource_exact
            or resource.startswith(self.resource_starts)
            or (regex is not None and regex.fullmatch(resource) is not None)
        )
        return hit != self.resource_negated

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
    starts: list[str] = []
    prefixes: set[str] | None = set()
    for value in values:
        lowered = value.lower()
        if has_wildcard(lowered):
            if _trailing_star(lowered):
                starts.append(lowered[:-1])
            else:
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
    return ActionTest(frozenset(exact), tuple(patterns), negated, tuple(starts)), (
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


_NO_CANDIDATES: tuple[tuple[CompiledStatement, ...], tuple[CompiledStatement, ...]] = ((), ())


@dataclass(slots=True)
class CompiledPolicy:
    """One policy document in normal form with its statements compiled, with a per-action cache
    of the statements an action hits (a managed policy shared by a thousand principals is
    matched once per action, not once per principal)."""

    label: str
    policy: Policy
    statements: tuple[CompiledStatement, ...]
    _prefixes: frozenset[str] | None = field(default=None, init=False, repr=False, compare=False)
    _any_prefix: bool = field(default=False, init=False, repr=False, compare=False)
    _cache: dict[str, tuple[tuple[CompiledStatement, ...], tuple[CompiledStatement, ...]]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def candidates(
        self, action: str, prefix: str
    ) -> tuple[tuple[CompiledStatement, ...], tuple[CompiledStatement, ...]]:
        """Statements whose Action/NotAction matches the (lower-case) action: those naming the
        action's service prefix, then those that may match any prefix (`*`, NotAction)."""
        prefixes = self._prefixes
        if prefixes is None:
            named: set[str] = set()
            for statement in self.statements:
                if statement.action_test is None:
                    continue
                if statement.prefixes is None:
                    self._any_prefix = True
                else:
                    named |= statement.prefixes
            prefixes = self._prefixes = frozenset(named)
        if prefix not in prefixes and not self._any_prefix:
            return _NO_CANDIDATES
        cached = self._cache.get(action)
        if cached is None:
            specific = []
            anywhere = []
            for statement in self.statements:
                test = statement.action_test
                if test is None or not test.matches(action):
                    continue
                if statement.prefixes is None:
                    anywhere.append(statement)
                elif prefix in statement.prefixes:
                    specific.append(statement)
            cached = self._cache[action] = (tuple(specific), tuple(anywhere))
        return cached


def compile_policy(document: Any, label: str = "policy") -> CompiledPolicy:
    """Normalise and compile one policy document (a dict, or a policy already in normal form)."""
    if isinstance(document, CompiledPolicy):
        return document
    policy = document if isinstance(document, Policy) else normalize_policy(document)
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
    _cache: dict[str, tuple[CompiledStatement, ...]] = field(default_factory=dict)

    def candidates(self, action: str) -> tuple[CompiledStatement, ...]:
        """Statements whose Action/NotAction matches the (lower-case) action: those naming its
        service prefix first, then those that may match any prefix, each in policy order."""
        cached = self._cache.get(action)
        if cached is not None:
            return cached
        prefix = action.partition(":")[0]
        parts = [policy.candidates(action, prefix) for policy in self.policies]
        found = tuple(s for specific, _ in parts for s in specific) + tuple(
            s for _, anywhere in parts for s in anywhere
        )
        if len(self._cache) > 65536:
            self._cache.clear()
        self._cache[action] = found
        return found
