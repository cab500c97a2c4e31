"""Policies of CI roles judged by what they allow, whatever their name or where they are written.

Each Allow statement of every identity policy (inline, customer managed, AWS managed) of a build,
pipeline or action role is asked, with the IAM engine, whether it grants a probe request: an
escalation to administrator (any action, IAM policy writes, PassRole or AssumeRole on any role), or
a service's write actions on any of its resources. A statement that grants a probe is a finding
only when the role's whole policy set (Deny statements, permissions boundary) still allows it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

from pipedoctor.diagnose.evidence import role_decision, role_policy_set
from pipedoctor.diagnose.hit import Hit
from pipedoctor.graph.techniques import load_techniques
from pipedoctor.knowledge.arns import arn_account
from pipedoctor.model import Role, Snapshot
from pipedoctor.model.findings import TextEdit
from pipedoctor.sources.definitions import UNKNOWN_ACCOUNT, UNKNOWN_REGION, Defined
from pipedoctor.sources.policy_edits import managed_replacement_edits, with_references
from pipedoctor.sources.repository_model import repository_model

PROBE_NAME = "pipedoctor-probe"
# Escalation techniques a role can use with one IAM call on a resource nobody named.
_ONE_CALL_TARGETS = {"own-policies": "policy", "self": "role", "roles": "role"}
# How a finding words what an escalation on *any* resource gives (the table's summaries speak of
# one target); the order they are listed in. Which escalations exist is the table's to say.
_WORDING = {
    "iam:PutRolePolicy": "write itself any inline policy",
    "iam:AttachRolePolicy": "attach any managed policy to a role",
    "iam:CreatePolicyVersion": "rewrite any customer managed policy",
    "iam:UpdateAssumeRolePolicy": "make any role trust it",
    "iam:PassRole": "pass any role to a service it can start",
    "sts:AssumeRole": "assume any role that trusts the account",
}


@dataclass(frozen=True)
class Grant:
    """One Allow statement of one identity policy of a role, and where it is written."""

    role: Role
    label: str  # "inline:NAME" or the managed policy ARN
    index: int
    statement: dict[str, Any]

    @property
    def policy_name(self) -> str:
        return self.label.removeprefix("inline:").rsplit("/", 1)[-1]

    def document(self) -> dict[str, Any]:
        return {"Version": "2012-10-17", "Statement": [self.statement]}


def replacement_for(snapshot: Snapshot, role: Role, service: str) -> Any:
    # Least privilege is loaded only when a CI role grants too much.
    from pipedoctor.diagnose.scoped_replacement import replacement_for as scoped

    return scoped(snapshot, role, service)


def ci_roles(snapshot: Snapshot) -> Iterator[tuple[Role, str]]:
    """(role, what uses it) for every build, pipeline and pipeline-action role, once each."""
    seen: set[str] = set()
    users: list[tuple[str, str]] = [(p.service_role, f"CodeBuild project {p.name}") for p in snapshot.projects]
    for pipeline in snapshot.pipelines:
        users.append((pipeline.role_arn, f"pipeline {pipeline.name}"))
        for stage, action in pipeline.actions():
            if action.role_arn:
                users.append((action.role_arn, f"action {pipeline.name}/{stage.name}/{action.name}"))
    for arn, user in users:
        role = snapshot.role(arn) if arn else None
        if role is not None and role.arn not in seen:
            seen.add(role.arn)
            yield role, user


def grants(role: Role) -> Iterator[Grant]:
    for label, document in role.identity_documents():
        statements = document.get("Statement", []) if isinstance(document, dict) else []
        for index, statement in enumerate([statements] if isinstance(statements, dict) else statements):
            if isinstance(statement, dict) and statement.get("Effect") == "Allow":
                yield Grant(role, label, index, statement)


def _account(role: Role) -> str:
    account = arn_account(role.arn)
    return account if account.isdigit() else UNKNOWN_ACCOUNT


def probe_resource(action: str, account: str) -> str:
    """An ARN of a resource nobody named, in the format the catalog gives for `action`."""
    from pipedoctor.iam import load_catalog

    values = {"Partition": "aws", "Region": UNKNOWN_REGION, "Account": account}
    return load_catalog().example_arn(action, values, fill=PROBE_NAME)


def _probe_trust(action: str, resource: str, account: str) -> dict[str, Any] | None:
    """AssumeRole also needs the target's trust policy, and a KMS key its key policy: the probe
    role and key trust the account (as the default key policy does), so the decision is the
    caller's own policies' (a resource trusting its account delegates to them)."""
    from pipedoctor.iam.service_rules import resource_policy_required

    if not resource_policy_required(action.lower(), resource):
        return None
    principal = {"AWS": f"arn:aws:iam::{account}:root"}
    return {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": principal, "Action": action}]}


def _allows(role: Role, policies: Any, action: str, resource: str, context: dict[str, str]) -> bool:
    from pipedoctor.iam import Request, evaluate

    account = _account(role)
    request = Request(
        action=action, resource=resource, principal_arn=role.arn,
        principal_account=account, resource_account=account, context=context,
    )
    return evaluate(request, policies).allowed


def _statement_allows(grant: Grant, action: str, resource: str, context: dict[str, str] | None = None) -> bool:
    from pipedoctor.iam import PolicySet

    trust = _probe_trust(action, resource, _account(grant.role))
    policies = PolicySet(identity=[grant.document()], resource_policy=trust)
    return _allows(grant.role, policies, action, resource, context or {})


def _role_allows(role: Role, action: str, resource: str, context: dict[str, str] | None = None) -> bool:
    if not context:
        trust = _probe_trust(action, resource, _account(role))
        return role_decision(role, action, resource, resource_policy=trust, identity_side_only=True).allowed
    return _allows(role, role_policy_set(role), action, resource, context)


def _pass_targets() -> list[str]:
    """The services that run code as a role passed to them: the escalation table's (one place)."""
    return sorted({technique.pass_to for technique in load_techniques() if technique.pass_to})


