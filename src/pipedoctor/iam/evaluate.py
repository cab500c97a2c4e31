"""The AWS policy evaluation logic for one request.

Order (IAM User Guide, "Policy evaluation logic" and "Cross-account policy evaluation logic"):
1. an explicit Deny in any applicable policy wins;
2. every SCP level (the principal's account) must allow; RCPs and VPC endpoint policies must not
   deny (endpoint policies must also allow);
3. same account: a resource policy that names the principal grants access on its own, unless a
   permission boundary or session policy limits it (a boundary does not limit grants naming the
   user or the session ARN directly; grants naming the role ARN are limited); otherwise identity
   policies must allow, within the boundary and the session policy;
4. cross account: both the identity side and the resource policy (naming the principal or its
   account) must allow;
5. KMS keys and role trust policies always need their resource policy (see `service_rules`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from pipedoctor.iam.catalog import Catalog, load_catalog
from pipedoctor.iam.compiled import (
    PRINCIPAL_DEFAULT_ALL,
    PRINCIPAL_IGNORED,
    PRINCIPAL_REQUIRED,
    CompiledLayer,
    CompiledPolicy,
    CompiledStatement,
    compile_policy,
)
from pipedoctor.iam.principals import ACCOUNT_ID, DIRECT, Principal, parse_principal
from pipedoctor.iam.service_rules import (
    blocked_as_aws_owned,
    is_always_allowed,
    resource_policy_required,
)
from pipedoctor.iam.variables import Context
from pipedoctor.knowledge.arns import split_arn

ALLOWED = "Allowed"
IMPLICITLY_DENIED = "ImplicitlyDenied"
EXPLICITLY_DENIED = "ExplicitlyDenied"

IDENTITY = "identity"
BOUNDARY = "permissionBoundary"
SCP = "scp"
RCP = "rcp"
RESOURCE = "resourcePolicy"
SESSION = "sessionPolicy"
ENDPOINT = "endpointPolicy"
AWS_OWNED = "awsOwnedResource"
LAYER_ORDER = (SCP, RCP, ENDPOINT, RESOURCE, IDENTITY, BOUNDARY, SESSION, AWS_OWNED)

ContextValue = str | list[str] | bool | int | float
PolicyInput = Mapping[str, Any] | tuple[str, Mapping[str, Any]] | CompiledPolicy


@dataclass(frozen=True, slots=True)
class Request:
    """One API call to decide. `resource` is an ARN, `*`, or an ARN pattern (`bucket/*`)."""

    action: str
    resource: str = "*"
    principal_arn: str | None = None  # None: anonymous; "lambda.amazonaws.com": a service
    principal_account: str | None = None  # default: from the principal ARN
    resource_account: str | None = None  # default: from the resource ARN, else the principal's
    context: Mapping[str, ContextValue] = field(default_factory=dict)
    # True: the action accepts only "Resource": "*" (matched literally); None: ask the catalog.
    wildcard_only: bool | None = None
    # A session principal's role ARN with its path (a session ARN does not show the path); when
    # absent the path is assumed and the decision says so.
    principal_role_arn: str | None = None


@dataclass(frozen=True, slots=True)
class StatementRef:
    layer: str
    policy: str
    statement: str  # Sid, or "#<index>"
    effect: str
    pointer: str

    def to_dict(self) -> dict[str, str]:
        return {
            "layer": self.layer,
            "policy": self.policy,
            "statement": self.statement,
            "effect": self.effect,
            "pointer": self.pointer,
        }


@dataclass(slots=True)
class Decision:
    decision: str
    blocked_by: list[str]
    matched: list[StatementRef]
    missing_context_keys: list[str]
    request: Request
    # What the evaluator had to assume, e.g. the path of a session's role in aws:PrincipalArn
    assumptions: list[str] = field(default_factory=list)

    @property
    def allowed(self) -> bool:
        return self.decision == ALLOWED

    def to_dict(self) -> dict[str, Any]:
        return {
            "decision": self.decision,
            "blockedBy": list(self.blocked_by),
            "matched": [ref.to_dict() for ref in self.matched],
            "missingContextKeys": list(self.missing_context_keys),
            **({"assumptions": list(self.assumptions)} if self.assumptions else {}),
        }

    def explain(self) -> str:
        """One paragraph a person can read."""
        who = self.request.principal_arn or "an anonymous caller"
        head = f"{self.request.action} on {self.request.resource} by {who} is {self.decision}"
        denies = [ref for ref in self.matched if ref.effect == "Deny"]
        allows = [ref for ref in self.matched if ref.effect == "Allow"]
        sentences = [head + "."]
        if self.decision == EXPLICITLY_DENIED and denies:
            sentences.append(
                "An explicit Deny matched: " + ", ".join(_describe(ref) for ref in denies) + "."
            )
        elif self.decision == ALLOWED and allows:
            sentences.append("Allowed by " + ", ".join(_describe(ref) for ref in allows) + ".")
        elif self.decision == ALLOWED:
            sentences.append("AWS allows this action without any policy.")
        if self.blocked_by and self.decision != ALLOWED:
            names = ", ".join(_LAYER_TEXT.get(layer, layer) for layer in self.blocked_by)
            sentences.append(f"Blocked by: {names}.")
            if self.decision == IMPLICITLY_DENIED and not denies:
                sentences.append("No statement allowed it there (an implicit deny).")
        if self.missing_context_keys:
            sentences.append(
                "Conditions referred to context keys the request did not carry: "
                + ", ".join(self.missing_context_keys)
                + "; supplying them may change the result."
            )
        return " ".join(sentences)


_LAYER_TEXT = {
    IDENTITY: "the identity policies",
    BOUNDARY: "the permission boundary",
    SCP: "a service control policy",
    RCP: "a resource control policy",
    RESOURCE: "the resource policy",
    SESSION: "the session policy",
    ENDPOINT: "the VPC endpoint policy",
    AWS_OWNED: "AWS ownership of the resource (read-only for customers)",
}


def _describe(ref: StatementRef) -> str:
    return f"{_LAYER_TEXT.get(ref.layer, ref.layer)} {ref.policy} statement {ref.statement}"


def _label(item: PolicyInput, default: str) -> tuple[str, Any]:
    if isinstance(item, tuple):
        return str(item[0]), item[1]
    return default, item


def _compile_layer(name: str, items: list[PolicyInput], label_prefix: str) -> CompiledLayer:
    policies = []
    for index, item in enumerate(items):
        default = label_prefix if name in (RESOURCE, SESSION) else f"{label_prefix}[{index}]"
        label, document = _label(item, default)
        if isinstance(document, CompiledPolicy):
            policies.append(document)
        else:
            policies.append(compile_policy(document, label))
    return CompiledLayer(name, tuple(policies))


@dataclass(slots=True)
class _CompiledSet:
    identity: CompiledLayer
    boundary: CompiledLayer | None
    scps: list[CompiledLayer]
    rcps: list[CompiledLayer]
    resource: CompiledLayer | None
    session: CompiledLayer | None
    endpoint: CompiledLayer | None


@dataclass(slots=True)
class PolicySet:
    """Every policy that takes part in a decision for one principal (and one resource).

    Documents are dicts, or (name, dict) pairs to give them a name in explanations. Build once
    and reuse: the compiled form is cached on first use, so do not mutate the lists afterwards.
    """

    identity: list[PolicyInput] = field(default_factory=list)
    boundaries: list[PolicyInput] = field(default_factory=list)
    scps: list[list[PolicyInput]] = field(default_factory=list)  # one list per OU level
    rcps: list[list[PolicyInput]] = field(default_factory=list)
    resource_policy: PolicyInput | None = None
    session_policy: PolicyInput | None = None
    endpoint_policies: list[PolicyInput] = field(default_factory=list)
    _compiled: _CompiledSet | None = field(default=None, init=False, repr=False, compare=False)

    def compiled(self) -> _CompiledSet:
        if self._compiled is None:
            self._compiled = _CompiledSet(
                identity=_compile_layer(IDENTITY, self.identity, "identity"),
                boundary=_compile_layer(BOUNDARY, self.boundaries, "boundary")
                if self.boundaries
                else None,
                scps=[
                    _compile_layer(SCP, level, f"scp[{number}]")
                    for number, level in enumerate(self.scps)
                ],
                rcps=[
                    _compile_layer(RCP, level, f"rcp[{number}]")
                    for number, level in enumerate(self.rcps)
                ],
                resource=_compile_layer(RESOURCE, [self.resource_policy], "resource")
                if self.resource_policy is not None
                else None,
                session=_compile_layer(SESSION, [self.session_policy], "session")
                if self.session_policy is not None
                else None,
                endpoint=_compile_layer(ENDPOINT, self.endpoint_policies, "endpoint")
                if self.endpoint_policies
                else None,
            )
        return self._compiled

    def with_resource_policy(self, policy: CompiledPolicy | CompiledLayer) -> PolicySet:
        """This set with another resource policy (or its compiled layer, to reuse it too),
        reusing the compiled identity, boundary and organisation layers: one principal decided
        against many roles' trust policies."""
        base = self.compiled()
        layer = policy if isinstance(policy, CompiledLayer) else CompiledLayer(RESOURCE, (policy,))
        policy = layer.policies[0]
        combined = PolicySet(
            identity=self.identity,
            boundaries=self.boundaries,
            scps=self.scps,
            rcps=self.rcps,
            resource_policy=policy,
            session_policy=self.session_policy,
            endpoint_policies=self.endpoint_policies,
        )
        combined._compiled = _CompiledSet(
            identity=base.identity,
            boundary=base.boundary,
            scps=base.scps,
            rcps=base.rcps,
            resource=layer,
            session=base.session,
            endpoint=base.endpoint,
        )
        return combined


