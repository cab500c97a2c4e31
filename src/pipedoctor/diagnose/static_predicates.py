"""Posture predicates over the linked repository model: configuration in templates, Terraform,
pipeline JSON and buildspecs that will make a pipeline fail, each pointing at a file and line."""

from __future__ import annotations

import fnmatch
import json
import re
from collections.abc import Iterator
from typing import Any

from pipedoctor.diagnose.evidence import role_decision
from pipedoctor.diagnose.hit import Hit
from pipedoctor.knowledge.arns import arn_partition, arn_service
from pipedoctor.knowledge.connections import (
    USE_CONNECTION_ACTIONS,
    is_connection_arn,
    other_prefix_arn,
)
from pipedoctor.knowledge.images import (
    ecr_registry,
    is_curated_codebuild_image,
    mentions_ecr_registry,
    names_no_registry,
)
from pipedoctor.knowledge.shell import (
    assigned_variables,
    is_opaque,
    logs_in,
    push_targets,
    resolve_variables,
    runs_docker,
    starts_dockerd,
    used_variables,
    with_assignments,
)
from pipedoctor.model import Pipeline, Role, Snapshot
from pipedoctor.model.findings import TextEdit
from pipedoctor.sources.buildspec import BuildspecFacts, Command
from pipedoctor.sources.codebuild_images import unsupported_runtime
from pipedoctor.sources.definitions import UNKNOWN_ACCOUNT, UNKNOWN_REGION, Defined, is_unresolved
from pipedoctor.sources.policy_edits import statement_edit
from pipedoctor.sources.repository_model import LinkedProject, RepositoryModel, repository_model

RESERVED_PREFIX = "CODEBUILD_"
# Set by CodeBuild, the shell, or the curated images (CodeBuild user guide, "Environment variables
# in build environments").
BUILTIN_VARIABLES = {
    "AWS_DEFAULT_REGION",
    "AWS_REGION",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_EXECUTION_ENV",
    "HOME",
    "PATH",
    "PWD",
    "OLDPWD",
    "USER",
    "SHELL",
    "HOSTNAME",
    "LANG",
    "TERM",
    "IFS",
    "UID",
    "EUID",
    "PPID",
    "RANDOM",
    "SECONDS",
    "LINENO",
    "OSTYPE",
    "TMPDIR",
    "CI",
    "DEBIAN_FRONTEND",
    "BASH_SOURCE",
}
# The retired aws/codebuild/docker:* images ran with Docker support without PrivilegedMode (the
# reference templates that used them, e.g. ecs-refarch-continuous-deployment, never set it).
LEGACY_DOCKER_IMAGES = ("aws/codebuild/docker:",)
_IMAGE_PROVIDED = re.compile(
    r"^[A-Z0-9_]*_(?:HOME|VERSION|ROOT|PATH)$|^GO(?:PATH|ROOT|PROXY|FLAGS)$"
)
_RUNS_SCRIPT = re.compile(
    r"(?:^|[\s;&|])(?:\S+\.sh\b|make\b|bash\s+\S|sh\s+\S|\./\S|npm\s+run|python\s+\S+\.py)"
)
_PIPELINE_VARIABLE = re.compile(r"#\{([A-Za-z0-9@\-_]+)\.([A-Za-z0-9@\-_]+)\}")
_DEPLOY_IMAGE_FILES = {"imagedefinitions.json", "imagedetail.json"}
# A one-line buildspec command: `- docker push ...` (not a `- |` block).
_LIST_ITEM = re.compile(r"^(?P<indent>\s*)- (?P<command>[^|>].*)$")


def _model(snapshot: Snapshot) -> RepositoryModel:
    return repository_model(snapshot)


def _usable(linked: LinkedProject) -> BuildspecFacts | None:
    facts = linked.buildspec
    return facts if facts is not None and facts.error is None else None


def _buildspecs(model: RepositoryModel) -> Iterator[tuple[BuildspecFacts, LinkedProject | None]]:
    """Every buildspec once: repository files (with the first project that runs it) and inline."""
    runners: dict[str, LinkedProject] = {}
    for linked in model.projects:
        if linked.buildspec_file:
            runners.setdefault(linked.buildspec_file, linked)
        elif linked.buildspec is not None:
            yield linked.buildspec, linked
    for path, facts in model.buildspec_files.items():
        yield facts, runners.get(path)


def _docker_commands(facts: BuildspecFacts) -> list[Command]:
    return [command for command in facts.commands if runs_docker(command.text)]


# -- privileged mode and dockerd -------------------------------------------------------------


def docker_without_privileged_mode(snapshot: Snapshot, params: dict[str, Any]) -> Iterator[Hit]:
    """A project whose buildspec runs docker while its privileged mode is off."""
    for linked in _model(snapshot).projects:
        facts, defined = _usable(linked), linked.defined
        project = defined.item
        if (
            facts is None
            or project.environment.privileged_mode
            or "privileged_mode" in defined.unknown
        ):
            continue
        if "LAMBDA" in project.environment.type or "WINDOWS" in project.environment.type:
            continue  # no Docker daemon there in any mode: a different problem
        if project.environment.image.startswith(LEGACY_DOCKER_IMAGES):
            continue
        docker = _docker_commands(facts)
        if not docker:
            continue
        first = docker[0]
        yield Hit(
            facts={
                "project.name": project.name,
                "file": defined.path,
                "line": defined.line("privileged_mode"),
                "docker.command": first.text.strip(),
                "docker.location": f"{facts.path}:{first.line}",
            },
            location=defined.at("privileged_mode"),
            resource=project.arn,
            evidence=[
                f"{facts.path}:{first.line}: `{first.text.strip()}` needs a Docker daemon",
                f"{defined.at('privileged_mode')}: {project.name} does not turn privileged mode on",
            ],
        )


