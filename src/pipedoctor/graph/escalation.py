"""Privilege escalation: ways a principal can come to act as a more privileged role or user, or
grant itself anything.

The techniques are data (`techniques.yaml`: Rhino Security Labs' list, PMapper's edge checks,
cloudsplaining's table, pathfinding.cloud), each with the public source that documents it. This
module proves them: every step is an IAM decision on the technique's target with the statements
that allow it (so conditions are honoured and a Deny anywhere removes the path), the role must
trust the service it is passed to, and what the input cannot show (an instance profile, a Lambda
function already running as the role) is reported as "possible if ...". Escalations chain: a
gained role or user is searched again. A principal that already holds everything is reported
once as an administrator, not as escalating.
"""

from __future__ import annotations

import copy
import heapq
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from pipedoctor.graph.gc_pause import cyclic_gc_paused
from pipedoctor.graph.inventory import MANAGED, PrincipalEntry
from pipedoctor.graph.resource_index import trusted_services
from pipedoctor.graph.techniques import Technique, load_techniques
from pipedoctor.iam import (
    IMPLICITLY_DENIED,
    CompiledPolicy,
    Decision,
    PolicySet,
    Request,
    compile_policy,
    evaluate,
    load_catalog,
)
from pipedoctor.iam.compiled import CompiledStatement
from pipedoctor.iam.matching import has_wildcard
from pipedoctor.iam.service_rules import is_always_allowed

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

    from pipedoctor.graph.build import PermissionGraph

MAX_PER_TECHNIQUE = 5
WORKLOAD_RELATIONS = frozenset({"contains", "runs_as", "invokes", "deploys", "runs", "assumes"})


@dataclass
class Step:
    action: str
    resource: str
    statements: list[dict[str, Any]] = field(default_factory=list)
    # context keys the allowing statements' conditions test and the input cannot supply
    assumed: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "resource": self.resource,
            "statements": self.statements,
            "assumed": self.assumed,
        }


def _allow_conditions_removed(document: dict[str, Any]) -> dict[str, Any]:
    relaxed = copy.deepcopy(document)
    statements = relaxed.get("Statement")
    for statement in statements if isinstance(statements, list) else [statements]:
        if isinstance(statement, dict) and statement.get("Effect") == "Allow":
            statement.pop("Condition", None)
    return relaxed


@dataclass
class Escalation:
    principal: str  # who escalates
    gains: str  # what it acts as (role, user, group) or rewrites (administrator: policy, itself)
    technique: str
    summary: str
    chain: list[str]  # from a pipeline (or the chosen start) to the principal
    steps: list[Step]
    gained: int  # capabilities (see `_Search.capabilities`) the target has and the principal lacks
    gives: str = "role"  # administrator | role | user | group
    possible_if: str = ""  # what the input cannot show and must hold
    sources: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "principal": self.principal,
            "gains": self.gains,
            "gives": self.gives,
            "technique": self.technique,
            "summary": self.summary,
            "possible_if": self.possible_if,
            "chain": self.chain,
            "steps": [step.to_dict() for step in self.steps],
            "gained": self.gained,
            "sources": list(self.sources),
        }


@dataclass
class EscalationReport:
    escalations: list[Escalation]
    administrators: list[str]  # searched principals that already hold everything

    @cyclic_gc_paused()  # a large report is a million new objects, on top of the graph
    def to_dict(self) -> dict[str, Any]:
        return {
            "escalations": [escalation.to_dict() for escalation in self.escalations],
            "administrators": self.administrators,
        }


# Actions outside the table an administrator also holds (to tell `iam:*` from `*`); none whose
# resource always needs its own resource policy (a KMS key), which no identity grant covers.
ADMIN_PROBES = (
    "iam:CreateUser",
    "s3:PutBucketPolicy",
    "ec2:TerminateInstances",
    "lambda:DeleteFunction",
    "dynamodb:DeleteTable",
    "secretsmanager:GetSecretValue",
)
PROBE_NAME = "pipedoctor-probe"