@cache
def escalation_probes() -> tuple[tuple[str, str, str], ...]:
    """(action, resource kind, what it gives) that make a role administrator-equivalent, read from
    the escalation table: the one-call IAM techniques open to a role, PassRole when a technique
    passes roles to a service, AssumeRole when one assumes roles."""
    probes = []
    for technique in load_techniques():
        actions = technique.actions
        if (
            technique.target in _ONE_CALL_TARGETS
            and technique.principal in ("any", "role")
            and not technique.requires
            and len(technique.steps) == 1
            and len(actions) == 1
        ):
            probes.append((actions[0], _ONE_CALL_TARGETS[technique.target], technique.summary))
    if any(technique.target == "passed-roles" for technique in load_techniques()):
        probes.append(("iam:PassRole", "role", ""))
    if any(technique.target == "assumable-roles" for technique in load_techniques()):
        probes.append(("sts:AssumeRole", "role", ""))
    order = list(_WORDING)
    probes.sort(key=lambda probe: order.index(probe[0]) if probe[0] in order else len(order))
    return tuple((action, kind, _WORDING.get(action, summary)) for action, kind, summary in probes)


def escalations(grant: Grant) -> list[tuple[str, str]]:
    """(action, what it gives) for each escalation this statement grants and the role keeps."""
    account = _account(grant.role)
    found = []
    for action, kind, gives in escalation_probes():
        resource = f"arn:aws:iam::{account}:{kind}/{PROBE_NAME}"
        if _statement_allows(grant, action, resource) and _role_allows(grant.role, action, resource):
            found.append((action, gives))
        elif action == "iam:PassRole":
            # PassRole is often granted only toward some services (iam:PassedToService): any role
            # passed to one that runs code as it is still an escalation.
            for service in _pass_targets():
                context = {"iam:PassedToService": service}
                if _statement_allows(grant, action, resource, context) and _role_allows(grant.role, action, resource, context):
                    found.append((action, f"pass any role to {service}, which runs code as that role"))
                    break
    return found


def _wildcard_services(statement: dict[str, Any]) -> list[str]:
    patterns = _action_patterns(statement)
    return sorted({p.split(":", 1)[0].lower() for p in patterns if re.fullmatch(r"[A-Za-z0-9-]+:\*", p)})


@cache
def write_probe(service: str) -> str | None:
    """A write action of `service` that acts on a resource (the catalog's first, for stability)."""
    from pipedoctor.iam import load_catalog

    catalog = load_catalog()
    for action in sorted(catalog.actions_for_service(service)):
        if catalog.access_level(action) == "Write" and catalog.supports_resource_level(action):
            return action
    return None


def service_wildcards(grant: Grant) -> list[tuple[str, str]]:
    """(service, probe action) for each `service:*` this statement grants on resources nobody named."""
    account = _account(grant.role)
    found = []
    for service in _wildcard_services(grant.statement):
        if service in ("iam", "sts"):
            continue  # judged as escalations
        probe = write_probe(service)
        if probe is None:
            continue
        resource = probe_resource(probe, account)
        if _statement_allows(grant, probe, resource) and _role_allows(grant.role, probe, resource):
            found.append((service, probe))
    return found