def _privileged_projects(snapshot: Snapshot) -> Iterator[tuple[LinkedProject, BuildspecFacts]]:
    """Projects with privileged mode on whose buildspec is known."""
    for linked in _model(snapshot).projects:
        facts = _usable(linked)
        if facts is not None and linked.project.environment.privileged_mode and "privileged_mode" not in linked.defined.unknown:
            yield linked, facts


def privileged_mode_needed(snapshot: Snapshot, params: dict[str, Any]) -> Iterator[Hit]:
    """Privileged mode that the buildspec's docker commands need: said where security linters
    (checkov CKV_AWS_316) report privileged mode, so the suppression has its reason."""
    for linked, facts in _privileged_projects(snapshot):
        docker = _docker_commands(facts)
        if not docker:
            continue
        defined, first = linked.defined, docker[0]
        yield Hit(
            facts={
                "project.name": linked.project.name,
                "file": defined.path,
                "line": defined.line("privileged_mode"),
                "docker.command": first.text.strip(),
                "docker.location": f"{facts.path}:{first.line}",
            },
            location=defined.at("privileged_mode"),
            resource=f"{linked.project.arn}#privileged",
            evidence=[f"{facts.path}:{first.line}: `{first.text.strip()}` needs the Docker daemon privileged mode starts"],
        )


def privileged_mode_unneeded(snapshot: Snapshot, params: dict[str, Any]) -> Iterator[Hit]:
    """Privileged mode on a project whose buildspec runs no docker (and no script that might)."""
    for linked, facts in _privileged_projects(snapshot):
        if _docker_commands(facts) or any(_RUNS_SCRIPT.search(c.text) or is_opaque(c.text) for c in facts.commands):
            continue
        if not facts.commands:
            continue  # nothing to judge by
        defined = linked.defined
        yield Hit(
            facts={
                "project.name": linked.project.name,
                "file": defined.path,
                "line": defined.line("privileged_mode"),
                "buildspec": facts.path,
                "commands": len(facts.commands),
            },
            location=defined.at("privileged_mode"),
            resource=f"{linked.project.arn}#privileged",
            evidence=[
                f"{defined.at('privileged_mode')}: {linked.project.name} turns privileged mode on",
                f"{facts.path}: none of its {len(facts.commands)} commands runs docker or a script",
            ],
        )


def custom_image_without_dockerd(snapshot: Snapshot, params: dict[str, Any]) -> Iterator[Hit]:
    """Privileged project on a custom image whose buildspec runs docker but never starts dockerd."""
    for linked in _model(snapshot).projects:
        facts, defined = _usable(linked), linked.defined
        project = defined.item
        image = project.environment.image
        if (
            facts is None
            or not image
            or "image" in defined.unknown
            or is_curated_codebuild_image(image)
        ):
            continue
        if not project.environment.privileged_mode or any(
            starts_dockerd(c.text) for c in facts.commands
        ):
            continue
        docker = _docker_commands(facts)
        if not docker or any(
            _RUNS_SCRIPT.search(c.text) for c in facts.commands if c.line <= docker[0].line
        ):
            continue  # a script run before the first docker call may start dockerd
        yield Hit(
            facts={
                "project.name": project.name,
                "image": image,
                "file": defined.path,
                "line": defined.line("image"),
                "docker.location": f"{facts.path}:{docker[0].line}",
            },
            location=defined.at("image"),
            resource=project.arn,
            evidence=[
                f"{defined.at('image')}: {project.name} builds on the custom image {image}",
                f"{facts.path}:{docker[0].line}: `{docker[0].text.strip()}` runs with no `dockerd` started before it",
            ],
        )


# -- environment variables -------------------------------------------------------------------


def _action_variables(configuration: dict[str, str]) -> list[dict[str, Any]] | None:
    """A CodeBuild action's EnvironmentVariables; None when it cannot be read."""
    raw = configuration.get("EnvironmentVariables")
    if not raw:
        return []
    try:
        value = json.loads(raw)
    except ValueError:
        return None
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else None