@lru_cache(maxsize=4096)
def _pattern(action: str, account: str, partition: str, fill: str = "*") -> str:
    """The action's first resource ARN format in the account, its other parts `fill` (the
    broadest ARN with `*`); `*` when the action takes no resource."""
    return load_catalog().example_arn(action, {"Partition": partition, "Account": account}, fill)


def _may_name(allowing: list[CompiledStatement], action: str, resource: str) -> bool:
    """Whether one of the Allow statements may name this ARN. Without one, the request is
    denied with or without their conditions: techniques that try every role of the account
    skip the evaluation of the roles the principal's statements do not name."""
    if has_wildcard(resource) or is_always_allowed(action.lower()):
        return True
    return any(
        statement.variables or statement.resource_matches(resource, False, {}, False)
        for statement in allowing
    )


def _denied_everywhere(policy_set: PolicySet, action: str) -> bool:
    """Whether the policies deny the (lower-case) action on every resource in every context:
    an identity Deny on `*` without conditions, or a permissions boundary that allows it
    nowhere."""
    compiled = policy_set.compiled()
    if any(
        not s.allow and s.resource_all and not s.resource_negated and not s.conditions
        for s in compiled.identity.candidates(action)
    ):
        return True
    boundary = compiled.boundary
    return boundary is not None and not any(s.allow for s in boundary.candidates(action))


@dataclass
class _Target:
    node: str  # what is gained or rewritten
    resource: str  # the ARN `on: target` steps act on
    steps: list[Step] = field(default_factory=list)  # steps proven while finding the target
    condition: str = ""  # what else must hold


