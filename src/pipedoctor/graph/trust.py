"""`assumes` edges: who can become each role, decided by evaluating sts:AssumeRole* against the
role's trust policy (and, for principals in the input, their own identity policies).

Account-wide trusts (`"AWS": "<account>"`, its root, or `*`) would make one edge per role and
per principal allowed sts:AssumeRole, quadratic in real organisations. Roles whose trust policies
are the same document (their own ARN aside) are decided together: once per class of roles the
principal's own statements name alike, with one edge to a role set when the class is large.

Trust policies usually carry conditions the graph cannot supply (sts:ExternalId, the OIDC `sub`,
aws:SourceArn). When a request is denied only for want of such keys, the trust policy is
evaluated again without its conditions: if that allows, the edge is kept, marked conditional and
listing the conditions that must hold.
"""

from __future__ import annotations

import copy
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from pipedoctor.graph.access import (
    EXPAND_LIMIT,
    EXTERNAL_IDENTITY,
    AccessDecider,
    ResourceSet,
    outside_note,
)
from pipedoctor.graph.grants import GrantBook
from pipedoctor.graph.inventory import PrincipalEntry, ResourceEntry
from pipedoctor.graph.kinds import KINDS
from pipedoctor.graph.resource_index import Mask, ResourceGroup, members_of
from pipedoctor.iam import (
    IMPLICITLY_DENIED,
    CompiledPolicy,
    Decision,
    PolicySet,
    Request,
    compile_policy,
    evaluate,
)
from pipedoctor.iam.compiled import CompiledLayer
from pipedoctor.iam.principals import ACCOUNT_ID, parse_principal


def _without_conditions(document: dict[str, Any]) -> dict[str, Any]:
    stripped = copy.deepcopy(document)
    statements = stripped.get("Statement")
    for statement in statements if isinstance(statements, list) else [statements]:
        if isinstance(statement, dict):
            statement.pop("Condition", None)
    return stripped


def _federated_action(statement_actions: tuple[str, ...] | None) -> str:
    for action in statement_actions or ():
        if action.lower() == "sts:assumerolewithsaml":
            return "sts:AssumeRoleWithSAML"
    return "sts:AssumeRoleWithWebIdentity"


@dataclass
class _Trust:
    """One role's trust policy, compiled once (and without conditions, when needed)."""

    role: PrincipalEntry
    policy: CompiledPolicy
    layer: CompiledLayer
    _relaxed: CompiledLayer | None = None

    def relaxed(self) -> CompiledLayer:
        if self._relaxed is None:
            document = _without_conditions(self.role.trust_policy or {})
            self._relaxed = CompiledLayer(
                "resourcePolicy", (compile_policy(document, self.policy.label),)
            )
        return self._relaxed


@dataclass
class _BroadGroup:
    """Roles with the same trust document that trusts whole accounts (or anyone)."""

    values: tuple[str, ...]  # the account-wide Principal values
    trusts: list[_Trust] = field(default_factory=list)


def _template(role: PrincipalEntry) -> str:
    text = json.dumps(role.trust_policy, sort_keys=True).replace(role.arn, "${SELF}")
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()[:12]