def reserved_env_var_prefix(snapshot: Snapshot, params: dict[str, Any]) -> Iterator[Hit]:
    """Custom environment variables named CODEBUILD_... (projects, buildspecs, pipeline actions)."""
    model = _model(snapshot)

    def hit(name: str, where: str, resource: str, owner: str) -> Hit:
        path, _, line = where.rpartition(":")
        return Hit(
            facts={"variable": name, "file": path, "line": int(line), "owner": owner},
            location=where,
            resource=f"{resource}#{name}",
            evidence=[f"{where}: {owner} defines {name}, and the CODEBUILD_ prefix is reserved"],
        )

    for linked in model.projects:
        for variable in linked.project.environment.variables:
            if variable.name.upper().startswith(RESERVED_PREFIX):
                yield hit(
                    variable.name,
                    linked.defined.at(f"env:{variable.name}"),
                    linked.project.arn,
                    f"project {linked.project.name}",
                )
    for facts, _ in _buildspecs(model):
        if facts.error is None:
            for name, line in facts.env_variables.items():
                if name.upper().startswith(RESERVED_PREFIX):
                    yield hit(name, f"{facts.path}:{line}", facts.path, "the buildspec")
    for pipeline in model.definitions.pipelines:
        for stage, action in pipeline.item.actions():
            for variable in _action_variables(action.configuration) or []:
                name = str(variable.get("name", ""))
                if name.upper().startswith(RESERVED_PREFIX):
                    where = pipeline.at(f"config:{stage.name}/{action.name}:EnvironmentVariables")
                    yield hit(name, where, pipeline.item.arn, f"action {stage.name}/{action.name}")


def _defined_names(linked: LinkedProject, facts: BuildspecFacts) -> set[str] | None:
    """Variables a build of the project has; None when that cannot be known."""
    defined = linked.defined
    if "environment" in defined.unknown or any(is_opaque(c.text) for c in facts.commands):
        return None
    names = {v.name for v in defined.item.environment.variables}
    names |= set(facts.env_variables) | set(facts.exported_variables)
    for command in facts.commands:
        names |= assigned_variables(command.text)
    if defined.item.source.type == "CODEPIPELINE":
        if not linked.actions:
            return None  # the pipeline that runs it may pass variables
        for ref in linked.actions:
            if "stages" in ref.pipeline.unknown:
                return None
            variables = _action_variables(ref.action.configuration)
            if variables is None:
                return None
            names |= {str(v.get("name", "")) for v in variables}
    return names


def undefined_build_variable(snapshot: Snapshot, params: dict[str, Any]) -> Iterator[Hit]:
    """Variables a buildspec expands that neither the project, the pipeline action, the buildspec
    nor CodeBuild defines (the image URI then ends up as `:latest` or `/repo`)."""
    for linked in _model(snapshot).projects:
        facts = _usable(linked)
        if facts is None:
            continue
        known = _defined_names(linked, facts)
        if known is None:
            continue
        reported: set[str] = set()
        for command in facts.commands:
            for name, has_default in used_variables(command.text):
                if has_default or name in known or name in reported or not name.isupper():
                    continue
                if (
                    name in BUILTIN_VARIABLES
                    or name.startswith(RESERVED_PREFIX)
                    or _IMAGE_PROVIDED.match(name)
                ):
                    continue
                reported.add(name)
                yield Hit(
                    facts={
                        "variable": name,
                        "project.name": linked.project.name,
                        "file": facts.path,
                        "line": command.line,
                        "command": command.text.strip(),
                    },
                    location=f"{facts.path}:{command.line}",
                    resource=f"{linked.project.arn}#{name}",
                    evidence=[
                        f"{facts.path}:{command.line}: `{command.text.strip()}` expands ${name}",
                        (
                            f"{linked.defined.at('environment')}: {linked.project.name} does not "
                            f"define {name}, nor do its pipeline actions or the buildspec"
                        ),
                    ],
                )


# -- source variables -------------------------------------------------------------------------


def _tag_triggered(pipeline: Pipeline, source_action: str) -> bool:
    return any(t.on_push_tags and t.source_action in ("", source_action) for t in pipeline.triggers)


def _tag_fallback(snapshot: Snapshot, pipeline: Defined[Pipeline], action: Any, reference: str) -> list[TextEdit] | None:
    """The edit that gives the buildspec variable fed by `reference` a fallback (the commit's
    short id) as its first command; [] when it cannot be placed, None when one is already there."""
    variables = _action_variables(action.configuration) or []
    names = [str(v.get("name")) for v in variables if reference in str(v.get("value", ""))]
    linked = _model(snapshot).project(action.configuration.get("ProjectName", ""), pipeline.path)
    facts = _usable(linked) if linked is not None and names else None
    if facts is None or not facts.commands:
        return []
    name = names[0]
    if any(f"${{{name}:-" in c.text or f"${{{name}:=" in c.text for c in facts.commands):
        return None
    first = min(facts.commands, key=lambda c: c.line)
    text = snapshot.repo_text(facts.path)
    lines = text.splitlines()
    item = _LIST_ITEM.match(lines[first.line - 1]) if 0 < first.line <= len(lines) else None
    if item is None:
        return []
    old = f"- {item['command']}"
    fallback = f'- {name}="${{{name}:-$(echo $CODEBUILD_RESOLVED_SOURCE_VERSION | cut -c 1-7)}}"'
    return [TextEdit(facts.path, first.line, old, f"{fallback}\n{item['indent']}{old}", len(item["indent"]) + 1)]