class _Search:
    def __init__(self, pg: PermissionGraph) -> None:
        self.pg = pg
        self.graph = pg.graph
        self.inventory = pg.inventory
        self.techniques = load_techniques()
        self.escalation_actions = sorted({a for t in self.techniques for a in t.actions})
        self._actions: dict[str, set[str]] = {}
        self._administrator: dict[str, bool] = {}
        self._service_roles: dict[str, list[str]] = {}
        self._relaxed_sets: dict[str, PolicySet] = {}
        self._relaxed_policies: dict[str, CompiledPolicy] = {}
        self._strength: dict[str, int] = {}
        self._edges: dict[str, set[str]] = {}
        # node -> principal -> the node's capabilities of passing or assuming that principal
        self._pointing: dict[str, dict[str, list[str]]] = {}
        self._possible: dict[str, frozenset[str]] = {}
        self._policy_possible: dict[str, frozenset[str]] = {}
        self._capability_sets: dict[frozenset[str], int] = {}
        self._alike_of: dict[str, int] = {}
        self._extra: dict[tuple[int, str], int] = {}
        # kind -> per capability set, the set and the positions of its members in `_everyone(kind)`
        self._groups: dict[str, list[tuple[frozenset[str], list[int]]]] = {}
        # (statement, kind) -> the positions in `_everyone(kind)` the statement may name (None:
        # all); the statement is kept with them so that its id stays its own
        self._named: dict[tuple[int, str], tuple[CompiledStatement, frozenset[int] | None]] = {}
        # ordered list key -> position -> the end of the run of targets alike from there
        self._run_ends: dict[str, dict[int, int]] = {}
        self._lowered_actions = [(a.lower(), a) for a in self.escalation_actions]
        self._actions_by_prefix: dict[str, list[tuple[str, str]]] = {}
        for lowered, action in self._lowered_actions:
            prefix = lowered.partition(":")[0]
            self._actions_by_prefix.setdefault(prefix, []).append((lowered, action))
        self._sorted: dict[str, list[str]] = {}
        # The attacker acts now, with a fresh session token (sts:GetSessionToken is always
        # allowed), so time conditions are judged, not assumed.
        moment = datetime.now(UTC)
        stamp = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
        self.now = {
            "aws:CurrentTime": stamp,
            "aws:TokenIssueTime": stamp,
            "aws:EpochTime": str(int(moment.timestamp())),
        }

    # -- decisions -------------------------------------------------------------------------------

    def _decide(
        self, principal: str, action: str, resource: str, relax: bool = True
    ) -> tuple[Decision, list[str]] | None:
        """The allowing decision, with the context keys whose conditions were assumed to hold
        (an Allow conditioned on keys the input cannot supply, such as aws:TokenIssueTime, is
        possible, not proven; a Deny keeps its conditions)."""
        entry = self.inventory.principals.get(principal)
        if entry is None:
            return None
        policy_set = self.pg.decider.policy_set(entry)
        allowing = [s for s in policy_set.compiled().identity.candidates(action.lower()) if s.allow]
        if not allowing or not _may_name(allowing, action, resource):
            return None  # nothing could allow it: skip the evaluation
        request = Request(action, resource, principal, context=self.now)
        decision = evaluate(request, policy_set)
        if decision.allowed:
            return decision, []
        if relax and decision.decision == IMPLICITLY_DENIED and decision.missing_context_keys:
            relaxed = evaluate(request, self._relaxed(entry))
            if relaxed.allowed:
                return relaxed, list(decision.missing_context_keys)
        return None

    def _relaxed(self, entry: PrincipalEntry) -> PolicySet:
        cached = self._relaxed_sets.get(entry.arn)
        if cached is None:
            base = self.pg.decider.policy_set(entry)
            identity = [
                self._relaxed_policy(pid) for pid in self.inventory.identity_policy_ids(entry)
            ]
            cached = PolicySet(identity=list(identity), boundaries=base.boundaries)
            self._relaxed_sets[entry.arn] = cached
        return cached

    def _relaxed_policy(self, policy_id: str) -> CompiledPolicy:
        """The policy without its Allow statements' conditions, once per policy (a managed
        policy is shared by many principals); the policy itself when it has none."""
        cached = self._relaxed_policies.get(policy_id)
        if cached is None:
            compiled = self.inventory.policies[policy_id].compiled()
            if any(s.allow and s.conditions for s in compiled.statements):
                document = _allow_conditions_removed(self.inventory.policies[policy_id].document)
                compiled = compile_policy(document, policy_id)
            cached = self._relaxed_policies[policy_id] = compiled
        return cached

    def _may(self, principal: str, actions: tuple[str, ...]) -> bool:
        """Whether some identity statement could allow one of the (escalation) actions."""
        possible = self._possible.get(principal)
        if possible is None:
            entry = self.inventory.principals[principal]
            layer = self.pg.decider.policy_set(entry).compiled().identity
            possible = self._possible[principal] = frozenset().union(
                *(self._policy_may(policy) for policy in layer.policies)
            )
        return any(action in possible for action in actions)

    def _policy_may(self, policy: CompiledPolicy) -> frozenset[str]:
        """The escalation actions some Allow statement of one policy names (once per policy: a
        managed policy is shared by many principals)."""
        known = self._policy_possible.get(policy.label)
        if known is None:
            found: set[str] = set()
            for statement in policy.statements:
                test = statement.action_test
                if not statement.allow or test is None:
                    continue
                if statement.prefixes is None:
                    pool: Iterable[tuple[str, str]] = self._lowered_actions
                else:
                    pool = (
                        pair
                        for prefix in statement.prefixes
                        for pair in self._actions_by_prefix.get(prefix, ())
                    )
                found.update(action for lowered, action in pool if test.matches(lowered))
            known = self._policy_possible[policy.label] = frozenset(found)
        return known

    def strength(self, node: str) -> int:
        """An upper bound of the size of `capabilities(node)` found without evaluating: the
        escalation actions some statement names count as if allowed. Targets are ranked by it,
        and a target gains at most its strength."""
        known = self._strength.get(node)
        if known is None:
            edges = self._edge_capabilities(node)
            possible = 0
            if node in self.inventory.principals:
                self._may(node, ())
                possible = len(self._possible[node])
            known = self._strength[node] = len(edges) + possible
        return known

    def _statements(self, decision: Decision) -> list[dict[str, Any]]:
        conditions = self.pg.decider.conditions
        return [
            {**ref.to_dict(), "conditions": conditions.conditions(ref)} for ref in decision.matched
        ]

    def _any_of(
        self, principal: str, actions: tuple[str, ...], resource: str | None = None
    ) -> Step | None:
        """The first of the actions the principal may call, on `resource` or anywhere in its account."""
        account, partition = principal.split(":")[4], principal.split(":")[1]
        for action in actions:
            where = resource or _pattern(action, account, partition)
            decided = self._decide(principal, action, where)
            if decided is not None:
                decision, assumed = decided
                return Step(action, where, self._statements(decision), assumed)
        return None

    def is_administrator(self, principal: str) -> bool:
        """Allowed, without conditions, every escalation action and a few others on resources no
        policy names: whatever a technique would give, the principal holds already."""
        known = self._administrator.get(principal)
        if known is not None:
            return known
        account, partition = principal.split(":")[4], principal.split(":")[1]
        result = principal in self.inventory.principals
        for action in (*ADMIN_PROBES, *self.escalation_actions):
            if not result:
                break
            resource = _pattern(action, account, partition, PROBE_NAME)
            decided = self._decide(principal, action, resource, relax=False)
            result = decided is not None and not any(
                s["conditions"] for s in self._statements(decided[0]) if s["effect"] == "Allow"
            )
        self._administrator[principal] = result
        return result

    def _edge_capabilities(self, node: str) -> set[str]:
        """The actions of a node's `can` edges and the roles it may pass or assume."""
        cached = self._edges.get(node)
        if cached is None:
            cached = self._edges[node] = set()
            pointing = self._pointing[node] = {}
            for _, target, data in self.graph.out_edges(node, data=True):
                relation = data.get("relation")
                if relation == "can":
                    cached.update(data["actions"])
                elif relation in ("passes_role", "assumes"):
                    capability = f"{relation}:{data.get('service', '')}:{target}"
                    cached.add(capability)
                    pointing.setdefault(target, []).append(capability)
        return cached

    def capabilities(self, node: str) -> set[str]:
        """What a principal can do, to compare two principals: the actions of its `can` edges,
        the roles it may pass or assume, and the escalation actions it may call somewhere."""
        cached = self._actions.get(node)
        if cached is None:
            cached = set(self._edge_capabilities(node))
            if node in self.inventory.principals:
                self._may(node, ())
                cached.update(
                    a for a in self._possible[node] if self._any_of(node, (a,)) is not None
                )
            self._actions[node] = cached
        return cached

    # -- targets ---------------------------------------------------------------------------------

    def _rank(self, node: str) -> tuple[int, str]:
        return (-self.strength(node), node)

    def _ordered(self, key: str, nodes: Iterable[str]) -> list[str]:
        """Nodes strongest first, sorted once per key (a role set, a service, a kind)."""
        cached = self._sorted.get(key)
        if cached is None:
            cached = self._sorted[key] = sorted(nodes, key=self._rank)
        return cached

    def _members(self, target: str, data: dict[str, Any]) -> Iterator[str]:
        """A target's roles strongest first: itself, or a set's members (expanded lazily)."""
        if not target.startswith("set:"):
            return iter((target,))
        members = self._ordered(
            target, (m for _, m, k in self.graph.out_edges(target, keys=True) if k == "contains")
        )
        skipped = set(data.get("except", ()))
        return (m for m in members if m not in skipped)

    def service_roles(self, service: str) -> list[str]:
        """Roles whose trust policy names the service, strongest first."""
        if not self._service_roles:
            for entry in self.inventory.principals.values():
                for trusted in trusted_services(entry.trust_policy):
                    self._service_roles.setdefault(trusted, []).append(entry.arn)
            self._service_roles.setdefault("", [])
        roles = self._service_roles.get(service.lower(), [])
        return self._ordered(f"trusted-by:{service.lower()}", roles)

    def _instance_profile(self, role: str) -> str | None:
        """Empty when the role is in an instance profile, the condition to report when the input
        does not say, None when it is in none."""
        entry = self.inventory.principals.get(role)
        profiles = entry.instance_profiles if entry is not None else None
        if profiles is None:
            return "the role is in an instance profile (the input does not list them)"
        return "" if profiles else None

    def _targets(
        self,
        technique: Technique,
        entry: PrincipalEntry,
        full: Callable[[], bool],
        idle: Callable[[str], bool],
    ) -> Iterator[_Target]:
        """The technique's targets; `full()` tells whether the search keeps enough already,
        `idle(target)` whether trying the target (and those alike after it) changes nothing."""
        inventory = self.inventory
        kind = technique.target
        if kind == "own-policies":
            for policy_id in inventory.identity_policy_ids(entry):
                policy = inventory.policies[policy_id]
                if policy.kind != MANAGED:
                    continue
                if technique.requires == "other-policy-version" and policy.versions < 2:
                    continue
                yield _Target(policy_id, policy_id)
        elif kind == "self":
            yield _Target(entry.arn, entry.arn)
        elif kind in ("own-groups", "groups"):
            mine = kind == "own-groups"
            for group in inventory.groups:
                if (group in entry.groups) == mine:
                    yield _Target(group, group)
        elif kind in ("users", "roles"):
            yield from self._everyone_targets(technique, entry, full, idle)
        elif kind == "assumable-roles":
            yield from self._merged(
                self._edge_targets(entry.arn, "assumes", "", edge_condition=True)
            )
        elif kind == "started-projects":
            for project, data in self._startable_projects(entry.arn):
                for _, role, key in self.graph.out_edges(project, keys=True):
                    if key == "runs_as":
                        step = Step("codebuild:StartBuild", project, data.get("statements", []))
                        yield _Target(role, project, [step])
        elif kind in ("passed-roles", "service-roles"):
            if kind == "passed-roles":
                candidates = self._merged(
                    self._edge_targets(entry.arn, "passes_role", technique.pass_to)
                )
            else:
                service = technique.trusted_by
                roles = self._skipping(
                    f"trusted-by:{service.lower()}", self.service_roles(service), 0, idle
                )
                candidates = (_Target(r, r) for r in roles)
            for target in candidates:
                if technique.requires == "instance-profile":
                    condition = self._instance_profile(target.node)
                    if condition is None:
                        continue
                    target.condition = condition
                yield target

    def _everyone(self, kind: str) -> list[str]:
        """Every user or every role, strongest first."""
        return self._ordered(
            f"kind:{kind}",
            (p.arn for p in self.inventory.principals.values() if p.kind == kind),
        )

    def _everyone_targets(
        self,
        technique: Technique,
        entry: PrincipalEntry,
        full: Callable[[], bool],
        idle: Callable[[str], bool],
    ) -> Iterator[_Target]:
        """Every user or role but the principal, strongest first. Until the search keeps
        enough, only those that may gain something and that the principal's statements may
        name: the others would be compared and proven for nothing. Once it keeps enough, every
        one counts again (for the stop by strength and the "more targets" note), from where the
        promising ones left off."""
        kind = technique.target[:-1]
        everyone = self._everyone(kind)
        position = 0
        for index in self._promising(technique, entry):
            if full():
                break
            if everyone[index] != entry.arn:
                yield _Target(everyone[index], everyone[index])
            position = index + 1
        if full():
            rest = self._skipping(f"kind:{kind}", everyone, position, idle)
            yield from (_Target(arn, arn) for arn in rest if arn != entry.arn)

    def _skipping(
        self, key: str, ordered: list[str], start: int, idle: Callable[[str], bool]
    ) -> Iterator[str]:
        """The targets of an ordered list (see `_ordered`) from `start`, without the runs of
        targets alike (same capabilities, same strength, so side by side) that the search would
        try for nothing: the roles of one administrator policy, one by one, would each gain
        what the kept ones gain."""
        index = start
        while index < len(ordered):
            if idle(ordered[index]):
                index = self._run_end(key, ordered, index)
                continue
            yield ordered[index]
            index += 1

    def _run_end(self, key: str, ordered: list[str], start: int) -> int:
        ends = self._run_ends.setdefault(key, {})
        end = ends.get(start)
        if end is None:
            first = ordered[start]
            strength, alike = self.strength(first), self._alike(first)
            end = start + 1
            while (
                end < len(ordered)
                and self.strength(ordered[end]) == strength
                and self._alike(ordered[end]) == alike
            ):
                end += 1
            ends[start] = end
        return end

    def _promising(self, technique: Technique, entry: PrincipalEntry) -> Iterator[int]:
        """Positions in `_everyone`, ascending, of the targets the principal's statements may
        name and, for a technique that gives the target's capabilities, that have one the
        principal lacks. Targets with the same capabilities are compared once, as a group: a
        principal allowed the technique on `*` is not compared with each of thousands of roles."""
        kind = technique.target[:-1]
        everyone = self._everyone(kind)
        named = self._nameable(technique, entry)
        if technique.gives not in ("role", "user"):
            return iter(range(len(everyone)) if named is None else sorted(named))
        groups = self._capability_groups(kind)
        if named is not None and len(named) <= len(groups):
            return iter(sorted(i for i in named if self._beyond(entry.arn, everyone[i])))
        mine = self.capabilities(entry.arn)
        gaining = heapq.merge(
            *(positions for capabilities, positions in groups if not capabilities <= mine)
        )
        return gaining if named is None else (i for i in gaining if i in named)

    def _capability_groups(self, kind: str) -> list[tuple[frozenset[str], list[int]]]:
        """Per capability set of the users or roles, the set and the positions of its members
        in `_everyone(kind)`."""
        groups = self._groups.get(kind)
        if groups is None:
            by_set: dict[int, tuple[frozenset[str], list[int]]] = {}
            for index, arn in enumerate(self._everyone(kind)):
                number = self._alike(arn)
                if number not in by_set:
                    by_set[number] = (frozenset(self.capabilities(arn)), [])
                by_set[number][1].append(index)
            groups = self._groups[kind] = list(by_set.values())
        return groups

    def _nameable(self, technique: Technique, entry: PrincipalEntry) -> frozenset[int] | None:
        """Positions in `_everyone` that one of the principal's Allow statements may name for
        the first step on the target (any other is denied that step, see `_may_name`); None:
        any of them."""
        spec = next((spec for spec in technique.steps if spec.on == "target"), None)
        if spec is None:
            return None
        kind = technique.target[:-1]
        policy_set = self.pg.decider.policy_set(entry)
        layer = policy_set.compiled().identity
        found: set[int] = set()
        for action in spec.actions:
            if is_always_allowed(action.lower()):
                return None
            if _denied_everywhere(policy_set, action.lower()):
                continue
            for statement in layer.candidates(action.lower()):
                if not statement.allow:
                    continue
                positions = self._named_by(statement, kind)
                if positions is None:
                    return None
                found |= positions
        return frozenset(found)

    def _named_by(self, statement: CompiledStatement, kind: str) -> frozenset[int] | None:
        """Positions in `_everyone(kind)` the Allow statement may name, once per statement (a
        managed policy's statement is shared by its principals), with the ARNs `_may_name`
        lets through whatever the statements name; None: any."""
        key = (id(statement), kind)
        cached = self._named.get(key)
        if cached is None:
            if statement.variables or statement.resource_all:
                positions = None
            else:
                everyone = self._everyone(kind)
                positions = frozenset(
                    i
                    for i, arn in enumerate(everyone)
                    if has_wildcard(arn) or statement.resource_matches(arn, False, {}, False)
                )
            cached = self._named[key] = (statement, positions)
        return cached[1]

    def _edge_targets(
        self, principal: str, relation: str, service: str, edge_condition: bool = False
    ) -> list[Iterator[_Target]]:
        """Per `assumes` / `passes_role` edge, its roles strongest first, each with the step
        the edge proves."""
        sources = []
        for _, target, data in self.graph.out_edges(principal, data=True):
            if data.get("relation") != relation or data.get("service", "") != service:
                continue
            action = data["actions"][0]
            statements = data.get("statements", [])
            condition = (
                "the trust policy's conditions hold"
                if edge_condition and data.get("conditional")
                else ""
            )
            sources.append(
                _Target(role, role, [Step(action, role, statements)], condition)
                for role in self._members(target, data)
            )
        return sources

    def _merged(self, sources: list[Iterator[_Target]]) -> Iterator[_Target]:
        return heapq.merge(*sources, key=lambda target: self._rank(target.node))

    def _startable_projects(self, principal: str) -> list[tuple[str, dict[str, Any]]]:
        """Projects the principal's `can` edges allow codebuild:StartBuild on."""
        found = []
        for _, target, data in self.graph.out_edges(principal, data=True):
            if data.get("relation") != "can" or "codebuild:StartBuild" not in data["actions"]:
                continue
            if target.startswith("set:"):
                found += [(member, data) for member in self._members(target, data)]
            elif self.graph.nodes[target].get("kind") == "codebuild-project":
                found.append((target, data))
        return found

    # -- the search ------------------------------------------------------------------------------

    def _gained(self, principal: str, technique: Technique, target: str, chain: list[str]) -> int:
        """How much the target gives beyond what the principal has; 0 = nothing."""
        if technique.gives == "administrator":
            return 1
        if target == principal or target in chain:
            return 0
        if technique.gives == "group":
            entry = self.inventory.principals[principal]
            mine = set(self.inventory.identity_policy_ids(entry))
            group = self.inventory.groups[target]
            return len(
                [p for p in group.policies if p in self.inventory.policies and p not in mine]
            )
        # Reaching a principal one already is gains nothing. What the target has beyond the
        # principal, counted through the intersection (the smaller set is walked: a principal
        # with a few grants against a target with thousands), less what only points back at
        # the principal.
        theirs, mine = self.capabilities(target), self.capabilities(principal)
        pointing = self._pointing.get(target, {}).get(principal, ())
        return self._beyond(principal, target) - sum(
            1 for c in pointing if c in theirs and c not in mine
        )

    def _beyond(self, principal: str, target: str) -> int:
        """How many capabilities the target has and the principal lacks. Targets with the same
        capabilities are compared with the principal once: `iam:*`-like techniques try every
        role of the account."""
        key = (self._alike(target), principal)
        extra = self._extra.get(key)
        if extra is None:
            theirs, mine = self.capabilities(target), self.capabilities(principal)
            extra = self._extra[key] = len(theirs) - len(theirs & mine)
        return extra

    def _alike(self, node: str) -> int:
        """A number shared by the nodes whose capabilities are the same set."""
        known = self._alike_of.get(node)
        if known is None:
            capabilities = frozenset(self.capabilities(node))
            known = self._alike_of[node] = self._capability_sets.setdefault(
                capabilities, len(self._capability_sets)
            )
        return known

    def escalations_of(self, principal: str, chain: list[str]) -> list[Escalation]:
        entry = self.inventory.principals.get(principal)
        if entry is None:
            return []
        found: list[Escalation] = []
        for technique in self.techniques:
            if technique.principal not in ("any", entry.kind):
                continue
            if not all(self._may(principal, spec.actions) for spec in technique.steps):
                continue  # no statement could allow some step: nothing to evaluate
            anywhere: dict[int, Step] = {}
            for number, spec in enumerate(technique.steps):
                if spec.on == "account":
                    step = self._any_of(principal, spec.actions)
                    if step is None:
                        break
                    anywhere[number] = step
            else:
                found += self._escalations_by(principal, technique, entry, chain, anywhere)
        return found

    def _escalations_by(
        self,
        principal: str,
        technique: Technique,
        entry: PrincipalEntry,
        chain: list[str],
        anywhere: dict[int, Step],
    ) -> list[Escalation]:
        """The MAX_PER_TECHNIQUE targets that gain the most. Targets are tried strongest first,
        and the search stops once no remaining target could gain more than those kept (a target
        gains at most what it has): `iam:PassRole *` or `sts:AssumeRole *` against thousands of
        roles costs a few comparisons, not thousands."""
        ranked = technique.gives in ("role", "user")  # targets come strongest first
        kept: list[Escalation] = []
        more = False

        def keeps_enough() -> bool:
            return ranked and len(kept) >= MAX_PER_TECHNIQUE

        def idle(node: str) -> bool:
            """Whether trying the target changes nothing: it gains nothing, or (once enough
            are kept and more noted) at most what the last kept gains; never the target that
            stops the search (see below)."""
            if not ranked:
                return False
            beyond = self._beyond(principal, node)
            if not keeps_enough():
                return beyond == 0
            bound = kept[-1].gained
            return self.strength(node) > bound and (beyond == 0 or (more and beyond <= bound))

        targets = self._targets(technique, entry, keeps_enough, idle)
        for target in targets:
            full = ranked and len(kept) >= MAX_PER_TECHNIQUE
            if full and self.strength(target.node) <= kept[-1].gained:
                more = True  # this target and all after it gain at most what they have
                break
            # Compared first: only a target that would be kept is proven step by step.
            gained = self._gained(principal, technique, target.node, chain)
            if not gained or (full and gained <= kept[-1].gained):
                more = more or bool(gained)
                continue
            steps = self._prove(principal, technique, target, anywhere)
            if steps is not None:
                kept.append(self._escalation(principal, technique, target, chain, steps, gained))
                kept.sort(key=lambda e: (-e.gained, e.gains))
                if len(kept) > MAX_PER_TECHNIQUE:
                    del kept[MAX_PER_TECHNIQUE:]
                    more = True
        if more:
            for escalation in kept:
                escalation.summary += (
                    " (more targets may be reached the same way, none gaining more)"
                )
        return kept

    def _escalation(
        self,
        principal: str,
        technique: Technique,
        target: _Target,
        chain: list[str],
        steps: list[Step],
        gained: int,
    ) -> Escalation:
        conditions = [c for c in (technique.possible_if, target.condition) if c]
        assumed = sorted({key for step in steps for key in step.assumed})
        if assumed:
            conditions.append(f"the conditions on {', '.join(assumed)} hold")
        summary = technique.summary
        if target.condition and technique.target == "assumable-roles":
            summary += " (if the trust policy's conditions hold)"
        return Escalation(
            principal,
            target.node,
            technique.id,
            summary,
            chain,
            steps,
            gained,
            technique.gives,
            "; ".join(conditions),
            technique.sources,
        )

    def _prove(
        self, principal: str, technique: Technique, target: _Target, anywhere: dict[int, Step]
    ) -> list[Step] | None:
        steps = list(target.steps)
        for number, spec in enumerate(technique.steps):
            step = anywhere.get(number) or self._any_of(principal, spec.actions, target.resource)
            if step is None:
                return None
            steps.append(step)
        return steps

    def starts(self) -> dict[str, list[str]]:
        """Principals reachable from a pipeline, each with the chain that reaches it."""
        sources = [
            n for n, kind in self.graph.nodes(data="kind") if kind == "codepipeline-pipeline"
        ]
        chains: dict[str, list[str]] = {}
        queue = deque((source, [source]) for source in sources)
        seen = set(sources)
        while queue:
            node, chain = queue.popleft()
            if node in self.inventory.principals:
                chains.setdefault(node, chain)
            for _, target, data in self.graph.out_edges(node, data=True):
                if data.get("relation") in WORKLOAD_RELATIONS and target not in seen:
                    seen.add(target)
                    queue.append((target, [*chain, target]))
        return chains


