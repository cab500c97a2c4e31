"""Privilege escalation: ways a principal reachable from a pipeline can come to act as a more
privileged role.

Each technique is a known one (Rhino Security Labs' IAM escalation list, PMapper's edge
checkers): pass a role to a service and make that service run code (CodeBuild, ECS, Lambda,
CloudFormation, CodePipeline), start a build of an existing project that already runs as the
role (a buildspec override runs any commands), or assume the role. Every step is an IAM
decision with the statements that allow it. Escalations chain: a gained role is searched again.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pipedoctor.iam import Decision, Request, evaluate, load_catalog

if TYPE_CHECKING:
    from pipedoctor.graph.build import PermissionGraph

MAX_PER_TECHNIQUE = 5
WORKLOAD_RELATIONS = frozenset({"contains", "runs_as", "invokes", "deploys", "runs", "assumes"})


@dataclass(frozen=True)
class Technique:
    name: str
    service: str  # the service principal the role is passed to
    # every inner tuple must have at least one allowed action
    needs: tuple[tuple[str, ...], ...]
    summary: str


TECHNIQUES = (
    Technique(
        "codebuild-create-project",
        "codebuild.amazonaws.com",
        (("codebuild:CreateProject",), ("codebuild:StartBuild", "codebuild:StartBuildBatch")),
        "create a CodeBuild project that runs as the role, then start it",
    ),
    Technique(
        "codebuild-update-project",
        "codebuild.amazonaws.com",
        (("codebuild:UpdateProject",), ("codebuild:StartBuild", "codebuild:StartBuildBatch")),
        "switch a CodeBuild project to the role, then start it",
    ),
    Technique(
        "ecs-run-task",
        "ecs-tasks.amazonaws.com",
        (
            ("ecs:RegisterTaskDefinition",),
            ("ecs:RunTask", "ecs:StartTask", "ecs:CreateService", "ecs:UpdateService"),
        ),
        "register a task definition with the role as task role, then run it",
    ),
    Technique(
        "codepipeline-update",
        "codepipeline.amazonaws.com",
        (
            ("codepipeline:CreatePipeline", "codepipeline:UpdatePipeline"),
            ("codepipeline:StartPipelineExecution",),
        ),
        "point a pipeline at the role, then run it",
    ),
    Technique(
        "lambda-create-function",
        "lambda.amazonaws.com",
        (("lambda:CreateFunction",), ("lambda:InvokeFunction", "lambda:CreateEventSourceMapping")),
        "create a Lambda function with the role, then invoke it",
    ),
    Technique(
        "cloudformation-create-stack",
        "cloudformation.amazonaws.com",
        (("cloudformation:CreateStack", "cloudformation:UpdateStack"),),
        "create a CloudFormation stack that runs as the role",
    ),
)


@dataclass
class Step:
    action: str
    resource: str
    statements: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"action": self.action, "resource": self.resource, "statements": self.statements}


@dataclass
class Escalation:
    principal: str  # who escalates
    gains: str  # the role it can act as
    technique: str
    summary: str
    chain: list[str]  # from a pipeline (or the chosen start) to the principal
    steps: list[Step]
    gained: int  # capabilities (see `_Search.capabilities`) the role has and the principal lacks

    def to_dict(self) -> dict[str, Any]:
        return {
            "principal": self.principal,
            "gains": self.gains,
            "technique": self.technique,
            "summary": self.summary,
            "chain": self.chain,
            "steps": [step.to_dict() for step in self.steps],
            "gained": self.gained,
        }


def _pattern(action: str, account: str, partition: str) -> str:
    """The broadest resource ARN the action takes in the account (`*` when it takes none)."""
    formats = load_catalog().resource_arn_formats(action)
    if not formats:
        return "*"
    arn = formats[0].replace("${Partition}", partition).replace("${Account}", account)
    while "${" in arn:
        start = arn.index("${")
        arn = arn[:start] + "*" + arn[arn.index("}", start) + 1 :]
    return arn


class _Search:
    def __init__(self, pg: PermissionGraph) -> None:
        self.pg = pg
        self.graph = pg.graph
        self._actions: dict[str, set[str]] = {}

    def capabilities(self, node: str) -> set[str]:
        """What a principal can do, to compare two principals: the actions of its `can` edges,
        the roles it may pass or assume, and the escalation actions it may call somewhere."""
        cached = self._actions.get(node)
        if cached is None:
            cached = set()
            for _, target, data in self.graph.out_edges(node, data=True):
                relation = data.get("relation")
                if relation == "can":
                    cached.update(data["actions"])
                elif relation in ("passes_role", "assumes"):
                    cached.add(f"{relation}:{data.get('service', '')}:{target}")
            if node in self.pg.inventory.principals:
                for technique in TECHNIQUES:
                    for options in technique.needs:
                        cached.update(a for a in options if self._any_of(node, (a,)) is not None)
            self._actions[node] = cached
        return cached

    def _decide(self, principal: str, action: str, resource: str) -> Decision | None:
        entry = self.pg.inventory.principals.get(principal)
        if entry is None:
            return None
        decision = evaluate(Request(action, resource, principal), self.pg.decider.policy_set(entry))
        return decision if decision.allowed else None

    def _step(self, principal: str, action: str, resource: str) -> Step | None:
        decision = self._decide(principal, action, resource)
        if decision is None:
            return None
        conditions = self.pg.decider.conditions
        statements = [
            {**ref.to_dict(), "conditions": conditions.conditions(ref)} for ref in decision.matched
        ]
        return Step(action, resource, statements)

    def _any_of(
        self, principal: str, actions: tuple[str, ...], resource: str | None = None
    ) -> Step | None:
        """The first of the actions the principal may call, on `resource` or anywhere in its account."""
        account, partition = principal.split(":")[4], principal.split(":")[1]
        for action in actions:
            step = self._step(principal, action, resource or _pattern(action, account, partition))
            if step is not None:
                return step
        return None

    def passable(self, principal: str) -> dict[str, list[tuple[str, dict[str, Any]]]]:
        """Service principal -> roles the principal may pass to it, with the edge data."""
        found: dict[str, list[tuple[str, dict[str, Any]]]] = {}
        for _, target, data in self.graph.out_edges(principal, data=True):
            if data.get("relation") != "passes_role":
                continue
            if target.startswith("set:"):
                skipped = set(data.get("except", ()))
                members = [
                    m for _, m, k in self.graph.out_edges(target, keys=True) if k == "contains"
                ]
                roles = [m for m in members if m not in skipped]
            else:
                roles = [target]
            found.setdefault(data["service"], []).extend((role, data) for role in roles)
        return found

    def escalations_of(self, principal: str, chain: list[str]) -> list[Escalation]:
        if principal not in self.pg.inventory.principals:
            return []
        mine = self.capabilities(principal)
        found: list[Escalation] = []

        def gain(role: str, technique: str, summary: str, steps: list[Step]) -> None:
            if role == principal or role in chain:
                return
            # Reaching a role one already is gains nothing.
            theirs = {c for c in self.capabilities(role) if not c.endswith(f":{principal}")}
            extra = len(theirs - mine)
            if extra:
                found.append(Escalation(principal, role, technique, summary, chain, steps, extra))

        for _, role, data in self.graph.out_edges(principal, data=True):
            if data.get("relation") == "assumes":
                step = Step(data["actions"][0], role, data.get("statements", []))
                condition = (
                    " (if the trust policy's conditions hold)" if data.get("conditional") else ""
                )
                gain(role, "assume-role", f"assume the role{condition}", [step])
        for project, data in self._startable_projects(principal):
            role = next(
                (r for _, r, key in self.graph.out_edges(project, keys=True) if key == "runs_as"),
                None,
            )
            if role:
                start = Step("codebuild:StartBuild", project, data.get("statements", []))
                name = self.pg.graph.nodes[project].get("label", project)
                summary = f"start a build of {name} with a buildspec override"
                gain(role, "codebuild-start-build", summary, [start])
        passable = self.passable(principal)
        for technique in TECHNIQUES:
            roles = passable.get(technique.service)
            if not roles:
                continue
            steps = []
            for options in technique.needs:
                step = self._any_of(principal, options)
                if step is None:
                    break
                steps.append(step)
            else:
                for role, data in roles:
                    pass_step = Step("iam:PassRole", role, data.get("statements", []))
                    gain(role, technique.name, technique.summary, [pass_step, *steps])
        return _strongest(found)

    def _startable_projects(self, principal: str) -> list[tuple[str, dict[str, Any]]]:
        """Projects the principal's `can` edges allow codebuild:StartBuild on."""
        found = []
        for _, target, data in self.graph.out_edges(principal, data=True):
            if data.get("relation") != "can" or "codebuild:StartBuild" not in data["actions"]:
                continue
            if target.startswith("set:"):
                skipped = set(data.get("except", ()))
                found += [
                    (member, data)
                    for _, member, key in self.graph.out_edges(target, keys=True)
                    if key == "contains" and member not in skipped
                ]
            elif self.graph.nodes[target].get("kind") == "codebuild-project":
                found.append((target, data))
        return found

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
            if node in self.pg.inventory.principals:
                chains.setdefault(node, chain)
            for _, target, data in self.graph.out_edges(node, data=True):
                if data.get("relation") in WORKLOAD_RELATIONS and target not in seen:
                    seen.add(target)
                    queue.append((target, [*chain, target]))
        return chains