def tag_variable_without_tag_trigger(snapshot: Snapshot, params: dict[str, Any]) -> Iterator[Hit]:
    """`#{<source namespace>.TagName}` in a pipeline that no tag push starts: always empty."""
    variables = set(params.get("variables", ["TagName"]))
    for pipeline in _model(snapshot).definitions.pipelines:
        namespaces = {
            a.namespace: a.name
            for _, a in pipeline.item.actions()
            if a.category == "Source" and a.namespace
        }
        for stage, action in pipeline.item.actions():
            for key, value in action.configuration.items():
                for namespace, variable in _PIPELINE_VARIABLE.findall(value):
                    if namespace not in namespaces or variable not in variables:
                        continue
                    if _tag_triggered(pipeline.item, namespaces[namespace]):
                        continue
                    reference = f"#{{{namespace}.{variable}}}"
                    fallback = _tag_fallback(snapshot, pipeline, action, reference)
                    if fallback is None:
                        continue  # the buildspec already falls back when the tag is empty
                    where = pipeline.at(f"config:{stage.name}/{action.name}:{key}")
                    yield Hit(
                        facts={
                            "pipeline.name": pipeline.item.name,
                            "reference": f"#{{{namespace}.{variable}}}",
                            "action": f"{stage.name}/{action.name}",
                            "file": pipeline.path,
                            "line": pipeline.line(f"config:{stage.name}/{action.name}:{key}"),
                        },
                        location=where,
                        resource=f"{pipeline.item.arn}#{stage.name}/{action.name}/{key}",
                        evidence=[
                            f"{where}: {stage.name}/{action.name} reads #{{{namespace}.{variable}}}",
                            f"{pipeline.at()}: no trigger of {pipeline.item.name} starts it on a tag push",
                        ],
                        edits=fallback,
                    )


# -- IAM on the build role ----------------------------------------------------------------------


def _statement_actions(statement: dict[str, Any]) -> list[str]:
    actions = statement.get("Action", [])
    return (
        [actions]
        if isinstance(actions, str)
        else [a for a in actions if isinstance(a, str)]
        if isinstance(actions, list)
        else []
    )


def _unknown_documents(role: Role) -> list[str]:
    """Attached policies whose document is known neither from the files nor offline."""
    return [policy.arn for policy in role.attached_policies if not policy.document]


def _undetermined(defined: Defined[Role], actions: list[str]) -> bool:
    """Policies the reader could not resolve may grant `actions`: no conclusion then. (Attached
    policies with no known document are left to the caller, which says so in the finding.)"""
    # Imported here: a repository without roles never loads the IAM package.
    from pipedoctor.iam.matching import glob_to_regex

    role = defined.item
    if "policies" in defined.unknown:
        return True
    for _, document in role.identity_documents():
        statements = document.get("Statement", [])
        for statement in [statements] if isinstance(statements, dict) else statements:
            if not isinstance(statement, dict) or statement.get("Effect") != "Allow":
                continue
            matches = any(
                re.fullmatch(glob_to_regex(pattern.lower()), action.lower())
                for pattern in _statement_actions(statement)
                for action in actions
            )
            if matches and (
                is_unresolved(statement.get("Resource"))
                or "Condition" in statement
                or "NotAction" in statement
            ):
                return True
            if (
                matches
                and isinstance(statement.get("Resource"), list)
                and any(is_unresolved(r) for r in statement["Resource"])
            ):
                return True
    return False


def _allowed(role: Role, actions: list[str], resource: str) -> bool:
    # Template roles have a placeholder account: judge what their own policies allow.
    return any(
        role_decision(role, action, resource, identity_side_only=True).allowed for action in actions
    )


def full_clone_missing_permission(snapshot: Snapshot, params: dict[str, Any]) -> Iterator[Hit]:
    """A source action with OutputArtifactFormat CODEBUILD_CLONE_REF whose artifact a CodeBuild
    project clones, while the project's role is not allowed `params.actions` on the source."""
    model = _model(snapshot)
    provider, actions = params["provider"], list(params["actions"])
    for pipeline in model.definitions.pipelines:
        for stage, source in pipeline.item.actions():
            if (
                source.provider != provider
                or source.configuration.get("OutputArtifactFormat") != "CODEBUILD_CLONE_REF"
            ):
                continue
            if provider == "CodeCommit":
                name = source.configuration.get("RepositoryName", "")
                resource = f"arn:aws:codecommit:{UNKNOWN_REGION}:{UNKNOWN_ACCOUNT}:{name}"
            else:
                resource = source.configuration.get("ConnectionArn", "")
            if not resource or is_unresolved(resource):
                continue
            key = f"config:{stage.name}/{source.name}:OutputArtifactFormat"
            for _, build in pipeline.item.actions():
                if build.provider != "CodeBuild" or not set(build.input_artifacts) & set(
                    source.output_artifacts
                ):
                    continue
                linked = model.project(build.configuration.get("ProjectName", ""), pipeline.path)
                if linked is None or linked.role is None or _undetermined(linked.role, actions):
                    continue
                role = linked.role.item
                if _allowed(role, actions, resource):
                    continue
                unknown = _unknown_documents(role)
                grant = {"Effect": "Allow", "Action": actions, "Resource": resource}
                role_file = snapshot.repo_text(linked.role.path)
                edit = statement_edit(linked.role, role_file, grant, "use-source-connection") if role_file else None
                yield Hit(
                    edits=[edit] if edit else [],
                    unverified=[
                        f"{arn} is attached to {role.name} but its document is not known offline: "
                        f"if it allows {' or '.join(actions)} on {resource}, the clone works"
                        for arn in unknown
                    ],
                    facts={
                        "role.name": role.name,
                        "role.arn": role.arn,
                        "project.name": linked.project.name,
                        "source.resource": resource,
                        "source.action": f"{stage.name}/{source.name}",
                        "file": pipeline.path,
                        "line": pipeline.line(key),
                        "permission": " or ".join(actions),
                    },
                    location=pipeline.at(key),
                    resource=f"{role.arn}#{resource}",
                    evidence=[
                        f"{pipeline.at(key)}: {stage.name}/{source.name} hands CodeBuild a full clone (CODEBUILD_CLONE_REF)",
                        f"IAM: {role.name} ({linked.role.at()}) is not allowed {' or '.join(actions)} on {resource}",
                    ],
                )