def _known_resources_reached(snapshot: Snapshot, role: Role, service: str, needed: list[str]) -> list[str]:
    """Evidence: the known resources of `service` the role may write to although it needs none of them."""
    if service != "ecr":
        return []
    reached = sorted(
        repository.name
        for repository in snapshot.ecr_repositories
        if repository.arn not in needed and _role_allows(role, "ecr:PutImage", repository.arn)
    )
    if not reached:
        return []
    return [f"IAM: {role.name} is allowed ecr:PutImage on {len(reached)} repositories it does not push to: {', '.join(reached)}"]


def _action_patterns(statement: dict[str, Any]) -> list[str]:
    actions = statement.get("Action", [])
    return [actions] if isinstance(actions, str) else [a for a in actions if isinstance(a, str)]


def writes_on_any_resource(grant: Grant, skip_services: set[str]) -> dict[str, list[str]]:
    """service -> the write actions this statement grants, and the role keeps, on a resource the
    pipeline never names (actions that only take `*` are left out: there is nothing to scope)."""
    from pipedoctor.iam import load_catalog

    catalog = load_catalog()
    account = _account(grant.role)
    found: dict[str, list[str]] = {}
    for pattern in _action_patterns(grant.statement):
        if pattern.strip() in ("*", "*:*"):
            continue  # everything: an escalation, reported as such
        for action in catalog.expand(pattern):
            service = action.split(":", 1)[0].lower()
            if service in skip_services or service in ("iam", "sts") or action in found.get(service, []):
                continue
            if catalog.access_level(action) != "Write" or not catalog.supports_resource_level(action):
                continue
            resource = probe_resource(action, account)
            if _statement_allows(grant, action, resource) and _role_allows(grant.role, action, resource):
                found.setdefault(service, []).append(action)
    return found


def grant_location(snapshot: Snapshot, grant: Grant) -> tuple[str, Defined[Role] | None]:
    """`path:line` of the statement (or its policy) when a repository file defines the role."""
    # Several files may define a role of that name: the one the snapshot took it from.
    candidates = repository_model(snapshot).role_candidates(grant.role.arn)
    defined = next((d for d in candidates if d.item is grant.role), candidates[0] if candidates else None)
    if defined is None:
        return f"role {grant.role.name}", None
    key = f"policy:{grant.policy_name}" if grant.label.startswith("inline:") else f"managed:{grant.label}"
    statement = f"{key}:statement:{grant.index}"
    known = statement in defined.lines or statement in defined.elsewhere
    return defined.at(statement if known else key), defined


def _policy_words(grant: Grant) -> str:
    from pipedoctor.iam.managed_policies import is_aws_managed

    if grant.label.startswith("inline:"):
        return f"inline policy {grant.policy_name}"
    if is_aws_managed(grant.label):
        return f"AWS managed policy {grant.policy_name}"
    return f"managed policy {grant.policy_name}"


def _facts(grant: Grant, user: str) -> dict[str, Any]:
    """The grant's role, who uses it, its policy and statement."""
    return {
        "role.name": grant.role.name,
        "role.arn": grant.role.arn,
        "role.user": user,
        "policy.name": grant.policy_name,
        "policy.label": grant.label,
        "statement.index": grant.index,
    }


def _replacement_edits(
    snapshot: Snapshot, grant: Grant, defined: Defined[Role] | None, service: str, statements: list[dict[str, Any]]
) -> tuple[list[TextEdit], str]:
    """The edits that swap a whole-service managed policy for the scoped one, and why there are
    none: only a policy attached by ARN in a repository file, only when the exact comparison
    proves the role is then allowed nothing it is not allowed today."""
    from pipedoctor.diagnose.scoped_replacement import replacement_counterexample

    key = f"managed:{grant.label}"
    if defined is None or grant.label.startswith("inline:") or key not in defined.lines or not statements:
        return [], ""
    if (request := replacement_counterexample(grant.role, grant.label, statements)) is not None:
        return [], f"--fix does not write the replacement: the role would newly be allowed {request}"
    model = repository_model(snapshot).definitions
    written = with_references(statements, defined, [*model.repositories, *model.connections, *model.roles])
    if written is None:
        return [], "--fix does not write the replacement: a resource it names has no ARN known here"
    text = snapshot.repo_text(defined.path)
    return managed_replacement_edits(defined, text, defined.lines[key], grant.label, written, f"{service}-scoped"), ""


