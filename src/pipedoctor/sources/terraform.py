"""Terraform (`.tf` files of one module, or a `terraform show -json` plan) -> projects, pipelines,
roles, ECR repositories, ECS task definitions and connections, with their lines.

References between resources of the module (`aws_iam_role.build.arn`), variable defaults, literal
locals, `data.aws_iam_policy_document` and repository files read with `file(...)`,
`templatefile(...)` or `data.template_file` are resolved; anything else stays `${...}` and the
fields holding it are marked unknown. A module the repository calls (`module "x" { source =
"./modules/y" }`) is read once per call, with the call's literal arguments as its variables and
its addresses under `module.x.`; the caller sees its outputs (`module.x.project_name`).
"""

from __future__ import annotations

import json
import posixpath
import re
from dataclasses import dataclass
from typing import Any

from pipedoctor.model import ManagedPolicy, Role, from_api
from pipedoctor.sources import definitions
from pipedoctor.sources.definitions import (
    UNKNOWN_ACCOUNT,
    UNKNOWN_REGION,
    Defined,
    Definitions,
    is_unresolved,
    managed_policy,
)
from pipedoctor.sources.hcl import LABELS
from pipedoctor.sources.located import LocatedDoc, load_located_json
from pipedoctor.sources.pipeline_json import pipeline_lines
from pipedoctor.sources.policy_json import note_statements
from pipedoctor.textparse import ParseError, parse_json

_INTERPOLATION = re.compile(r"(?<!\$)\$\{([^{}]*)\}")
_REFERENCE = re.compile(
    r"^\s*(?P<kind>data\.[a-z0-9_]+|[a-z][a-z0-9_]*)\.(?P<name>[A-Za-z0-9_-]+)(?:\[[^\]]*\])?"
    r"(?:\.(?P<attribute>[a-z_]+))?\s*$"
)
_FILE_CALL = re.compile(
    r'^\$\{\s*(?:file|templatefile)\(\s*"(?:\$\{path\.(?:module|root|cwd)\}/)?([^"$]+)"'
)
# One `name = value` of templatefile()'s variables map: a quoted string or a reference.
_TEMPLATE_ARGUMENT = re.compile(
    r'([A-Za-z_][A-Za-z0-9_]*)\s*=\s*("(?:[^"\\]|\\.)*"|[A-Za-z_][\w.\-]*)'
)
# Module call arguments that are not the module's variables.
_META_ARGUMENTS = {LABELS, "source", "version", "providers", "count", "for_each", "depends_on"}
MAX_MODULE_DEPTH = 8


@dataclass
class _Block:
    kind: str
    name: str
    body: dict[str, Any]
    path: str
    doc: LocatedDoc
    base: tuple[Any, ...]  # path of the block in doc

    def line(self, *sub: Any) -> int:
        return self.doc.line((*self.base, *sub))


def _first(value: Any) -> dict[str, Any]:
    """A nested block (a list of one body in HCL and in plans) as its body."""
    if isinstance(value, list) and value and isinstance(value[0], dict):
        return value[0]
    return value if isinstance(value, dict) else {}