def _arn_prefix(arn: str) -> str:
    return f"arn:{arn_partition(arn)}:{arn_service(arn)}:"


def _prefix_edits(snapshot: Snapshot, defined: Defined[Role], arn: str, other: str) -> list[TextEdit]:
    """The edit that writes the connection's own service prefix where the role's file grants the
    other one: the one line naming `other` (or, failing that, the other prefix), else none."""
    text = snapshot.repo_text(defined.path)
    lines = text.splitlines()
    for old, new in ((other, arn), (_arn_prefix(other), _arn_prefix(arn))):
        found = [number for number, line in enumerate(lines, 1) if old in line]
        if len(found) == 1:
            line = found[0]
            return [TextEdit(defined.path, line, old, new, lines[line - 1].index(old) + 1)]
        if found:
            return []  # several places grant it: which one is meant is not for a fix to guess
    return []


def connection_prefix_mismatch(snapshot: Snapshot, params: dict[str, Any]) -> Iterator[Hit]:
    """A role allowed UseConnection on the connection's ARN under the other service prefix only."""
    model = _model(snapshot)
    actions = list(USE_CONNECTION_ACTIONS)
    for pipeline in model.definitions.pipelines:
        for stage, source in pipeline.item.actions():
            arn = source.configuration.get("ConnectionArn", "")
            other = other_prefix_arn(arn)
            if not is_connection_arn(arn) or is_unresolved(arn) or other is None:
                continue
            roles = [model.role(pipeline.item.role_arn, pipeline.path)]
            roles += [model.role(source.role_arn, pipeline.path)] if source.role_arn else []
            for _, build in pipeline.item.actions():
                if build.provider == "CodeBuild" and (
                    linked := model.project(
                        build.configuration.get("ProjectName", ""), pipeline.path
                    )
                ):
                    roles.append(linked.role)
            seen: set[str] = set()
            for defined in roles:
                if defined is None or defined.item.arn in seen:
                    continue
                seen.add(defined.item.arn)
                role = defined.item
                if _allowed(role, actions, arn) or not _allowed(role, actions, other):
                    continue
                yield Hit(
                    facts={
                        "role.name": role.name,
                        "connection.arn": arn,
                        "policy.arn_prefix": arn_service(other),
                        "connection.prefix": arn_service(arn),
                        "file": defined.path,
                        "line": defined.line(),
                    },
                    location=defined.at(),
                    resource=f"{role.arn}#{arn}",
                    evidence=[
                        f"{pipeline.at(f'config:{stage.name}/{source.name}:ConnectionArn')}: the connection is {arn}",
                        f"IAM: {role.name} may use {other} but not {arn}",
                    ],
                    edits=_prefix_edits(snapshot, defined, arn, other),
                )


# -- ECR pushes -------------------------------------------------------------------------------


def _variables(facts: BuildspecFacts, linked: LinkedProject | None) -> dict[str, str]:
    env: dict[str, str] = {}
    if linked is not None:
        env.update(
            {v.name: v.value for v in linked.project.environment.variables if v.type == "PLAINTEXT"}
        )
    return with_assignments([command.text for command in facts.commands], env)


def _looks_like_ecr(target: str, resolved: str) -> bool:
    return mentions_ecr_registry(resolved) or bool(
        re.search(r"\$\{?\w*(?:ECR|REPOSITORY_URI|REPO_URI)", target, re.IGNORECASE)
    )


def _login_command(target: str) -> str:
    """The ECR login for the registry `target` is pushed to (its host, or the shell that gets it)."""
    host = target.split("/", 1)[0]
    registry = host if ecr_registry(host) else f'$(echo "{target}" | cut -d/ -f1)'
    return f"aws ecr get-login-password --region $AWS_DEFAULT_REGION | docker login --username AWS --password-stdin {registry}"


def _login_before(snapshot: Snapshot, path: str, line: int, login: str) -> list[TextEdit]:
    """The edit that adds `login` as the list item before the push on `line`."""
    lines = snapshot.repo_text(path).splitlines()
    item = _LIST_ITEM.match(lines[line - 1]) if 0 < line <= len(lines) else None
    if item is None:
        return []
    old = f"- {item['command']}"
    return [TextEdit(path, line, old, f"- {login}\n{item['indent']}{old}", len(item["indent"]) + 1)]


