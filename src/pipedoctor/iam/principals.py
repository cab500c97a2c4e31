"""Who is asking: parsing the request principal and matching it against Principal elements."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from pipedoctor.knowledge.arns import arn_account, arn_partition, split_arn

ACCOUNT_ID = re.compile(r"^\d{12}$")

# How a resource-policy statement named the principal; it decides whether a permission boundary
# or session policy still limits the grant (IAM User Guide, policy evaluation logic).
DIRECT = "direct"  # the user ARN, the session ARN, "*", or a NotPrincipal exclusion
VIA_ROLE = "role"  # the role ARN, for the role itself or one of its sessions
VIA_ACCOUNT = "account"  # the account (root ARN or account id): delegates to identity policies


@dataclass(frozen=True, slots=True)
class Principal:
    kind: str  # user | role | session | root | service | federated | anonymous | unknown
    arn: str | None
    account: str | None
    name: str | None = None  # user / role name, or the service / provider identifier
    # sessions: the role's ARN, with its path when the caller knew it (see `role_path_assumed`)
    role_arn: str | None = None
    is_iam_entity: bool = False  # user, role, session or root
    is_service_linked_role: bool = False
    # Context keys AWS always sets from the authenticated principal: ((lower-case key, value), ...)
    derived_context: tuple[tuple[str, str], ...] = ()
    role_path_assumed: bool = (
        False  # sessions: the role's path was not given, `role_arn` guesses it
    )

    def __post_init__(self) -> None:
        object.__setattr__(self, "is_iam_entity", self.kind in ("user", "role", "session", "root"))
        linked = (
            self.kind in ("role", "session")
            and self.arn is not None
            and (
                "/aws-service-role/" in self.arn
                or bool(self.name and self.name.startswith("AWSServiceRoleFor"))
            )
        )
        object.__setattr__(self, "is_service_linked_role", linked)
        if self.is_iam_entity:
            derived = {
                "aws:principalarn": self.role_arn if self.kind == "session" else self.arn,
                "aws:principalaccount": self.account,
                "aws:username": self.name if self.kind == "user" else None,
            }
            pairs = tuple((key, value) for key, value in derived.items() if value)
            object.__setattr__(self, "derived_context", pairs)


ANONYMOUS = Principal("anonymous", None, None)


# IAM Identity Center creates its roles (AWSReservedSSO_<permission set>_<id>) under this path
# (IAM Identity Center User Guide, "Service-linked roles and permission sets").
SSO_ROLE_PREFIX = "AWSReservedSSO_"
SSO_ROLE_PATH = "/aws-reserved/sso.amazonaws.com/"


def _session_role_arn(
    partition: str, account: str, role_name: str, known: str | None
) -> str | None:
    """The known role ARN when it is this session's role (same account and name), else None."""
    if not known:
        return None
    parts = split_arn(known)
    same = (
        parts is not None
        and parts[1] == partition
        and parts[4] == account
        and parts[5].startswith("role/")
        and parts[5].rsplit("/", 1)[-1] == role_name
    )
    return known if same else None


def role_of_session(session_arn: str, role_arns: Iterable[str]) -> str | None:
    """Among known role ARNs (with their paths), the one a session ARN belongs to."""
    principal = parse_principal(session_arn)
    if principal.kind != "session" or principal.account is None or principal.name is None:
        return None
    partition = arn_partition(session_arn)
    for arn in role_arns:
        if _session_role_arn(partition, principal.account, principal.name, arn):
            return arn
    return None


