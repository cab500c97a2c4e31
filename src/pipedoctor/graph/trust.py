"""`assumes` edges: who can become each role, decided by evaluating sts:AssumeRole* against the
role's trust policy (and, for principals in the input, their own identity policies).

Trust policies usually carry conditions the graph cannot supply (sts:ExternalId, the OIDC `sub`,
aws:SourceArn). When a request is denied only for want of such keys, the trust policy is
evaluated again without its conditions: if that allows, the edge is kept, marked conditional and
listing the conditions that must hold.
"""

from __future__ import annotations

import copy
from typing import Any

from pipedoctor.graph.access import EXTERNAL_IDENTITY, AccessDecider, outside_note
from pipedoctor.graph.grants import GrantBook
from pipedoctor.graph.inventory import PrincipalEntry
from pipedoctor.iam import (
    IMPLICITLY_DENIED,
    CompiledPolicy,
    Decision,
    PolicySet,
    Request,
    compile_policy,
    evaluate,
)
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
        for role in list(self.inventory.principals.values()):
            if role.kind == "role" and role.trust_policy:
                self._decide_role(role)

    def _decide_role(self, role: PrincipalEntry) -> None:
        assert role.trust_policy is not None
        trust = compile_policy(role.trust_policy, f"{role.arn}#trust")
        self.decider.conditions.register(trust)
        stripped: list[CompiledPolicy] = []

        def relaxed() -> CompiledPolicy:
            if not stripped:
                stripped.append(
                    compile_policy(_without_conditions(role.trust_policy or {}), trust.label)
                )
            return stripped[0]

        for who, action, kind in self._candidates(role, trust):
            principal = self.inventory.principals.get(who)
            session_of = self.session_role(who) if principal is None and kind == "AWS" else None
            note, source, role_arn = "", who, None
            if principal is not None:
                base = self.decider.policy_set(principal)
                identity, boundaries = base.identity, base.boundaries
            elif session_of is not None:
                # The trust policy names one session of a role in the input: that role acts.
                base = self.decider.policy_set(session_of)
                identity, boundaries = base.identity, base.boundaries
                source, role_arn = session_of.arn, session_of.arn
                note = (
                    f"as its session {who.rsplit('/', 1)[-1]} (the trust policy names the session)"
                )
            elif kind == "AWS" and who != "*":
                identity, boundaries = [EXTERNAL_IDENTITY], []
                note = outside_note(who, self.accounts)
            else:
                identity, boundaries = [], []
            context = {"aws:SourceAccount": role.account} if kind == "Service" else {}
            caller = None if who == "*" else who
            request = Request(
                action, role.arn, caller, context=context, principal_role_arn=role_arn
            )
            decision = evaluate(
                request, PolicySet(identity=identity, boundaries=boundaries, resource_policy=trust)
            )
            conditional = False
            if self._worth_relaxing(decision):
                decision = evaluate(
                    request,
                    PolicySet(identity=identity, boundaries=boundaries, resource_policy=relaxed()),
                )
                conditional = True
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

    @staticmethod
    def _worth_relaxing(decision: Decision) -> bool:
        return decision.decision == IMPLICITLY_DENIED and bool(decision.missing_context_keys)

    def _candidates(
        self, role: PrincipalEntry, trust: CompiledPolicy
    ) -> list[tuple[str, str, str]]:
        """(principal, action, principal type) for everyone an Allow statement could cover."""
        found: dict[str, tuple[str, str, str]] = {}
        for statement in trust.statements:
            principals = statement.statement.principals
            if not statement.allow or not principals:
                continue
            for service in principals.get("Service", ()):
                found[service] = (service, "sts:AssumeRole", "Service")
            federated_action = _federated_action(statement.statement.actions)
            for provider in principals.get("Federated", ()):
                found[provider] = (provider, federated_action, "Federated")
            for value in principals.get("AWS", ()) + principals.get("*", ()):
                for who in self._expand_aws(value):
                    found.setdefault(who, (who, "sts:AssumeRole", "AWS"))
        return sorted(found.values())

    def _expand_aws(self, value: str) -> list[str]:
        assumers = self._principals_allowed_to_assume()
        if value == "*":
            return ["*"] + [p.arn for group in assumers.values() for p in group]
        account = value if ACCOUNT_ID.match(value) else ""
        if value.startswith("arn:") and value.endswith(":root"):
            account = value.split(":")[4]
        if account:
            if account in self.accounts:
                return [p.arn for p in assumers.get(account, [])]
            return [f"arn:aws:iam::{account}:root"]
        return [value]