def admin_equivalent_grant(snapshot: Snapshot, params: dict[str, Any]) -> Iterator[Hit]:
    """Statements that let a CI role do anything or give itself anything."""
    for role, user in ci_roles(snapshot):
        for grant in grants(role):
            found = escalations(grant)
            if not found:
                continue
            location, _ = grant_location(snapshot, grant)
            facts = _facts(grant, user)
            facts["escalation.actions"] = ", ".join(action for action, _ in found)
            facts["escalation.gives"] = "; ".join(gives for _, gives in found)
            yield Hit(
                facts=facts,
                location=location,
                resource=f"{role.arn}#{grant.label}#{grant.index}",
                evidence=[
                    f"{_policy_words(grant)}, statement {grant.index + 1}, is attached to {role.arn} ({user})",
                    *(f"IAM: {role.name} is allowed {action} on any resource: it can {gives}" for action, gives in found),
                ],
            )


def service_wildcard_grant(snapshot: Snapshot, params: dict[str, Any]) -> Iterator[Hit]:
    """Statements that grant a whole service (`ecr:*`, `s3:*` ...) on every resource of it."""
    for role, user in ci_roles(snapshot):
        for grant in grants(role):
            for service, probe in service_wildcards(grant):
                location, defined = grant_location(snapshot, grant)
                facts = _facts(grant, user)
                facts["service"] = service
                replacement = replacement_for(snapshot, role, service)
                reached = _known_resources_reached(snapshot, role, service, replacement.resources)
                edits, note = _replacement_edits(snapshot, grant, defined, service, replacement.statements)
                facts["replacement.statements"] = replacement.statements
                facts["replacement.summary"] = replacement.summary
                yield Hit(
                    facts=facts,
                    location=location,
                    resource=f"{role.arn}#{grant.label}#{grant.index}#{service}",
                    evidence=[
                        f"{_policy_words(grant)}, statement {grant.index + 1}, is attached to {role.arn} ({user})",
                        (
                            f"IAM: {role.name} is allowed {probe} on {probe_resource(probe, _account(role))}, "
                            f"a resource the pipeline never names: {service}:* reaches every {service} resource"
                        ),
                        *reached,
                        *([note] if note else []),
                    ],
                    edits=edits,
                )


def _some(names: list[str], shown: int = 5) -> str:
    rest = len(names) - shown
    return ", ".join(names[:shown]) + (f" and {rest} more" if rest > 0 else "")


def write_beyond_use_grant(snapshot: Snapshot, params: dict[str, Any]) -> Iterator[Hit]:
    """Statements that let a CI role write to resources of a service that the pipeline never names
    (`s3:PutObject` on `*`), beyond the whole-service grants reported on their own."""
    for role, user in ci_roles(snapshot):
        from pipedoctor.leastpriv.config_needs import required_needs  # only when a CI role exists

        # what the configuration itself needs on `*` (ecs:RegisterTaskDefinition for an ECS
        # deploy): the scoped replacement keeps it on `*`, so there is nothing to ask for
        needed_anywhere = {n.action for n in required_needs(snapshot, role.arn) if n.resource == "*"}
        for grant in grants(role):
            if escalations(grant):
                continue
            writes = writes_on_any_resource(grant, set(_wildcard_services(grant.statement)))
            for service, all_actions in sorted(writes.items()):
                actions = [action for action in all_actions if action not in needed_anywhere]
                if not actions:
                    continue
                location, _ = grant_location(snapshot, grant)
                replacement = replacement_for(snapshot, role, service)
                facts = _facts(grant, user)
                facts.update({
                    "service": service,
                    "write.actions": _some(sorted(actions)),
                    "write.count": len(actions),
                    "replacement.statements": replacement.statements,
                    "replacement.summary": replacement.summary,
                })
                yield Hit(
                    facts=facts,
                    location=location,
                    resource=f"{role.arn}#{grant.label}#{grant.index}#{service}-writes",
                    evidence=[
                        f"{_policy_words(grant)}, statement {grant.index + 1}, is attached to {role.arn} ({user})",
                        (
                            f"IAM: {role.name} is allowed {min(actions)} on "
                            f"{probe_resource(min(actions), _account(role))}, a resource the pipeline never names"
                        ),
                    ],
                )