class _LayerResult:
    """Statements of one layer that applied to the request."""

    __slots__ = ("allows", "denies")

    def __init__(self) -> None:
        self.denies: list[CompiledStatement] = []
        self.allows: list[tuple[CompiledStatement, str]] = []

    @property
    def allowed(self) -> bool:
        return bool(self.allows)

    def strongest_grant(self) -> str | None:
        best: str | None = None
        for _, grant in self.allows:
            if grant == DIRECT:
                return DIRECT
            if grant == "role" or best is None:
                best = grant
        return best


_NOTHING = _LayerResult()  # shared result of a layer that is absent; never mutated


def _context(request: Request, principal: Principal) -> Context:
    context: Context = {}
    for key, value in request.context.items():
        kind = type(value)
        if kind is str:
            context[key.lower()] = [value]  # type: ignore[list-item]
        elif kind is list or kind is tuple:
            context[key.lower()] = [_scalar(item) for item in value]  # type: ignore[union-attr]
        else:
            context[key.lower()] = [_scalar(value)]
    for key, value in principal.derived_context:
        if key not in context:
            context[key] = [value]
    return context


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class _Evaluation:
    """State for one request: the parsed request plus what the layers found."""

    __slots__ = (
        "action",
        "context",
        "has_boundary",
        "missing",
        "pattern_mode",
        "principal",
        "resource",
    )

    def __init__(self, request: Request, principal: Principal, catalog: Catalog) -> None:
        self.action = request.action.lower()
        self.principal = principal
        self.context = _context(request, principal)
        self.missing: dict[str, None] = {}
        self.has_boundary = False
        resource = request.resource
        # A wildcard-only action is matched against the literal "*"; any other request resource
        # with wildcards names a set of resources.
        pattern_mode = "*" in resource or "?" in resource
        if pattern_mode:
            wildcard_only = request.wildcard_only
            if wildcard_only is None and resource == "*":
                info = catalog.action(request.action)
                wildcard_only = info is not None and not info.resource_types
            pattern_mode = not wildcard_only
        self.resource = resource
        self.pattern_mode = pattern_mode

    def scan(self, layer: CompiledLayer | None, principal_mode: int) -> _LayerResult:
        if layer is None:
            return _NOTHING
        candidates = layer.candidates(self.action)
        if not candidates:
            return _NOTHING
        result = _LayerResult()
        context = self.context
        resource = self.resource
        pattern_mode = self.pattern_mode
        resource_policy = principal_mode == PRINCIPAL_REQUIRED
        for statement in candidates:
            grant = (
                DIRECT
                if principal_mode == PRINCIPAL_IGNORED
                else statement.principal_grant(self.principal, principal_mode)
            )
            if grant is None:
                # A Deny with NotPrincipal always applies to users and roles that have a
                # permission boundary, whatever NotPrincipal lists (IAM User Guide, NotPrincipal).
                if not (
                    self.has_boundary
                    and not statement.allow
                    and statement.statement.not_principals is not None
                ):
                    continue
                grant = DIRECT
            if (
                not statement.resource_all or statement.resource_negated
            ) and not statement.resource_matches(resource, pattern_mode, context, resource_policy):
                continue
            if statement.conditions or statement.variables:
                for key in statement.missing_keys(context):
                    self.missing[key] = None
                holds = True
                for test in statement.conditions:
                    if not test.evaluate(context):
                        holds = False
                        break
                if not holds:
                    continue
            if statement.allow:
                result.allows.append((statement, grant))
            else:
                result.denies.append(statement)
        return result