def ecr_push_without_login(snapshot: Snapshot, params: dict[str, Any]) -> Iterator[Hit]:
    """A buildspec that pushes to ECR and never logs in to a registry."""
    for facts, linked in _buildspecs(_model(snapshot)):
        if facts.error is not None or any(
            logs_in(c.text) or _RUNS_SCRIPT.search(c.text) for c in facts.commands
        ):
            continue
        env = _variables(facts, linked)
        for command in facts.commands:
            pushed = [t for t in push_targets(command.text) if _looks_like_ecr(t, resolve_variables(t, env))]
            if pushed:
                resolved = resolve_variables(pushed[0], env)
                login = _login_command(resolved if ecr_registry(resolved.split("/", 1)[0]) else pushed[0])
                yield Hit(
                    facts={"file": facts.path, "line": command.line, "image": pushed[0], "login.command": login},
                    location=f"{facts.path}:{command.line}",
                    resource=f"{facts.path}#push",
                    evidence=[
                        f"{facts.path}:{command.line}: `{command.text.strip()}` pushes to ECR",
                        "no command of the buildspec logs Docker in (docker login / aws ecr get-login-password)",
                    ],
                    edits=_login_before(snapshot, facts.path, command.line, login),
                )
                break


def image_without_registry(snapshot: Snapshot, params: dict[str, Any]) -> Iterator[Hit]:
    """An image meant for ECR written without its registry, so Docker Hub is used: a task
    definition image named like an ECR repository of the same repository, or a `docker push` of
    a bare name in a buildspec that only logs in to ECR."""
    model = _model(snapshot)
    repositories = {d.item.name for d in model.definitions.repositories}
    for defined in model.definitions.task_definitions:
        for container in defined.item.containers:
            name = container.image.split(":", 1)[0].split("@", 1)[0]
            if name in repositories and names_no_registry(container.image):
                key = f"image:{container.name}"
                yield Hit(
                    facts={
                        "image": container.image,
                        "container": container.name,
                        "repository": name,
                        "file": defined.path,
                        "line": defined.line(key),
                    },
                    location=defined.at(key),
                    resource=f"{defined.item.arn}#{container.name}",
                    evidence=[
                        f"{defined.at(key)}: image {container.image} has no registry, so it is pulled from Docker Hub",
                        f"the repository defines an ECR repository named {name}",
                    ],
                )
    for facts, linked in _buildspecs(model):
        if facts.error is not None:
            continue
        logins = [c.text for c in facts.commands if logs_in(c.text)]
        if not logins or not all("ecr" in text for text in logins):
            continue  # a Docker Hub login means pushing there may be intended
        env = _variables(facts, linked)
        for command in facts.commands:
            for target in push_targets(command.text):
                resolved = resolve_variables(target, env)
                if "$" not in resolved and names_no_registry(resolved):
                    yield Hit(
                        facts={
                            "image": resolved,
                            "container": "",
                            "repository": resolved.split(":", 1)[0],
                            "file": facts.path,
                            "line": command.line,
                        },
                        location=f"{facts.path}:{command.line}",
                        resource=f"{facts.path}#{resolved}",
                        evidence=[
                            f"{facts.path}:{command.line}: `{command.text.strip()}` pushes {resolved}, which names no registry",
                            "the buildspec logs in to ECR only",
                        ],
                    )


_REPOSITORY_NAME_FLAG = re.compile(r"--repository-name[=\s]+(\S+)")


def repository_uri_as_name(snapshot: Snapshot, params: dict[str, Any]) -> Iterator[Hit]:
    """A repository *name* (`--repository-name`, IMAGE_REPO_NAME, RepositoryName) holding a URI."""
    model = _model(snapshot)
    for facts, linked in _buildspecs(model):
        if facts.error is not None:
            continue
        env = _variables(facts, linked)
        for command in facts.commands:
            for written in _REPOSITORY_NAME_FLAG.findall(command.text):
                value = resolve_variables(written.strip("\"'"), env)
                if mentions_ecr_registry(value) or ".amazonaws.com/" in value:
                    yield Hit(
                        facts={"value": value, "file": facts.path, "line": command.line},
                        location=f"{facts.path}:{command.line}",
                        resource=f"{facts.path}#{written}",
                        evidence=[
                            f"{facts.path}:{command.line}: --repository-name {written} is {value}, a URI"
                        ],
                    )
    for linked in model.projects:
        for variable in linked.project.environment.variables:
            name = variable.name.upper()
            if ("REPO" in name and "NAME" in name) and (
                mentions_ecr_registry(variable.value) or ".amazonaws.com/" in variable.value
            ):
                where = linked.defined.at(f"env:{variable.name}")
                yield Hit(
                    facts={
                        "value": variable.value,
                        "file": linked.defined.path,
                        "line": linked.defined.line(f"env:{variable.name}"),
                    },
                    location=where,
                    resource=f"{linked.project.arn}#{variable.name}",
                    evidence=[
                        f"{where}: {variable.name} = {variable.value} is a repository URI, not a name"
                    ],
                )
    for defined in model.definitions.repositories:
        if "/" in defined.item.name and (
            ".amazonaws.com" in defined.item.name or mentions_ecr_registry(defined.item.name)
        ):
            yield Hit(
                facts={"value": defined.item.name, "file": defined.path, "line": defined.line()},
                location=defined.at(),
                resource=defined.item.arn,
                evidence=[f"{defined.at()}: the repository name {defined.item.name} is a URI"],
            )


# -- deploy inputs ----------------------------------------------------------------------------