# Sized above the principals of a large organisation's account (tens of thousands of roles and
# users): evicting an entry means parsing its ARN again on every request that names it.
@lru_cache(maxsize=65536)
def parse_principal(value: str | None, role_arn: str | None = None) -> Principal:
    """A principal from an ARN, a service name (`lambda.amazonaws.com`) or None (anonymous).

    For a session (`arn:aws:sts::ACCOUNT:assumed-role/NAME/SESSION`) `role_arn` gives its role's
    ARN with the path, which the session ARN hides; without it the path is assumed: the IAM
    Identity Center path for `AWSReservedSSO_` roles, `/` otherwise (`role_path_assumed`)."""
    if value is None or value == "" or value.lower() == "anonymous":
        return ANONYMOUS
    if not value.startswith("arn:"):
        if ACCOUNT_ID.match(value):
            return Principal("root", f"arn:aws:iam::{value}:root", value)
        if value.endswith((".amazonaws.com", ".amazonaws.com.cn")):
            return Principal("service", value, None, value)
        return Principal("federated", value, None, value)
    parts = split_arn(value)
    if parts is None:
        return Principal("unknown", value, None)
    _, partition, service, _, account, resource = parts
    if service == "iam":
        if resource == "root":
            return Principal("root", value, account)
        kind, _, rest = resource.partition("/")
        name = rest.rsplit("/", 1)[-1] if rest else None
        if kind == "user":
            return Principal("user", value, account, name)
        if kind == "role":
            return Principal("role", value, account, name, value)
        if kind == "saml-provider" or kind == "oidc-provider":
            return Principal("federated", value, account, value)
        return Principal("unknown", value, account, name)
    if service == "sts":
        kind, _, rest = resource.partition("/")
        if kind == "assumed-role":
            role_name = rest.split("/", 1)[0]
            known = _session_role_arn(partition, account, role_name, role_arn)
            if known is not None:
                return Principal("session", value, account, role_name, known)
            path = SSO_ROLE_PATH if role_name.startswith(SSO_ROLE_PREFIX) else "/"
            guessed = f"arn:{partition}:iam::{account}:role{path}{role_name}"
            return Principal("session", value, account, role_name, guessed, role_path_assumed=True)
        if kind == "federated-user":
            return Principal("session", value, account, rest)
    return Principal("unknown", value, account)


def _role_matches(policy_arn: str, principal: Principal) -> bool:
    """A role ARN in a policy names the role (any path) when account and name agree."""
    if principal.role_arn is None or principal.account is None:
        return False
    parts = split_arn(policy_arn)
    if parts is None or parts[2] != "iam" or not parts[5].startswith("role/"):
        return False
    return parts[4] == principal.account and parts[5].rsplit("/", 1)[-1] == principal.name


def _aws_value_grant(value: str, principal: Principal) -> str | None:
    if value == "*":
        return DIRECT
    if not principal.is_iam_entity:
        return None
    if ACCOUNT_ID.match(value) or (value.startswith("arn:") and value.endswith(":root")):
        account = value if ACCOUNT_ID.match(value) else arn_account(value)
        if account != principal.account:
            return None
        return DIRECT if principal.kind == "root" else VIA_ACCOUNT
    if value == principal.arn:
        return VIA_ROLE if principal.kind == "role" else DIRECT
    if principal.kind == "session" and _role_matches(value, principal):
        return VIA_ROLE
    return None


_STRENGTH = {DIRECT: 3, VIA_ROLE: 2, VIA_ACCOUNT: 1}


def principal_grant(block: dict[str, tuple[str, ...]], principal: Principal) -> str | None:
    """How a Principal element names this principal (strongest way), or None."""
    best: str | None = None
    for kind, values in block.items():
        for value in values:
            grant: str | None = None
            if kind == "*" or (kind == "AWS" and value == "*"):
                grant = DIRECT
            elif kind == "AWS":
                grant = _aws_value_grant(value, principal)
            elif kind == "Service" and principal.kind == "service":
                grant = DIRECT if value.lower() == (principal.name or "").lower() else None
            elif kind == "Federated" and principal.kind == "federated":
                grant = DIRECT if value == principal.name else None
            if grant is not None and (best is None or _STRENGTH[grant] > _STRENGTH[best]):
                best = grant
    return best


def not_principal_excludes(block: dict[str, tuple[str, ...]], principal: Principal) -> bool:
    """NotPrincipal: is the principal one of those listed (so the statement does not apply)?

    A role ARN does not cover the role's sessions here: AWS asks for the session ARN to be
    listed as well.
    """
    for kind, values in block.items():
        for value in values:
            if kind == "*" or value == "*":
                return True
            if kind == "AWS":
                if value == principal.arn:
                    return True
                # The account ARN excludes the account itself, not every identity in it.
                if principal.kind == "root" and value == principal.account:
                    return True
            elif kind == "Service" and principal.kind == "service":
                if value.lower() == (principal.name or "").lower():
                    return True
            elif kind == "Federated" and value == principal.name:
                return True
    return False