def _ref(layer: str, statement: CompiledStatement) -> StatementRef:
    cached = statement.refs.get(layer)
    if cached is None:
        cached = StatementRef(
            layer=layer,
            policy=statement.policy_label,
            statement=statement.label,
            effect="Allow" if statement.allow else "Deny",
            pointer=statement.statement.pointer,
        )
        statement.refs[layer] = cached
    return cached


@lru_cache(maxsize=65536)
def _resource_account(resource: str) -> str | None:
    parts = split_arn(resource)
    # "aws" (AWS managed policies) or an empty account is not a real owner account.
    if parts is not None and ACCOUNT_ID.match(parts[4]):
        return parts[4]
    return None


def _accounts(request: Request, principal: Principal) -> tuple[str | None, str | None]:
    principal_account = request.principal_account or principal.account
    resource_account = request.resource_account or _resource_account(request.resource)
    if resource_account is None:
        resource_account = principal_account
    return principal_account, resource_account


def evaluate(request: Request, policy_set: PolicySet, catalog: Catalog | None = None) -> Decision:
    """Decide one request against a policy set: Allowed, ImplicitlyDenied or ExplicitlyDenied."""
    principal = parse_principal(request.principal_arn, request.principal_role_arn)
    decision = _evaluate(request, policy_set, catalog or load_catalog(), principal)
    if principal.role_path_assumed:
        decision.assumptions.append(
            f"aws:PrincipalArn is taken as {principal.role_arn}: the session ARN does not show "
            "the role's path"
        )
    return decision