def _blocks(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


class _Module:
    """The resources, variables and locals of one module (the .tf files of one folder), as one
    call instantiates it: `arguments` (None: not known) override the variables' defaults."""

    def __init__(
        self,
        files: list[tuple[str, LocatedDoc]],
        texts: dict[str, str] | None = None,
        directory: str = "",
        arguments: dict[str, Any] | None = None,
        instance: str = "",
        qualifier: str = "",
    ) -> None:
        self.texts = texts or {}
        # Unnamed resources get names from their address; a root folder whose addresses another
        # root folder repeats (envs/dev, envs/prod) also puts its folder in them.
        self.qualifier = qualifier
        self.directory = directory
        self.instance = instance  # "" for a root module, "ci" or "ci.build" for called ones
        self.prefix = "".join(f"module.{part}." for part in instance.split(".") if part)
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.output_values: dict[str, Any] = {}  # output name -> its expression
        self.outputs: dict[str, dict[str, Any]] = {}  # called module -> its resolved outputs
        self.resources: dict[tuple[str, str], _Block] = {}  # for references: the first so named
        self.blocks: list[_Block] = []  # every resource (a scanned folder may repeat an address)
        self.data: dict[tuple[str, str], _Block] = {}
        self.variables: dict[str, Any] = {}
        self.locals: dict[str, Any] = {}
        for path, doc in files:
            body = doc.data if isinstance(doc.data, dict) else {}
            for top in ("resource", "data"):
                for index, block in enumerate(_blocks(body.get(top))):
                    labels = block.get(LABELS) or []
                    if len(labels) == 2:
                        found = _Block(labels[0], labels[1], block, path, doc, (top, index))
                        target = self.resources if top == "resource" else self.data
                        target.setdefault((labels[0], labels[1]), found)
                        if top == "resource":
                            self.blocks.append(found)
            for block in _blocks(body.get("variable")):
                labels = block.get(LABELS) or []
                if labels and "default" in block:
                    self.variables[labels[0]] = block["default"]
            for block in _blocks(body.get("locals")):
                self.locals.update({k: v for k, v in block.items() if k != LABELS})
            for block in _blocks(body.get("module")):
                labels = block.get(LABELS) or []
                if labels:
                    self.calls.append((str(labels[0]), block))
            for block in _blocks(body.get("output")):
                labels = block.get(LABELS) or []
                if labels and "value" in block:
                    self.output_values[str(labels[0])] = block["value"]
        self.variables.update(arguments or {})
        self._depth = 0

    # -- references ----------------------------------------------------------------------
    def name_of(self, block: _Block) -> str:
        key = {"aws_s3_bucket": "bucket", "aws_ecs_task_definition": "family"}.get(
            block.kind, "name"
        )
        value = self.text(block.body.get(key)) if key in block.body else ""
        if not value and block.kind == "aws_iam_role":
            value = self.text(block.body.get("name_prefix"))
        if value and not is_unresolved(value):
            return value
        # Unnamed in a called module: each call makes its own resource.
        return ".".join(part for part in (self.qualifier, self.instance, block.name) if part)

    def arn_of(self, block: _Block) -> str:
        # A connection's ARN shows no name of it: the block's label stands in.
        name = block.name if block.kind in definitions.CONNECTION_SERVICES else self.name_of(block)
        arn = definitions.placeholder_arn(block.kind, name, str(block.body.get("path", "/")))
        return arn or "${" + f"{block.kind}.{block.name}.arn" + "}"

    def reference(self, expression: str) -> Any:
        match = _REFERENCE.match(expression)
        if match is None:
            return None
        kind, name, attribute = match.group("kind"), match.group("name"), match.group("attribute")
        if kind == "var":
            return self.variables.get(name)
        if kind == "local":
            value = self.locals.get(name)
            return self.render(value) if value is not None else None
        if kind == "module":
            return self.outputs.get(name, {}).get(attribute) if attribute else None
        if kind.startswith("data."):
            data_kind = kind.removeprefix("data.")
            if data_kind == "aws_caller_identity" and attribute == "account_id":
                return UNKNOWN_ACCOUNT
            if data_kind == "aws_region" and attribute in ("name", "id", "region"):
                return UNKNOWN_REGION
            if data_kind == "aws_partition" and attribute == "partition":
                return "aws"
            block = self.data.get((data_kind, name))
            if block is not None and data_kind == "aws_iam_policy_document" and attribute == "json":
                return json.dumps(self.policy_document(block))
            if block is not None and data_kind == "template_file" and attribute == "rendered":
                path = self.file_of(block.body.get("template"))
                return self.texts.get(path) if path else None
            return None
        block = self.resources.get((kind, name))
        if block is None:
            return None
        if attribute == "arn" or (attribute == "id" and kind in definitions.CONNECTION_SERVICES):
            return self.arn_of(block)
        if attribute in ("name", "id", "bucket", "family"):
            return self.name_of(block)
        if attribute == "repository_url" and kind == "aws_ecr_repository":
            return definitions.repository_uri(self.name_of(block))
        return None

    def render(self, value: Any) -> Any:
        if isinstance(value, list):
            return [self.render(item) for item in value]
        if isinstance(value, dict):
            return {key: self.render(item) for key, item in value.items() if key != LABELS}
        if not isinstance(value, str) or "${" not in value or self._depth > 10:
            return value
        self._depth += 1
        try:
            whole = _INTERPOLATION.fullmatch(value)
            if whole is not None:
                resolved = self.reference(whole.group(1))
                return self.render(resolved) if resolved is not None else value

            def replace(match: re.Match[str]) -> str:
                resolved = self.reference(match.group(1))
                return (
                    match.group(0)
                    if resolved is None or isinstance(resolved, dict | list)
                    else str(resolved)
                )

            return _INTERPOLATION.sub(replace, value)
        finally:
            self._depth -= 1

    def text(self, value: Any) -> str:
        return from_api.text(self.render(value))

    def file_of(self, value: Any) -> str:
        """The repository file an argument reads (`file("x")`, `templatefile("x", ...)`,
        `data.template_file.t.rendered`), "" when it reads none."""
        if not isinstance(value, str):
            return ""
        if match := _FILE_CALL.match(value):
            return posixpath.normpath(posixpath.join(self.directory, match.group(1)))
        whole = _INTERPOLATION.fullmatch(value)
        reference = _REFERENCE.match(whole.group(1)) if whole else None
        if reference and reference.group("kind") == "data.template_file":
            block = self.data.get(("template_file", reference.group("name")))
            return self.file_of(block.body.get("template")) if block else ""
        return ""

    def template_values(self, value: Any) -> dict[str, str]:
        """The variables a template is filled in with (`templatefile("x", { a = b })`, a
        `template_file`'s `vars`), those whose value is known here."""
        if not isinstance(value, str):
            return {}
        raw: dict[str, Any] = {}
        if _FILE_CALL.match(value) and "templatefile(" in value:
            opening = value.find('"', value.find("templatefile("))
            arguments = value[value.find('"', opening + 1) + 1 :]  # after the path
            for name, expression in _TEMPLATE_ARGUMENT.findall(arguments):
                quoted = expression.startswith('"')
                raw[name] = expression[1:-1] if quoted else "${" + expression + "}"
        whole = _INTERPOLATION.fullmatch(value)
        reference = _REFERENCE.match(whole.group(1)) if whole else None
        if reference and reference.group("kind") == "data.template_file":
            block = self.data.get(("template_file", reference.group("name")))
            variables = _first(block.body.get("vars")) if block else {}
            raw.update({k: v for k, v in variables.items() if k != LABELS})
        known = {}
        for name, item in raw.items():
            rendered = self.render(item)
            if isinstance(rendered, str | int | float) and "${" not in str(rendered):
                known[name] = str(rendered)
        return known

    def policy_file(self, value: Any) -> tuple[str, LocatedDoc] | None:
        """The policy document file an argument reads, parsed with lines, the template
        variables whose value is known filled in."""
        path = self.file_of(value)
        if not path or path not in self.texts:
            return None
        text = self.texts[path]
        for name, known in self.template_values(value).items():
            escaped = json.dumps(known)[1:-1]  # on one line: the statements keep their lines
            placeholder = re.compile(r"\$\{\s*" + re.escape(name) + r"\s*\}")
            text = placeholder.sub(lambda _match, escaped=escaped: escaped, text)
        try:
            return path, load_located_json(text)
        except ParseError:
            return None

    def policy(self, value: Any) -> dict[str, Any] | None:
        """A policy argument (JSON string, jsonencode, policy document reference, a file read with
        `file(...)`) as a document."""
        if (read := self.policy_file(value)) is not None:
            document = read[1].data
            return document if isinstance(document, dict) else None
        text = self.text(value).strip()
        if not text.startswith("{"):
            return None
        try:
            document = parse_json(text)
        except ParseError:
            return None
        return document if isinstance(document, dict) else None

    def policy_document(self, block: _Block) -> dict[str, Any]:
        statements = []
        for raw in _blocks(block.body.get("statement")):
            statement: dict[str, Any] = {"Effect": self.text(raw.get("effect")) or "Allow"}
            for key, name in (
                ("actions", "Action"),
                ("not_actions", "NotAction"),
                ("resources", "Resource"),
                ("not_resources", "NotResource"),
            ):
                if key in raw:
                    statement[name] = self.render(raw[key])
            if raw.get("sid"):
                statement["Sid"] = self.text(raw["sid"])
            for principal in _blocks(raw.get("principals")):
                statement.setdefault("Principal", {})[self.text(principal.get("type"))] = (
                    self.render(principal.get("identifiers"))
                )
            for condition in _blocks(raw.get("condition")):
                test, variable = (
                    self.text(condition.get("test")),
                    self.text(condition.get("variable")),
                )
                statement.setdefault("Condition", {}).setdefault(test, {})[variable] = self.render(
                    condition.get("values")
                )
            statements.append(statement)
        return {"Version": "2012-10-17", "Statement": statements}


# Terraform's names for the API's where snake_case -> camelCase does not give them.
_API_KEYS = {
    "stage": "stages",
    "action": "actions",
    "trigger": "triggers",
    "variable": "variables",
    "artifact_store": "artifactStores",
    "environment_variable": "environmentVariables",
    "cloudwatch_logs": "cloudWatchLogs",
}
# Blocks the API holds as lists (any other block is one object).
_API_LISTS = {"stages", "actions", "triggers", "variables", "artifactStores", "environmentVariables", "push"}
_BLOCK_NAMES = {"stages": "stage", "actions": "action", "triggers": "trigger", "roleArn": "role_arn"}


def _camel(key: str) -> str:
    head, *rest = key.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _api_shape(value: Any) -> Any:
    """A rendered resource body in the API's shape: camelCase keys, a block as an object (or a
    list where the API has one); an action's `configuration` (the API's keys already) as it is."""
    if isinstance(value, list):
        return [_api_shape(item) for item in value]
    if not isinstance(value, dict):
        return value
    shaped: dict[str, Any] = {}
    for key, item in value.items():
        name = _API_KEYS.get(key) or _camel(str(key))
        if key == "configuration":
            shaped[name] = _first(item) if isinstance(item, list) else item  # 0.11: a block
        elif name in _API_LISTS:
            shaped[name] = [_api_shape(block) for block in _blocks(item)]
        elif isinstance(item, list) and item and all(isinstance(part, dict) for part in item):
            shaped[name] = _api_shape(item[0])
        else:
            shaped[name] = _api_shape(item)
    return shaped


def _api_action(action: dict[str, Any]) -> dict[str, Any]:
    """An action block in the API's shape: its type under actionTypeId, artifacts by name."""
    shaped = {k: v for k, v in action.items() if k not in ("category", "owner", "provider", "version")}
    shaped["actionTypeId"] = {k: action.get(k) for k in ("category", "owner", "provider", "version")}
    for key in ("inputArtifacts", "outputArtifacts"):
        names = action.get(key)
        shaped[key] = [{"name": n} for n in names if not isinstance(n, dict)] if isinstance(names, list) else []
    return shaped


class _Converter:
    def __init__(self, module: _Module) -> None:
        self.m = module
        self.out = Definitions()

    def convert(self) -> Definitions:
        for block in self.m.blocks:
            if (kind := definitions.RESOURCE_KINDS.get(block.kind, "")) in definitions.READ_KINDS:
                getattr(self, kind)(block)
        self.attach_policies()
        return self.out

    def address(self, block: _Block) -> str:
        return f"{self.m.prefix}{block.kind}.{block.name}"

    def defined(self, item: Any, block: _Block) -> Defined[Any]:
        return Defined(item, block.path, self.address(block), {"resource": block.line()})

    def note_policy_file(self, defined: Defined[Role], key: str, value: Any) -> None:
        if (read := self.m.policy_file(value)) is None:
            return
        note_statements(defined, key, *read)
        templated = "templatefile(" in str(value) or "template_file." in str(value)
        if templated and _TEMPLATE_VARIABLE.search(json.dumps(read[1].data)):
            defined.unknown.add("policies")  # filled in by Terraform with values not known here

    def project(self, block: _Block) -> None:
        m, body = self.m, block.body
        api = _api_shape(m.render(body))
        source = api.get("source") if isinstance(api.get("source"), dict) else {}
        if spec_file := m.file_of(_first(body.get("source")).get("buildspec", "")):
            source["buildspec"] = spec_file  # file("buildspec.yml"), a template of it: the file
        api.update(name=m.name_of(block), arn=m.arn_of(block), source=source)
        defined = definitions.defined_project(api, block.path, self.address(block), block.line())
        project = defined.item
        if body.get("dynamic"):
            defined.unknown.add("environment")  # dynamic blocks may add variables
        written = _first(body.get("environment")).get("environment_variable")
        for index, raw in enumerate(_blocks(written)):
            defined.lines[f"env:{m.text(raw.get('name'))}"] = block.line(
                "environment", 0, "environment_variable", index
            )
        defined.lines["environment"] = block.line("environment", 0)
        defined.lines["privileged_mode"] = block.line("environment", 0, "privileged_mode")
        defined.lines["image"] = block.line("environment", 0, "image")
        defined.lines["service_role"] = block.line("service_role")
        spec_path = (*block.base, "source", 0, "buildspec")
        defined.lines["buildspec"] = block.doc.line(spec_path)
        if "\n" in project.source.buildspec:
            defined.inline_buildspec_anchor = defined.lines["buildspec"]
            defined.inline_buildspec_line = block.doc.text_starts.get(spec_path)
        self.out.projects.append(defined)

    def pipeline(self, block: _Block) -> None:
        m, body = self.m, block.body
        api = _api_shape(m.render(body))
        stores = api.pop("artifactStores", [])
        if len(stores) == 1:
            api["artifactStore"] = stores[0]
        else:  # one per region
            api["artifactStores"] = {from_api.text(s.get("region")): s for s in stores}
        for stage in api.get("stages") or []:
            stage["actions"] = [_api_action(action) for action in stage.get("actions") or []]
        api["name"] = m.name_of(block)
        pipeline = from_api.pipeline_from_api(api, UNKNOWN_REGION, m.arn_of(block))
        defined = self.defined(pipeline, block)

        def line_of(sub: tuple[Any, ...]) -> int:
            # The API's path back to the blocks (Terraform 0.11 wrote `configuration` as one).
            path: list[Any] = []
            node: Any = body
            for part in sub:
                part = _BLOCK_NAMES.get(part, part) if isinstance(part, str) else part
                path.append(part)
                node = node.get(part) if isinstance(node, dict) else (
                    node[part] if isinstance(node, list) and isinstance(part, int) and part < len(node) else None
                )
                if part == "configuration" and isinstance(node, list):
                    path.append(0)
                    node = _first(node)
            return block.line(*path)

        defined.lines.update(pipeline_lines(pipeline, api, line_of))
        if body.get("dynamic"):
            defined.unknown.add("stages")
        self.out.pipelines.append(defined)

    def role(self, block: _Block) -> None:
        m, body = self.m, block.body
        trust = m.policy(body.get("assume_role_policy"))
        role = definitions.file_role(m.name_of(block), m.arn_of(block), body.get("path"), trust)
        defined = self.defined(role, block)
        for index, raw in enumerate(_blocks(body.get("inline_policy"))):
            name = m.text(raw.get("name")) or f"inline{index}"
            document = m.policy(raw.get("policy"))
            role.inline_policies[name] = document or {}
            defined.lines[f"policy:{name}"] = block.line("inline_policy", index)
            self.note_policy_file(defined, f"policy:{name}", raw.get("policy"))
            if document is None:
                defined.unknown.add("policies")
        arns = m.render(body.get("managed_policy_arns") or [])
        for index, arn in enumerate(arns if isinstance(arns, list) else []):
            self._attach(defined, m.text(arn), block.line("managed_policy_arns", index))
        if not isinstance(arns, list):
            defined.unknown.add("policies")
        if "permissions_boundary" in body:
            boundary = m.text(body.get("permissions_boundary"))
            role.permissions_boundary = self._managed(defined, boundary)
            defined.lines["permissions_boundary"] = block.line("permissions_boundary")
        self.out.roles.append(defined)

    def _own_policy(self, arn: str) -> _Block | None:
        """The repository's own aws_iam_policy block that `arn` names."""
        return next(
            (b for b in self.m.blocks if b.kind == "aws_iam_policy" and self.m.arn_of(b) == arn),
            None,
        )

    def _managed(self, defined: Defined[Role], arn: str) -> ManagedPolicy:
        """The policy `arn` names, with the document of the repository's own aws_iam_policy."""
        own = self._own_policy(arn)
        document = self.m.policy(own.body.get("policy")) if own else None
        if own is not None and document is None or is_unresolved(arn):
            defined.unknown.add("policies")
        return managed_policy(arn, document)

    def _attach(self, defined: Defined[Role], arn: str, line: int) -> None:
        defined.item.attached_policies.append(self._managed(defined, arn))
        defined.lines[f"managed:{arn}"] = line
        if (own := self._own_policy(arn)) is not None:
            self.note_policy_file(defined, f"managed:{arn}", own.body.get("policy"))

    def attach_policies(self) -> None:
        roles = {}
        for defined in self.out.roles:
            roles[defined.item.name] = defined
            roles[defined.item.arn] = defined
        for block in self.m.blocks:
            body = block.body
            if block.kind == "aws_iam_role_policy":
                target = roles.get(self.m.text(body.get("role")))
                if target is not None:
                    name = self.m.text(body.get("name")) or block.name
                    document = self.m.policy(body.get("policy"))
                    target.item.inline_policies[name] = document or {}
                    target.lines[f"policy:{name}"] = block.line()
                    self.note_policy_file(target, f"policy:{name}", body.get("policy"))
                    if document is None:
                        target.unknown.add("policies")
            elif block.kind in ("aws_iam_role_policy_attachment", "aws_iam_policy_attachment"):
                names = (
                    body.get("roles")
                    if block.kind == "aws_iam_policy_attachment"
                    else [body.get("role")]
                )
                for name in names if isinstance(names, list) else []:
                    target = roles.get(self.m.text(name))
                    if target is not None:
                        self._attach(target, self.m.text(body.get("policy_arn")), block.line("policy_arn"))

    def repository(self, block: _Block) -> None:
        name = self.m.name_of(block)
        uri = definitions.repository_uri(name)
        repository = from_api.repository_from_api(
            {"repositoryName": name, "repositoryArn": self.m.arn_of(block), "repositoryUri": uri}
        )
        self.out.repositories.append(self.defined(repository, block))

    def task_definition(self, block: _Block) -> None:
        m, body = self.m, block.body
        containers_text = m.text(body.get("container_definitions")).strip()
        try:
            containers = parse_json(containers_text) if containers_text.startswith("[") else None
        except ParseError:
            containers = None
        api = _api_shape(m.render({k: v for k, v in body.items() if k != "container_definitions"}))
        api.update(
            taskDefinitionArn=m.arn_of(block),
            family=m.name_of(block),
            containerDefinitions=containers if isinstance(containers, list) else [],
        )
        task = from_api.task_definition_from_api(api, UNKNOWN_REGION)
        defined = self.defined(task, block)
        if not isinstance(containers, list):
            defined.unknown.add("containers")
        line = block.line("container_definitions")
        for container in task.containers:
            defined.lines[f"image:{container.name}"] = _line_in_heredoc(
                block, containers_text, container.image, line
            )
        self.out.task_definitions.append(defined)

    def connection(self, block: _Block) -> None:
        api = {
            "ConnectionArn": self.m.arn_of(block),
            "ConnectionName": self.m.name_of(block),
            "ProviderType": self.m.text(block.body.get("provider_type")),
        }
        self.out.connections.append(self.defined(from_api.connection_from_api(api), block))


def _line_in_heredoc(block: _Block, text: str, needle: str, default: int) -> int:
    """The line of `needle` inside a heredoc attribute (JSON in it has no lines of its own)."""
    start = block.doc.text_starts.get((*block.base, "container_definitions"))
    if start is None or not needle:
        return default
    for offset, line in enumerate(text.splitlines()):
        if needle in line:
            return start + offset
    return default


def definitions_from_module(files: list[tuple[str, LocatedDoc]]) -> Definitions:
    """One module's .tf files (path, parsed HCL)."""
    return _Converter(_Module(files)).convert()


def _local_source(directory: str, body: dict[str, Any]) -> str:
    source = body.get("source")
    if not isinstance(source, str) or not source.startswith(("./", "../")):
        return ""  # a registry or git module: not in the repository
    return posixpath.normpath(posixpath.join(directory, source))


def _has_unresolved(value: Any) -> bool:
    if isinstance(value, dict):
        return any(_has_unresolved(item) for item in value.values())
    if isinstance(value, list):
        return any(_has_unresolved(item) for item in value)
    return isinstance(value, str) and "${" in value


# A template's `${name}` (not an IAM policy variable such as `${aws:username}`).
_TEMPLATE_VARIABLE = re.compile(r"\$\{(?![a-z0-9-]+:)[^}]*\}")
_MODULE_REFERENCE = re.compile(r"\bmodule\.([A-Za-z0-9_-]+)")


def _in_dependency_order(
    calls: list[tuple[str, dict[str, Any]]],
) -> list[tuple[str, dict[str, Any]]]:
    """Module calls, each after the calls whose outputs its arguments use (as written when
    they depend on each other in a circle)."""
    pending = list(calls)
    ordered: list[tuple[str, dict[str, Any]]] = []
    names = {name for name, _ in calls}
    while pending:
        waiting = {name for name, _ in pending}
        ready = next(
            (
                call
                for call in pending
                if not (
                    set(_MODULE_REFERENCE.findall(json.dumps(call[1], default=str))) - {call[0]}
                )
                & waiting
                & names
            ),
            pending[0],
        )
        pending.remove(ready)
        ordered.append(ready)
    return ordered


class _Repository:
    """Every Terraform folder of one repository; called modules read through their calls."""

    def __init__(
        self, folders: dict[str, list[tuple[str, LocatedDoc]]], texts: dict[str, str]
    ) -> None:
        self.folders, self.texts = folders, texts
        self.out = Definitions()
        self.read: set[str] = set()
        self.qualifiers: dict[str, str] = {}

    def convert(self) -> Definitions:
        called = {
            _local_source(folder, body)
            for folder, files in self.folders.items()
            for _, body in _Module(files).calls
        }
        roots = [folder for folder in self.folders if folder not in called]
        self.qualifiers = self._qualifiers(roots)
        for folder in roots:
            self.instantiate(folder, None, "", ())
        for folder in self.folders:  # called only from a cycle: read as it stands
            if folder not in self.read:
                self.instantiate(folder, None, "", ())
        return self.out

    def _qualifiers(self, roots: list[str]) -> dict[str, str]:
        """Root folders that repeat another's resource addresses -> their path, as a name part."""
        seen: dict[str, int] = {}
        addresses = {}
        for folder in roots:
            addresses[folder] = self._addresses(folder, "", ())
            for address in addresses[folder]:
                seen[address] = seen.get(address, 0) + 1
        repeating = [f for f in roots if any(seen[a] > 1 for a in addresses[f])]
        if len(repeating) < 2:
            return {}
        try:
            common = posixpath.commonpath(repeating)
        except ValueError:  # absolute and relative folders mixed
            common = ""
        qualifiers = {}
        for folder in repeating:
            relative = posixpath.relpath(folder, common) if common else folder
            qualifiers[folder] = "root" if relative in (".", "") else relative.replace("/", "-")
        return qualifiers

    def _addresses(self, folder: str, prefix: str, callers: tuple[str, ...]) -> set[str]:
        """Every resource address a root folder makes, its modules' included."""
        module = _Module(self.folders[folder])
        found = {f"{prefix}{block.kind}.{block.name}" for block in module.blocks}
        for name, body in module.calls if len(callers) < MAX_MODULE_DEPTH else []:
            target = _local_source(folder, body)
            if target in self.folders and target not in callers and target != folder:
                found |= self._addresses(target, f"{prefix}module.{name}.", (*callers, folder))
        return found

    def instantiate(
        self,
        folder: str,
        arguments: dict[str, Any] | None,
        instance: str,
        callers: tuple[str, ...],
    ) -> dict[str, Any]:
        """Read one instance of the folder's module (the modules it calls first, so that
        `module.x.output` resolves); its outputs."""
        self.read.add(folder)
        qualifier = self.qualifiers.get(callers[0] if callers else folder, "")
        module = _Module(self.folders[folder], self.texts, folder, arguments, instance, qualifier)
        for name, body in (
            _in_dependency_order(module.calls) if len(callers) < MAX_MODULE_DEPTH else []
        ):
            target = _local_source(folder, body)
            if target not in self.folders or target in callers or target == folder:
                continue
            values = {}
            for key, value in body.items():
                if key not in _META_ARGUMENTS:
                    rendered = module.render(value)
                    values[key] = None if _has_unresolved(rendered) else rendered
            child = f"{instance}.{name}" if instance else name
            module.outputs[name] = self.instantiate(target, values, child, (*callers, folder))
        found = _Converter(module).convert()
        scope = ".".join(part for part in (qualifier, instance) if part)
        for defined in found.all():
            defined.scope = scope
        self.out.extend(found)
        return {
            output: module.render(value)
            for output, value in module.output_values.items()
            if not _has_unresolved(module.render(value))
        }


def definitions_from_modules(
    folders: dict[str, list[tuple[str, LocatedDoc]]], texts: dict[str, str]
) -> Definitions:
    """The Terraform of one repository: folder -> its .tf files (path, parsed HCL); `texts` are
    the repository's files, for `file(...)`."""
    return _Repository(folders, texts).convert()


def _plan_resources(module: Any) -> list[dict[str, Any]]:
    if not isinstance(module, dict):
        return []
    found = [r for r in module.get("resources") or [] if isinstance(r, dict)]
    for child in module.get("child_modules") or []:
        found += _plan_resources(child)
    return found


def is_plan(data: Any) -> bool:
    return (
        isinstance(data, dict)
        and isinstance(data.get("planned_values"), dict)
        and "format_version" in data
    )


def definitions_from_plan(path: str, text: str, data: dict[str, Any]) -> Definitions:
    """`terraform show -json` output: values are resolved already; lines are the `address` lines."""
    blocks = []
    lines: dict[tuple[Any, ...], int] = {}
    for index, resource in enumerate(_plan_resources(data["planned_values"].get("root_module"))):
        if resource.get("mode", "managed") != "managed" or not isinstance(
            resource.get("values"), dict
        ):
            continue
        body = {
            **resource["values"],
            LABELS: [str(resource.get("type")), str(resource.get("name"))],
        }
        position = text.find(f'"address": "{resource.get("address")}"')
        if position < 0:
            position = text.find(f'"{resource.get("address")}"')
        lines[("resource", len(blocks))] = text.count("\n", 0, max(position, 0)) + 1
        blocks.append(body)
    doc = LocatedDoc(data={"resource": blocks}, lines=lines)
    return definitions_from_module([(path, doc)])