def _required_files(provider: str, configuration: dict[str, str]) -> list[tuple[str, str]]:
    """(artifact name or "" for the first input, file) a deploy action reads."""
    if provider == "ECS":
        return [("", configuration.get("FileName") or "imagedefinitions.json")]
    if provider == "CodeDeployToECS":
        needs = []
        if configuration.get("Image1ArtifactName"):
            needs.append((configuration["Image1ArtifactName"], "imageDetail.json"))
        if configuration.get("TaskDefinitionTemplateArtifact"):
            needs.append(
                (
                    configuration["TaskDefinitionTemplateArtifact"],
                    configuration.get("TaskDefinitionTemplatePath") or "taskdef.json",
                )
            )
        if configuration.get("AppSpecTemplateArtifact"):
            needs.append(
                (
                    configuration["AppSpecTemplateArtifact"],
                    configuration.get("AppSpecTemplatePath") or "appspec.yaml",
                )
            )
        return needs
    return []


def _covers(patterns: list[str], required: str) -> bool:
    """Whether artifacts.files ships `required`, written at the top of the source folder (where
    the build's commands write it unless they change folder)."""
    for pattern in patterns:
        pattern = pattern.strip().removeprefix("./")
        if "$" in pattern:
            return True  # resolved at build time: cannot tell
        while pattern.startswith("**/"):
            pattern = pattern[3:]
        if pattern in ("**", "") or fnmatch.fnmatchcase(required, pattern):
            return True
    return False


def _producer(pipeline: Pipeline, artifact: str) -> Any:
    return next(
        ((s, a) for s, a in pipeline.actions() if artifact in a.output_artifacts), (None, None)
    )


def _deploy_inputs(
    model: RepositoryModel,
) -> Iterator[tuple[Defined[Pipeline], str, str, str, LinkedProject, BuildspecFacts, list[str]]]:
    """(pipeline, deploy action, artifact, required file, producing project, its buildspec, files)."""
    for pipeline in model.definitions.pipelines:
        if "stages" in pipeline.unknown:
            continue
        for stage, action in pipeline.item.actions():
            for artifact, required in _required_files(action.provider, action.configuration):
                artifact = artifact or (action.input_artifacts[0] if action.input_artifacts else "")
                _, producer = _producer(pipeline.item, artifact)
                if producer is None or producer.provider != "CodeBuild" or is_unresolved(required):
                    continue
                linked = model.project(producer.configuration.get("ProjectName", ""), pipeline.path)
                facts = _usable(linked) if linked else None
                if linked is None or facts is None:
                    continue
                primary = not producer.output_artifacts or producer.output_artifacts[0] == artifact
                files = (
                    facts.artifact_files
                    if primary
                    else facts.secondary_artifact_files.get(artifact)
                )
                if files is None or facts.artifacts_base_directory:
                    continue  # a base-directory moves where files are looked for
                yield (
                    pipeline,
                    f"{stage.name}/{action.name}",
                    artifact,
                    required,
                    linked,
                    facts,
                    files,
                )


def _writes(facts: BuildspecFacts, name: str) -> bool:
    return any(name.lower() in command.text.lower() for command in facts.commands)


_FILES_KEY = re.compile(r"^(?P<indent>\s*)files\s*:\s*(?P<rest>.*)$")


def _artifact_file_edits(snapshot: Snapshot, facts: BuildspecFacts, required: str) -> list[TextEdit]:
    """The edit that lists `required` first in the buildspec's `artifacts.files`, when the build
    writes it at the top of its working folder and the list is written one way or the other."""
    if facts.artifacts_base_directory or not _writes(facts, required):
        return []
    text = snapshot.repo_text(facts.path)
    lines = text.splitlines()
    if not 0 < facts.artifacts_line <= len(lines):
        return []
    heading = lines[facts.artifacts_line - 1]
    artifacts_indent = len(heading) - len(heading.lstrip())
    for number in range(facts.artifacts_line + 1, len(lines) + 1):
        line = lines[number - 1]
        if line.strip() and len(line) - len(line.lstrip()) <= artifacts_indent:
            return []  # past the artifacts section
        found = _FILES_KEY.match(line)
        if found is None:
            continue
        rest = found["rest"]
        if rest.startswith("["):
            return [TextEdit(facts.path, number, "[", f"[{required}, ", line.index("[") + 1)]
        following = lines[number] if number < len(lines) else ""
        item = _LIST_ITEM.match(following)
        if not rest and item is not None:
            old = f"- {item['command']}"
            return [TextEdit(facts.path, number + 1, old, f"- {required}\n{item['indent']}{old}", len(item["indent"]) + 1)]
        return []
    return []


def deploy_file_not_in_artifact(snapshot: Snapshot, params: dict[str, Any]) -> Iterator[Hit]:
    """A deploy action reads a file the producing build's artifact does not contain."""
    wrong_image_file = params.get("wrong_image_file", False)
    for pipeline, where, artifact, required, linked, facts, files in _deploy_inputs(
        _model(snapshot)
    ):
        if _covers(files, required):
            continue
        other = (
            next((f for f in _DEPLOY_IMAGE_FILES if f != required.lower()), "")
            if required.lower() in _DEPLOY_IMAGE_FILES
            else ""
        )
        swapped = bool(other) and (
            _covers(files, "imageDetail.json" if other == "imagedetail.json" else other)
            or _writes(facts, other)
        )
        if swapped != wrong_image_file:
            continue
        location = f"{facts.path}:{facts.artifacts_line}"
        yield Hit(
            facts={
                "action": where,
                "artifact": artifact,
                "file_needed": required,
                "project.name": linked.project.name,
                "artifact.files": ", ".join(files) or "(none)",
                "file": facts.path,
                "line": facts.artifacts_line,
            },
            location=location,
            resource=f"{pipeline.item.arn}#{where}#{required}",
            evidence=[
                f"{pipeline.at(f'action:{where}')}: {where} reads {required} from {artifact}",
                f"{location}: {linked.project.name}'s artifact holds {', '.join(files) or 'no files'}",
            ],
            edits=_artifact_file_edits(snapshot, facts, required) if not wrong_image_file else [],
        )