@cyclic_gc_paused()
def escalation_report(
    pg: PermissionGraph, start: str | None = None, max_depth: int = 4
) -> EscalationReport:
    """Escalations from `start`, else from every principal a pipeline reaches (else from all);
    principals met on the way that already hold everything are listed as administrators."""
    search = _Search(pg)
    if start is not None:
        frontier = {start: [start]}
    else:
        frontier = search.starts() or {arn: [arn] for arn in pg.inventory.principals}
    found: list[Escalation] = []
    administrators: list[str] = []
    reached = set(frontier)
    for _ in range(max_depth):
        gained: dict[str, list[str]] = {}
        for principal, chain in sorted(frontier.items()):
            if "/aws-service-role/" in principal:
                continue  # only the AWS service acts as a service-linked role
            if search.is_administrator(principal):
                administrators.append(principal)
                continue
            for escalation in search.escalations_of(principal, chain):
                found.append(escalation)
                target = escalation.gains
                if target in pg.inventory.principals and target not in reached:
                    reached.add(target)
                    gained[target] = [*chain, target]
        if not gained:
            break
        frontier = gained
    return EscalationReport(found, sorted(administrators))


def find_escalations(
    pg: PermissionGraph, start: str | None = None, max_depth: int = 4
) -> list[Escalation]:
    return escalation_report(pg, start, max_depth).escalations
