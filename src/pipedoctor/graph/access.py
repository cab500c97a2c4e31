"""`can` and `passes_role` edges: what each principal may do to each resource, decided by
`iam.evaluate` once per class of equivalent resources (see `resource_index`) and once per group
of actions that the same statements decide."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from pipedoctor.graph.grants import ConditionIndex, GrantBook
from pipedoctor.graph.inventory import Inventory, PrincipalEntry, ResourceEntry
from pipedoctor.graph.kinds import (
    SERVICE_NODE_PREFIXES,
    action_positions,
    kind_actions,
    resourceless_actions,
)
from pipedoctor.graph.resource_index import Mask, ResourceGroup, group_resources, members_of
from pipedoctor.iam import (
    CompiledPolicy,
    PolicySet,
    Request,
    compile_policy,
    evaluate,
    load_catalog,
)
from pipedoctor.iam.compiled import CompiledLayer, CompiledStatement
from pipedoctor.iam.principals import ACCOUNT_ID

# A class of equivalent resources with at most this many members gets one edge per resource;
# a bigger one gets a single edge to a resource-set node.
EXPAND_LIMIT = 50

# Identity side assumed for principals of other accounts, whose own policies are not in the input.
EXTERNAL_IDENTITY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
}
EXTERNAL_NOTE = "another account's principal: its own policies are not in the input"
MISSING_NOTE = "a principal of this account that is not in the input: its own policies are unknown"


def outside_note(who: str, accounts: set[str]) -> str:
    """How to describe a principal the input does not hold."""
    parts = who.split(":")
    return MISSING_NOTE if len(parts) > 4 and parts[4] in accounts else EXTERNAL_NOTE


@dataclass(frozen=True)
class ResourceSet:
    id: str
    label: str
    kind: str
    members: tuple[str, ...]


@dataclass
class _ActionGroup:
    type_key: str
    suffix: str
    statements: tuple[CompiledStatement, ...]
    actions: list[str]


@dataclass
class _Class:
    representative: int
    targets: list[str]  # resource ARNs, or one resource-set id
    excluded: list[str]  # set targets: members decided on their own


def service_node(prefix: str) -> str:
    return f"service:{prefix}"


def _allow_prefixes(layer: CompiledLayer) -> tuple[set[str], bool]:
    """Service prefixes the Allow statements can reach; True when some reach every service."""
    prefixes: set[str] = set()
    for policy in layer.policies:
        for statement in policy.statements:
            if not statement.allow or statement.action_test is None:
                continue
            if statement.prefixes is None:
                return prefixes, True
            prefixes |= statement.prefixes
    return prefixes, False


class AccessDecider:
    def __init__(self, inventory: Inventory, book: GrantBook, conditions: ConditionIndex) -> None:
        self.inventory = inventory
        self.book = book
        self.conditions = conditions
        self.catalog = load_catalog()
        self.groups: list[ResourceGroup] = group_resources(
            inventory.resources, inventory.principals
        )
        self.sets: dict[str, ResourceSet] = {}
        self._policy_sets: dict[str, PolicySet] = {}
        self._resource_policies: dict[str, CompiledPolicy] = {}
        self._policy_action_cache: dict[
            tuple[str, str, str], dict[str, tuple[CompiledStatement, ...]]
        ] = {}
        self._action_group_cache: dict[tuple[object, ...], list[_ActionGroup]] = {}

    def policy_set(self, principal: PrincipalEntry) -> PolicySet:
        """The principal's identity policies and boundary, compiled once and reused."""
        cached = self._policy_sets.get(principal.arn)
        if cached is not None:
            return cached
        policies = self.inventory.policies
        identity = [
            policies[pid].compiled() for pid in self.inventory.identity_policy_ids(principal)
        ]
        boundaries = []
        if principal.boundary and principal.boundary in policies:
            boundaries.append(policies[principal.boundary].compiled())
        for compiled in identity + boundaries:
            self.conditions.register(compiled)
        policy_set = PolicySet(identity=list(identity), boundaries=list(boundaries))
        self._policy_sets[principal.arn] = policy_set
        return policy_set

    def resource_policy(self, resource: ResourceEntry) -> CompiledPolicy:
        cached = self._resource_policies.get(resource.arn)
        if cached is None:
            cached = compile_policy(resource.policy, f"{resource.arn}#policy")
            self.conditions.register(cached)
            self._resource_policies[resource.arn] = cached
        return cached

    def _with_resource_policy(self, base: PolicySet, resource: ResourceEntry) -> PolicySet:
        return PolicySet(
            identity=base.identity,
            boundaries=base.boundaries,
            resource_policy=self.resource_policy(resource),
        )

    # -- per principal -------------------------------------------------------------------------

    def decide_principal(self, principal: PrincipalEntry) -> None:
        policy_set = self.policy_set(principal)
        layer = policy_set.compiled().identity
        prefixes, every_service = _allow_prefixes(layer)
        if not prefixes and not every_service:
            return
        for group in self.groups:
            if every_service or group.service in prefixes:
                self._decide_group(principal, policy_set, group)
                if group.kind.name == "iam-role":
                    self._decide_pass_role(principal, policy_set, group)
        for service in SERVICE_NODE_PREFIXES:
            if every_service or service in prefixes:
                self._decide_resourceless(principal, policy_set, service)

    def _action_groups(
        self,
        policy_set: PolicySet,
        service: str,
        types: tuple[tuple[str, str], ...],
        excluded: frozenset[str],
    ) -> list[_ActionGroup]:
        """Actions the identity policies may allow, grouped by the statements that decide them.
        Only the policies that name some of these actions count, so principals whose policies
        differ elsewhere (an inline policy of their own on other services) share the answer."""
        compiled = policy_set.compiled()
        identity = [
            policy
            for policy in compiled.identity.policies
            if any(self._policy_actions(policy, service, type_key) for type_key, _ in types)
        ]
        boundary = [
            policy
            for policy in (compiled.boundary.policies if compiled.boundary is not None else ())
            if any(self._policy_actions(policy, service, type_key) for type_key, _ in types)
        ]
        if not identity:
            return []
        key = (
            service,
            types,
            excluded,
            tuple(policy.label for policy in identity),
            tuple(policy.label for policy in boundary),
        )
        cached = self._action_group_cache.get(key)
        if cached is None:
            cached = self._action_group_cache[key] = self._group_actions(
                identity, boundary, service, types, excluded
            )
        return cached

    def _group_actions(
        self,
        identity: list[CompiledPolicy],
        boundary: list[CompiledPolicy],
        service: str,
        types: tuple[tuple[str, str], ...],
        excluded: frozenset[str],
    ) -> list[_ActionGroup]:
        groups: dict[tuple[object, ...], _ActionGroup] = {}
        for type_key, suffix in types:
            allowing: dict[str, tuple[CompiledStatement, ...]] = {}
            for policy in identity:
                for action, statements in self._policy_actions(policy, service, type_key).items():
                    allowing[action] = allowing.get(action, ()) + statements
            bounds = [self._policy_actions(policy, service, type_key) for policy in boundary]
            for action, candidates in sorted(allowing.items()):
                if action.lower() in excluded or not any(s.allow for s in candidates):
                    continue
                bounded = tuple(s for bound in bounds for s in bound.get(action, ()))
                signature = (type_key, tuple(map(id, candidates)), tuple(map(id, bounded)))
                group = groups.get(signature)
                if group is None:
                    group = groups[signature] = _ActionGroup(type_key, suffix, candidates, [])
                group.actions.append(action)
        return list(groups.values())

    def _policy_actions(
        self, policy: CompiledPolicy, service: str, type_key: str
    ) -> dict[str, tuple[CompiledStatement, ...]]:
        """Actions of one resource type (or resource-less ones, for type "") that some
        statement of the policy names, with those statements. Cached per policy, not per
        principal: a managed policy attached to a thousand roles is matched once."""
        key = (policy.label, service, type_key)
        cached = self._policy_action_cache.get(key)
        if cached is not None:
            return cached
        reaching = [
            s
            for s in policy.statements
            if s.action_test is not None and (s.prefixes is None or service in s.prefixes)
        ]
        hits: dict[int, list[CompiledStatement]] = {}
        if reaching:
            actions = kind_actions(service, type_key) if type_key else resourceless_actions(service)
            positions = action_positions(service, type_key)
            for statement in reaching:
                test = statement.action_test
                assert test is not None
                if test.patterns or test.starts or test.negated:
                    where: Iterable[int] = (
                        n for n, action in enumerate(actions) if test.matches(action.lower())
                    )
                else:  # exact names only: look them up instead of testing every action
                    where = (n for name in test.exact for n in positions.get(name, ()))
                for n in where:
                    hits.setdefault(n, []).append(statement)
        found = {actions[n]: tuple(hits[n]) for n in sorted(hits)}
        self._policy_action_cache[key] = found
        return found

    def _classes(self, group: ResourceGroup, action_groups: list[_ActionGroup]) -> list[_Class]:
        """The group's partitions split by which of the principal's specific resource patterns
        name each member (partition refinement on bitmasks)."""
        masks: dict[Mask, set[str]] = {}
        for action_group in action_groups:
            for statement in action_group.statements:
                if statement.resource_all or statement.resource_patterns is None:
                    continue
                for pattern in statement.resource_patterns:
                    mask = group.matching(action_group.type_key, action_group.suffix, pattern)
                    if mask is not None:
                        masks.setdefault(mask, set()).add(pattern)
        named = 0
        for mask in masks:
            named |= mask
        # (members, patterns naming them, partition key)
        pieces: list[tuple[Mask, frozenset[str], str]] = [
            (members, frozenset(), key) for key, members in group.partitions.items()
        ]
        for mask, patterns in masks.items():
            split = []
            for members, signature, key in pieces:
                inside, outside = members & mask, members & ~mask
                if inside:
                    split.append((inside, signature | patterns, key))
                if outside:
                    split.append((outside, signature, key))
            pieces = split
        classes = []
        for members, signature, key in pieces:
            representative = (members & -members).bit_length() - 1
            count = members.bit_count()
            whole = group.partitions[key]
            if not signature and count > EXPAND_LIMIT:
                set_id = f"set:{group.id}" + (f"?{key}" if key else "")
                self._add_set(set_id, self._partition_label(group, key), group, whole)
                excluded = [group.resources[i].arn for i in members_of(whole & named)]
                classes.append(_Class(representative, [set_id], excluded))
            elif count > EXPAND_LIMIT:
                digest = hashlib.sha1(
                    members.to_bytes((members.bit_length() + 7) // 8, "little"),
                    usedforsecurity=False,
                )
                set_id = f"set:{group.id}:{digest.hexdigest()[:12]}"
                label = f"{group.kind.label}s matching {', '.join(sorted(signature))}"
                self._add_set(set_id, label, group, members)
                classes.append(_Class(representative, [set_id], []))
            else:
                classes.append(
                    _Class(
                        representative, [group.resources[i].arn for i in members_of(members)], []
                    )
                )
        return classes

    def _partition_label(self, group: ResourceGroup, partition: str) -> str:
        if group.kind.name == "iam-role":
            services = ", ".join(group.services_of.get(partition, ()))
            return (
                f"every IAM role trusted by {services}"
                if services
                else "every IAM role no service can assume"
            )
        label = f"every {group.kind.label} ({group.service})"
        return f"{label} with resource policy {partition.split('=', 1)[1]}" if partition else label

    def _add_set(self, set_id: str, label: str, group: ResourceGroup, members: Mask) -> None:
        if set_id not in self.sets:
            arns = tuple(group.resources[i].arn for i in members_of(members))
            self.sets[set_id] = ResourceSet(set_id, f"{label} ({len(arns)})", group.kind.name, arns)

    def _decide_group(
        self, principal: PrincipalEntry, policy_set: PolicySet, group: ResourceGroup
    ) -> None:
        action_groups = self._action_groups(
            policy_set, group.service, group.kind.types, group.kind.excluded
        )
        if not action_groups:
            return
        for cls in self._classes(group, action_groups):
            resource = group.resources[cls.representative]
            decided = (
                policy_set
                if resource.policy is None
                else self._with_resource_policy(policy_set, resource)
            )
            for action_group in action_groups:
                for actions in self._split_by_resource_policy(decided, action_group.actions):
                    request = Request(actions[0], resource.arn + action_group.suffix, principal.arn)
                    decision = evaluate(request, decided, self.catalog)
                    if not decision.allowed:
                        continue
                    for target in cls.targets:
                        self.book.add(
                            principal.arn,
                            target,
                            "can",
                            actions,
                            decision.matched,
                            excluded=cls.excluded,
                        )

    @staticmethod
    def _split_by_resource_policy(policy_set: PolicySet, actions: list[str]) -> list[list[str]]:
        layer = policy_set.compiled().resource
        if layer is None:
            return [actions]
        split: dict[tuple[int, ...], list[str]] = {}
        for action in actions:
            split.setdefault(tuple(map(id, layer.candidates(action.lower()))), []).append(action)
        return list(split.values())

    def _decide_pass_role(
        self, principal: PrincipalEntry, policy_set: PolicySet, group: ResourceGroup
    ) -> None:
        candidates = policy_set.compiled().identity.candidates("iam:passrole")
        if not any(statement.allow for statement in candidates):
            return
        action_group = _ActionGroup("role", "", candidates, ["iam:PassRole"])
        for cls in self._classes(group, [action_group]):
            partition = group.partition_of[cls.representative]
            role_arn = group.resources[cls.representative].arn
            for service in group.services_of.get(partition, ()):
                request = Request(
                    "iam:PassRole",
                    role_arn,
                    principal.arn,
                    context={"iam:PassedToService": service},
                )
                decision = evaluate(request, policy_set, self.catalog)
                if decision.allowed:
                    for target in cls.targets:
                        self.book.add(
                            principal.arn,
                            target,
                            "passes_role",
                            ["iam:PassRole"],
                            decision.matched,
                            service=service,
                            excluded=cls.excluded,
                        )

    def _decide_resourceless(
        self, principal: PrincipalEntry, policy_set: PolicySet, service: str
    ) -> None:
        for action_group in self._action_groups(policy_set, service, (("", ""),), frozenset()):
            request = Request(action_group.actions[0], "*", principal.arn, wildcard_only=True)
            decision = evaluate(request, policy_set, self.catalog)
            if decision.allowed:
                self.book.add(
                    principal.arn,
                    service_node(service),
                    "can",
                    action_group.actions,
                    decision.matched,
                )

    # -- grants that resource policies make on their own ------------------------------------------

    def decide_resource_policies(self) -> None:
        """Principals a resource policy names get what it grants even without identity grants."""
        accounts = {principal.account for principal in self.inventory.principals.values()}
        for group in self.groups:
            for resource in group.resources:
                if resource.policy is None:
                    continue
                policy = self.resource_policy(resource)
                for who in sorted(self._named_principals(policy, accounts)):
                    self._decide_named(group, resource, who)

    def _named_principals(self, policy: CompiledPolicy, accounts: set[str]) -> set[str]:
        named: set[str] = set()
        for statement in policy.statements:
            principals = statement.statement.principals
            if not statement.allow or not principals:
                continue
            for value in principals.get("AWS", ()) + principals.get("*", ()):
                if value == "*":
                    named.add("*")
                elif ACCOUNT_ID.match(value):
                    if value not in accounts:
                        named.add(f"arn:aws:iam::{value}:root")
                elif value.endswith(":root"):
                    if value.split(":")[4] not in accounts:
                        named.add(value)
                elif value.startswith("arn:"):
                    named.add(value)
        return named

    def _decide_named(self, group: ResourceGroup, resource: ResourceEntry, who: str) -> None:
        principal = self.inventory.principals.get(who)
        note = ""
        if principal is not None:
            policy_set = self._with_resource_policy(self.policy_set(principal), resource)
            caller: str | None = who
        elif who == "*":
            policy_set = PolicySet(resource_policy=self.resource_policy(resource))
            caller, note = None, "anyone, without signing in"
        else:
            policy_set = PolicySet(
                identity=[EXTERNAL_IDENTITY], resource_policy=self.resource_policy(resource)
            )
            accounts = {principal.account for principal in self.inventory.principals.values()}
            caller, note = who, outside_note(who, accounts)
        layer = policy_set.compiled().resource
        assert layer is not None
        for type_key, suffix in group.kind.types:
            for action in kind_actions(group.service, type_key):
                lowered = action.lower()
                if lowered in group.kind.excluded or not any(
                    s.allow for s in layer.candidates(lowered)
                ):
                    continue
                decision = evaluate(
                    Request(action, resource.arn + suffix, caller), policy_set, self.catalog
                )
                if decision.allowed:
                    refs = [ref for ref in decision.matched if ref.layer == "resourcePolicy"]
                    self.book.add(who, resource.arn, "can", [action], refs, note=note)