def _strongest(found: list[Escalation]) -> list[Escalation]:
    """Per technique, the MAX_PER_TECHNIQUE roles that gain the most; the count of the rest is
    added to the summary (a principal allowed iam:PassRole on * can pass every role)."""
    by_technique: dict[str, list[Escalation]] = {}
    for escalation in found:
        by_technique.setdefault(escalation.technique, []).append(escalation)
    kept = []
    for escalations in by_technique.values():
        escalations.sort(key=lambda e: (-e.gained, e.gains))
        rest = len(escalations) - MAX_PER_TECHNIQUE
        for escalation in escalations[:MAX_PER_TECHNIQUE]:
            if rest > 0:
                escalation.summary += f" (and {rest} less privileged role(s) the same way)"
            kept.append(escalation)
    return kept


def find_escalations(
    pg: PermissionGraph, start: str | None = None, max_depth: int = 4
) -> list[Escalation]:
    """Escalations from `start`, else from every principal a pipeline reaches (else from all)."""
    search = _Search(pg)
    if start is not None:
        frontier = {start: [start]}
    else:
        frontier = search.starts() or {arn: [arn] for arn in pg.inventory.principals}
    found: list[Escalation] = []
    reached = set(frontier)
    for _ in range(max_depth):
        gained: dict[str, list[str]] = {}
        for principal, chain in sorted(frontier.items()):
            for escalation in search.escalations_of(principal, chain):
                found.append(escalation)
                if escalation.gains not in reached:
                    reached.add(escalation.gains)
                    gained[escalation.gains] = [*chain, escalation.gains]
        if not gained:
            break
        frontier = gained
    return found