# -- runtimes ---------------------------------------------------------------------------------


def runtime_not_in_image(snapshot: Snapshot, params: dict[str, Any]) -> Iterator[Hit]:
    """runtime-versions asks for a language version the project's curated image does not ship."""
    for linked in _model(snapshot).projects:
        facts = _usable(linked)
        image = linked.project.environment.image
        if facts is None or "image" in linked.defined.unknown:
            continue
        for language, (version, line) in facts.runtime_versions.items():
            problem = unsupported_runtime(image, language, version)
            if problem:
                yield Hit(
                    facts={
                        "language": language,
                        "version": version,
                        "image": image,
                        "project.name": linked.project.name,
                        "file": facts.path,
                        "line": line,
                        "problem": problem,
                    },
                    location=f"{facts.path}:{line}",
                    resource=f"{linked.project.arn}#{language}",
                    evidence=[
                        f"{facts.path}:{line}: runtime-versions asks for {language} {version}",
                        f"{linked.defined.at('image')}: {problem}",
                    ],
                )


# -- syntax -----------------------------------------------------------------------------------

# `${name}`-style shell expansions; anything else left in an inline buildspec is a template
# expression the reader could not resolve, and the text is not what CodeBuild will get.
_UNRESOLVED_TEMPLATE = re.compile(r"\$\{(?![A-Za-z_][A-Za-z0-9_]*(?:[:#%/^,@][^}]*)?\})")


def inline_buildspec_yaml_error(snapshot: Snapshot, params: dict[str, Any]) -> Iterator[Hit]:
    for linked in _model(snapshot).projects:
        facts = linked.buildspec
        if facts is None or facts.error is None or linked.buildspec_file:
            continue
        if _UNRESOLVED_TEMPLATE.search(linked.project.source.buildspec):
            continue
        error = facts.error
        yield Hit(
            facts={
                "file": facts.path,
                "line": facts.error_line,
                "column": error.column or 1,
                "problem": str(error.args[0]),
                "project.name": linked.project.name,
            },
            location=f"{facts.path}:{facts.error_line}",
            resource=f"{linked.project.arn}#buildspec",
            evidence=[
                f"{facts.path}:{facts.error_line}: the inline buildspec of {linked.project.name}: {error}"
            ],
        )


def definition_syntax_error(snapshot: Snapshot, params: dict[str, Any]) -> Iterator[Hit]:
    for path, error in _model(snapshot).syntax_errors:
        line, column = error.line or 1, error.column or 1
        yield Hit(
            facts={"file": path, "line": line, "column": column, "problem": str(error.args[0])},
            location=f"{path}:{line}",
            resource=path,
            evidence=[f"{path}:{line}:{column}: {error.args[0]}"],
        )


def ambiguous_link(snapshot: Snapshot, params: dict[str, Any]) -> Iterator[Hit]:
    """A project with several equally close candidate buildspecs or service roles."""
    for linked in _model(snapshot).projects:
        defined = linked.defined
        for kind, key, candidates in (
            ("buildspec", "buildspec", list(linked.buildspec_candidates)),
            ("service role", "service_role", [role.at() for role in linked.role_candidates]),
        ):
            if len(candidates) < 2:
                continue
            yield Hit(
                facts={
                    "project.name": defined.item.name,
                    "file": defined.path,
                    "line": defined.line(key),
                    "link.kind": kind,
                    "link.count": len(candidates),
                    "link.candidates": ", ".join(candidates),
                },
                location=defined.at(key),
                resource=f"{defined.item.arn}#{key}",
                evidence=[
                    f"{defined.at(key)}: {defined.item.name} could use {c}" for c in candidates
                ],
            )


STATIC_PREDICATES = {
    "privileged_mode_needed": privileged_mode_needed,
    "privileged_mode_unneeded": privileged_mode_unneeded,
    "ambiguous_link": ambiguous_link,
    "docker_without_privileged_mode": docker_without_privileged_mode,
    "custom_image_without_dockerd": custom_image_without_dockerd,
    "reserved_env_var_prefix": reserved_env_var_prefix,
    "undefined_build_variable": undefined_build_variable,
    "tag_variable_without_tag_trigger": tag_variable_without_tag_trigger,
    "full_clone_missing_permission": full_clone_missing_permission,
    "connection_prefix_mismatch": connection_prefix_mismatch,
    "ecr_push_without_login": ecr_push_without_login,
    "image_without_registry": image_without_registry,
    "repository_uri_as_name": repository_uri_as_name,
    "deploy_file_not_in_artifact": deploy_file_not_in_artifact,
    "runtime_not_in_image": runtime_not_in_image,
    "inline_buildspec_yaml_error": inline_buildspec_yaml_error,
    "definition_syntax_error": definition_syntax_error,
}