def _evaluate(
    request: Request, policy_set: PolicySet, catalog: Catalog, principal: Principal
) -> Decision:
    compiled = policy_set._compiled or policy_set.compiled()
    state = _Evaluation(request, principal, catalog)

    if principal.is_iam_entity and is_always_allowed(state.action):
        return Decision(ALLOWED, [], [], [], request)

    kind = principal.kind
    is_service = kind == "service"
    is_anonymous = kind == "anonymous"
    identity_applies = not is_service and not is_anonymous
    scp_applies = bool(compiled.scps) and identity_applies and not principal.is_service_linked_role
    boundary_applies = compiled.boundary is not None and kind in ("user", "role", "session")
    state.has_boundary = boundary_applies

    scan = state.scan
    scp_levels = [scan(level, PRINCIPAL_IGNORED) for level in compiled.scps] if scp_applies else []
    rcp_levels = (
        [scan(level, PRINCIPAL_DEFAULT_ALL) for level in compiled.rcps]
        if compiled.rcps and not is_service
        else []
    )
    endpoint = scan(compiled.endpoint, PRINCIPAL_DEFAULT_ALL)
    resource = scan(compiled.resource, PRINCIPAL_REQUIRED)
    identity = scan(compiled.identity, PRINCIPAL_IGNORED) if identity_applies else _NOTHING
    boundary = scan(compiled.boundary, PRINCIPAL_IGNORED) if boundary_applies else None
    session = (
        scan(compiled.session, PRINCIPAL_IGNORED)
        if compiled.session is not None and identity_applies
        else None
    )

    matched: list[StatementRef] = []
    explicit: set[str] = set()
    layers: list[tuple[str, _LayerResult]] = [
        (ENDPOINT, endpoint),
        (RESOURCE, resource),
        (IDENTITY, identity),
    ]
    if boundary is not None:
        layers.append((BOUNDARY, boundary))
    if session is not None:
        layers.append((SESSION, session))
    for level in scp_levels:
        layers.append((SCP, level))
    for level in rcp_levels:
        layers.append((RCP, level))
    for name, result in layers:
        if result.denies:
            explicit.add(name)
            matched.extend(_ref(name, statement) for statement in result.denies)

    scp_allowed = all(level.allows for level in scp_levels)
    endpoint_allowed = compiled.endpoint is None or bool(endpoint.allows)
    boundary_allowed = boundary is None or bool(boundary.allows)
    session_allowed = session is None or bool(session.allows)
    missing = list(state.missing)

    blocked: set[str] = set()
    if not scp_allowed:
        blocked.add(SCP)
    if not endpoint_allowed:
        blocked.add(ENDPOINT)
    if explicit:
        if not boundary_allowed:
            blocked.add(BOUNDARY)
        return Decision(EXPLICITLY_DENIED, _ordered(blocked | explicit), matched, missing, request)

    grant = resource.strongest_grant()
    identity_side = bool(identity.allows) or kind == "root"
    used: list[tuple[str, _LayerResult]] = []

    if is_anonymous or is_service:
        core_allowed = grant == DIRECT
        used.append((RESOURCE, resource))
        if not core_allowed:
            blocked.add(RESOURCE)
    else:
        principal_account, resource_account = _accounts(request, principal)
        same_account = principal_account is None or principal_account == resource_account
        if same_account and (grant == DIRECT or grant == "role"):
            # The resource policy names the principal: it grants on its own, limited by the
            # boundary unless it names the user or the session itself, and by a session policy
            # unless it names the session.
            boundary_ok = boundary_allowed or grant == DIRECT
            session_ok = session_allowed or (grant == DIRECT and kind == "session")
            if boundary_ok and session_ok:
                core_allowed = True
                used.append((RESOURCE, resource))
            else:
                # The identity route may still work, within its own boundary and session limits.
                core_allowed = identity_side and boundary_allowed and session_allowed
                if core_allowed:
                    used += [(IDENTITY, identity), (RESOURCE, resource)]
                else:
                    if not boundary_ok:
                        blocked.add(BOUNDARY)
                    if not session_ok:
                        blocked.add(SESSION)
        else:
            identity_ok = identity_side and boundary_allowed and session_allowed
            resource_ok = True
            if not same_account or resource_policy_required(state.action, request.resource):
                resource_ok = grant is not None
            core_allowed = identity_ok and resource_ok
            if core_allowed:
                used.append((IDENTITY, identity))
                if grant is not None:
                    used.append((RESOURCE, resource))
            else:
                if not identity_side:
                    blocked.add(IDENTITY)
                if not boundary_allowed:
                    blocked.add(BOUNDARY)
                if not session_allowed:
                    blocked.add(SESSION)
                if not resource_ok:
                    blocked.add(RESOURCE)

    for name, result in used:
        matched.extend(_ref(name, statement) for statement, _ in result.allows)
    if core_allowed and not blocked:
        if blocked_as_aws_owned(state.action, request.resource, catalog):
            return Decision(IMPLICITLY_DENIED, [AWS_OWNED], matched, missing, request)
        if boundary is not None:
            matched.extend(_ref(BOUNDARY, s) for s, _ in boundary.allows)
        if session is not None:
            matched.extend(_ref(SESSION, s) for s, _ in session.allows)
        for level in scp_levels:
            matched.extend(_ref(SCP, s) for s, _ in level.allows)
        return Decision(ALLOWED, [], matched, missing, request)
    return Decision(IMPLICITLY_DENIED, _ordered(blocked), matched, missing, request)


def _ordered(layers: set[str]) -> list[str]:
    return [layer for layer in LAYER_ORDER if layer in layers]
