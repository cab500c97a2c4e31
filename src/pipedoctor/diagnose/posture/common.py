"""What the configuration checks share: buildspecs with the project that runs them, the variables
a build sees, and whether a role's own policies allow an action."""

from __future__ import annotations

import re
from collections.abc import Iterator

from pipedoctor.diagnose.evidence import role_decision
from pipedoctor.knowledge.shell import runs_docker, with_assignments
from pipedoctor.model import Role
from pipedoctor.sources.buildspec import BuildspecFacts, Command
from pipedoctor.sources.repository_model import LinkedProject, RepositoryModel

RUNS_SCRIPT = re.compile(
    r"(?:^|[\s;&|])(?:\S+\.sh\b|make\b|bash\s+\S|sh\s+\S|\./\S|npm\s+run|python\s+\S+\.py)"
)


# A one-line buildspec command: `- docker push ...` (not a `- |` block).
LIST_ITEM = re.compile(r"^(?P<indent>\s*)- (?P<command>[^|>].*)$")


def usable_buildspec(linked: LinkedProject) -> BuildspecFacts | None:
    facts = linked.buildspec
    return facts if facts is not None and facts.error is None else None


def all_buildspecs(model: RepositoryModel) -> Iterator[tuple[BuildspecFacts, LinkedProject | None]]:
    """Every buildspec once: repository files (with the first project that runs it) and inline."""
    runners: dict[str, LinkedProject] = {}
    for linked in model.projects:
        if linked.buildspec_file:
            runners.setdefault(linked.buildspec_file, linked)
        elif linked.buildspec is not None:
            yield linked.buildspec, linked
    for path, facts in model.buildspec_files.items():
        yield facts, runners.get(path)


def docker_commands(facts: BuildspecFacts) -> list[Command]:
    return [command for command in facts.commands if runs_docker(command.text)]



def role_allows(role: Role, actions: list[str], resource: str) -> bool:
    # Template roles have a placeholder account: judge what their own policies allow.
    return any(
        role_decision(role, action, resource, identity_side_only=True).allowed for action in actions
    )



def buildspec_env(facts: BuildspecFacts, linked: LinkedProject | None) -> dict[str, str]:
    env: dict[str, str] = {}
    if linked is not None:
        env.update(
            {v.name: v.value for v in linked.project.environment.variables if v.type == "PLAINTEXT"}
        )
    return with_assignments([command.text for command in facts.commands], env)