class TrustDecider:
    def __init__(self, decider: AccessDecider, book: GrantBook) -> None:
        self.decider = decider
        self.book = book
        self.inventory = decider.inventory
        self._assumers: dict[str, list[PrincipalEntry]] | None = None
        self.accounts = {principal.account for principal in self.inventory.principals.values()}
        self._roles_by_name: dict[tuple[str, str], PrincipalEntry] | None = None

    def session_role(self, who: str) -> PrincipalEntry | None:
        """The role in the input a session ARN (an SSO session too) belongs to: same account and
        role name, whatever the role's path."""
        principal = parse_principal(who)
        if principal.kind != "session" or principal.account not in self.accounts:
            return None
        if self._roles_by_name is None:
            self._roles_by_name = {
                (entry.account, entry.name): entry
                for entry in self.inventory.principals.values()
                if entry.kind == "role"
            }
        return self._roles_by_name.get((principal.account or "", principal.name or ""))

    def _principals_allowed_to_assume(self) -> dict[str, list[PrincipalEntry]]:
        """Principals per account whose identity policies may allow sts:AssumeRole at all."""
        if self._assumers is None:
            self._assumers = {}
            for principal in self.inventory.principals.values():
                layer = self.decider.policy_set(principal).compiled().identity
                if any(statement.allow for statement in layer.candidates("sts:assumerole")):
                    self._assumers.setdefault(principal.account, []).append(principal)
        return self._assumers

    def decide_all(self) -> None:
        groups: dict[tuple[str, tuple[str, ...]], _BroadGroup] = {}
        for role in list(self.inventory.principals.values()):
            if role.kind != "role" or not role.trust_policy:
                continue
            policy = compile_policy(role.trust_policy, f"{role.arn}#trust")
            self.decider.conditions.register(policy)
            trust = _Trust(role, policy, CompiledLayer("resourcePolicy", (policy,)))
            named, broad = self._candidates(trust)
            for who, action, kind in named:
                self._decide(trust, who, action, kind)
            if broad:
                key = (_template(role), tuple(broad))
                groups.setdefault(key, _BroadGroup(tuple(broad))).trusts.append(trust)
        for (template, _), group in sorted(groups.items()):
            self._decide_broad(template, group)

    def _decide(self, trust: _Trust, who: str, action: str, kind: str) -> None:
        """One principal named (or expanded from a name) against one role's trust policy."""
        role = trust.role
        principal = self.inventory.principals.get(who)
        session_of = self.session_role(who) if principal is None and kind == "AWS" else None
        note, source, role_arn = "", who, None
        if principal is not None:
            base = self.decider.policy_set(principal)
        elif session_of is not None:
            # The trust policy names one session of a role in the input: that role acts.
            base = self.decider.policy_set(session_of)
            source, role_arn = session_of.arn, session_of.arn
            note = f"as its session {who.rsplit('/', 1)[-1]} (the trust policy names the session)"
        elif kind == "AWS" and who != "*":
            base = PolicySet(identity=[EXTERNAL_IDENTITY])
            note = outside_note(who, self.accounts)
        else:
            base = PolicySet()
        context = {"aws:SourceAccount": role.account} if kind == "Service" else {}
        caller = None if who == "*" else who
        request = Request(action, role.arn, caller, context=context, principal_role_arn=role_arn)
        decision, conditional = self._evaluate(request, base, trust)
        if decision.allowed:
            self.book.add(
                source,
                role.arn,
                "assumes",
                [action],
                decision.matched,
                conditional=conditional,
                note=note,
            )

    def _evaluate(self, request: Request, base: PolicySet, trust: _Trust) -> tuple[Decision, bool]:
        decision = evaluate(request, base.with_resource_policy(trust.layer))
        if self._worth_relaxing(decision):
            return evaluate(request, base.with_resource_policy(trust.relaxed())), True
        return decision, False

    def _decide_broad(self, template: str, group: _BroadGroup) -> None:
        """Every principal the account-wide values cover, against every role of the group:
        decided once per class of roles the principal's sts:AssumeRole statements name alike."""
        trusts = sorted(group.trusts, key=lambda trust: trust.role.arn)
        index = ResourceGroup(
            KINDS["iam-role"],
            "iam",
            [ResourceEntry(trust.role.arn, "iam-role", trust.role.name) for trust in trusts],
        )
        label = f"every role trusting {', '.join(group.values)} with the same trust policy"
        position = {trust.role.arn: n for n, trust in enumerate(trusts)}
        for who in self._expand_broad(group.values):
            # A role is not trusted by itself through its account (only a trust policy naming
            # the role's own ARN lets it assume itself): its own bit is left out.
            own = 1 << position[who] if who in position else 0
            principal = self.inventory.principals.get(who)
            if principal is not None:
                base = self.decider.policy_set(principal)
                compiled = base.compiled()
                statements = list(compiled.identity.candidates("sts:assumerole"))
                if compiled.boundary is not None:
                    statements += compiled.boundary.candidates("sts:assumerole")
            else:
                base, statements = PolicySet(), []
            for members in self._classes(index, statements):
                others = members & ~own
                if not others:
                    continue
                trust = trusts[(others & -others).bit_length() - 1]
                request = Request("sts:AssumeRole", trust.role.arn, None if who == "*" else who)
                decision, conditional = self._evaluate(request, base, trust)
                if not decision.allowed:
                    continue
                # Sets are kept whole (shared by every assumer), with the role itself excepted.
                for target in self._targets(template, label, index, members):
                    if target == who:
                        continue
                    self.book.add(
                        who,
                        target,
                        "assumes",
                        ["sts:AssumeRole"],
                        decision.matched,
                        excluded=[who] if members & own and target.startswith("set:") else None,
                        conditional=conditional,
                    )

    @staticmethod
    def _classes(index: ResourceGroup, statements: list[Any]) -> list[Mask]:
        """The group's roles split by which of the statements' resource patterns name them."""
        pieces = [index.full]
        for statement in statements:
            if statement.resource_all or statement.resource_patterns is None:
                continue
            for pattern in statement.resource_patterns:
                mask = index.matching("role", "", pattern)
                if mask is None:
                    continue
                pieces = [
                    part for piece in pieces for part in (piece & mask, piece & ~mask) if part
                ]
        return pieces

    def _targets(self, template: str, label: str, index: ResourceGroup, members: Mask) -> list[str]:
        count = members.bit_count()
        if count <= EXPAND_LIMIT:
            return [index.resources[i].arn for i in members_of(members)]
        if members == index.full:
            set_id = f"set:trust:{template}"
        else:
            digest = hashlib.sha1(str(members).encode(), usedforsecurity=False).hexdigest()[:12]
            set_id, label = f"set:trust:{template}:{digest}", f"{label}, some of them"
        if set_id not in self.decider.sets:
            arns = tuple(index.resources[i].arn for i in members_of(members))
            self.decider.sets[set_id] = ResourceSet(set_id, f"{label} ({count})", "iam-role", arns)
        return [set_id]

    @staticmethod
    def _worth_relaxing(decision: Decision) -> bool:
        return decision.decision == IMPLICITLY_DENIED and bool(decision.missing_context_keys)

    def _candidates(self, trust: _Trust) -> tuple[list[tuple[str, str, str]], list[str]]:
        """(principal, action, principal type) for everyone an Allow statement names, and the
        account-wide values (accounts in the input, `*`) decided for the group of alike roles."""
        found: dict[str, tuple[str, str, str]] = {}
        broad: set[str] = set()
        for statement in trust.policy.statements:
            principals = statement.statement.principals
            if not statement.allow or not principals:
                continue
            for service in principals.get("Service", ()):
                found[service] = (service, "sts:AssumeRole", "Service")
            federated_action = _federated_action(statement.statement.actions)
            for provider in principals.get("Federated", ()):
                found[provider] = (provider, federated_action, "Federated")
            for value in principals.get("AWS", ()) + principals.get("*", ()):
                account = self._account_of(value)
                if value == "*" or account in self.accounts:
                    broad.add(value)
                elif account:
                    who = f"arn:aws:iam::{account}:root"
                    found.setdefault(who, (who, "sts:AssumeRole", "AWS"))
                else:
                    found.setdefault(value, (value, "sts:AssumeRole", "AWS"))
        return sorted(found.values()), sorted(broad)

    @staticmethod
    def _account_of(value: str) -> str:
        if ACCOUNT_ID.match(value):
            return value
        if value.startswith("arn:") and value.endswith(":root"):
            return value.split(":")[4]
        return ""

    def _expand_broad(self, values: tuple[str, ...]) -> list[str]:
        assumers = self._principals_allowed_to_assume()
        found: dict[str, None] = {}
        for value in values:
            if value == "*":
                found["*"] = None
                found.update((p.arn, None) for group in assumers.values() for p in group)
            else:
                found.update((p.arn, None) for p in assumers.get(self._account_of(value), []))
        return list(found)
