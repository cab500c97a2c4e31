"""CloudFormation templates (YAML with short tags, or JSON) -> projects, pipelines, roles, ECR
repositories, ECS task definitions and connections, with the lines that define them."""

from __future__ import annotations

import re
from typing import Any

from pipedoctor.model import Role, from_api
from pipedoctor.sources.definitions import (
    CONNECTION_SERVICES,
    READ_KINDS,
    RESOURCE_KINDS,
    UNKNOWN_ACCOUNT,
    UNKNOWN_REGION,
    Defined,
    Definitions,
    defined_project,
    file_role,
    is_unresolved,
    managed_policy,
    placeholder_arn,
    repository_uri,
)
from pipedoctor.sources.located import LocatedDoc
from pipedoctor.sources.pipeline_json import camel_keys, pipeline_lines

_SUB_VARIABLE = re.compile(r"\$\{([^}!][^}]*)\}")
_PSEUDO = {
    "AWS::AccountId": UNKNOWN_ACCOUNT,
    "AWS::Region": UNKNOWN_REGION,
    "AWS::Partition": "aws",
    "AWS::URLSuffix": "amazonaws.com",
}


def is_template(data: Any) -> bool:
    return (
        isinstance(data, dict)
        and isinstance(data.get("Resources"), dict)
        and (
            "AWSTemplateFormatVersion" in data
            or any(
                isinstance(r, dict) and str(r.get("Type", "")).startswith(("AWS::", "Custom::"))
                for r in data["Resources"].values()
            )
        )
    )


class _Resolver:
    """Turns intrinsic functions into strings: parameter defaults, pseudo parameters, and names
    or synthetic ARNs of the template's own resources; anything else stays `${...}`."""

    def __init__(self, template: dict[str, Any]) -> None:
        parameters = template.get("Parameters")
        self.parameters = parameters if isinstance(parameters, dict) else {}
        self.resources = {
            name: body
            for name, body in template["Resources"].items()
            if isinstance(body, dict) and isinstance(body.get("Properties", {}), dict)
        }
        mappings = template.get("Mappings")
        self.mappings = mappings if isinstance(mappings, dict) else {}
        self._depth = 0

    def props(self, logical_id: str) -> dict[str, Any]:
        return self.resources.get(logical_id, {}).get("Properties") or {}

    def type_of(self, logical_id: str) -> str:
        return str(self.resources.get(logical_id, {}).get("Type", ""))

    def name_of(self, logical_id: str) -> str:
        """The physical name a resource gets (its name property, else the logical id)."""
        kind = self.type_of(logical_id)
        props = self.props(logical_id)
        key = {
            "AWS::IAM::Role": "RoleName",
            "AWS::CodeBuild::Project": "Name",
            "AWS::CodePipeline::Pipeline": "Name",
            "AWS::ECR::Repository": "RepositoryName",
            "AWS::IAM::ManagedPolicy": "ManagedPolicyName",
            "AWS::S3::Bucket": "BucketName",
            "AWS::ECS::TaskDefinition": "Family",
        }.get(kind)
        value = self.text(props.get(key)) if key and key in props else ""
        return value if value and not is_unresolved(value) else logical_id

    def arn_of(self, logical_id: str) -> str:
        kind = self.type_of(logical_id)
        # A connection has no name property that shows in its ARN: the logical id stands in.
        name = logical_id if kind in CONNECTION_SERVICES else self.name_of(logical_id)
        path = str(self.props(logical_id).get("Path", "/"))
        return placeholder_arn(kind, name, path) or "${" + logical_id + ".Arn}"

    def ref(self, name: str) -> Any:
        if name in _PSEUDO:
            return _PSEUDO[name]
        if name in self.parameters:
            parameter = self.parameters[name]
            if isinstance(parameter, dict) and "Default" in parameter:
                default = parameter["Default"]
                return default if not isinstance(default, list) else ",".join(map(str, default))
            return "${" + name + "}"
        if RESOURCE_KINDS.get(self.type_of(name)) in ("connection", "policy", "task_definition"):
            return self.arn_of(name)  # what Ref gives for these types
        if name in self.resources:
            return self.name_of(name)
        return "${" + name + "}"

    def get_att(self, target: Any) -> Any:
        if isinstance(target, str):
            target = target.split(".", 1)
        if not isinstance(target, list) or len(target) != 2:
            return "${GetAtt}"
        name, attribute = str(target[0]), self.text(target[1])
        if name in self.resources:
            if attribute in ("Arn", "ConnectionArn"):
                return self.arn_of(name)
            if attribute == "RepositoryUri":
                return repository_uri(self.name_of(name))
            if attribute in ("Name", "RoleId"):
                return self.name_of(name)
        return "${" + f"{name}.{attribute}" + "}"

    def sub(self, argument: Any) -> str:
        text, variables = (
            (argument[0], argument[1])
            if isinstance(argument, list) and len(argument) == 2
            else (argument, {})
        )
        if not isinstance(text, str):
            return "${Sub}"
        variables = variables if isinstance(variables, dict) else {}

        def replace(match: re.Match[str]) -> str:
            name = match.group(1).strip()
            if name in variables:
                return self.text(variables[name])
            if "." in name and name.split(".", 1)[0] in self.resources:
                return str(self.get_att(name))
            if name in self.parameters or name in self.resources or name in _PSEUDO:
                return str(self.ref(name))
            return match.group(0)

        return _SUB_VARIABLE.sub(replace, text).replace("${!", "${")

    def render(self, value: Any) -> Any:
        """Resolve intrinsics everywhere in a value (policy documents, configuration ...)."""
        if isinstance(value, list):
            return [self.render(item) for item in value]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            ((key, argument),) = value.items()
            if key == "Ref" or (isinstance(key, str) and key.startswith("Fn::")):
                self._depth += 1
                try:
                    return self._intrinsic(key, argument) if self._depth < 20 else "${...}"
                finally:
                    self._depth -= 1
        return {key: self.render(item) for key, item in value.items()}

    def _intrinsic(self, key: str, argument: Any) -> Any:
        if key == "Ref":
            return self.ref(str(argument))
        if key == "Fn::GetAtt":
            return self.get_att(argument)
        if key == "Fn::Sub":
            return self.sub(argument)
        if key == "Fn::Join" and isinstance(argument, list) and len(argument) == 2:
            parts = self.render(argument[1])
            if isinstance(parts, list):
                return self.text(argument[0]).join(self.text(part) for part in parts)
        if key == "Fn::If" and isinstance(argument, list) and len(argument) == 3:
            return self.render(argument[1])  # the template's first branch
        if key == "Fn::Select" and isinstance(argument, list) and len(argument) == 2:
            items = self.render(argument[1])
            index = self.render(argument[0])
            if isinstance(items, list) and str(index).isdigit() and int(index) < len(items):
                return items[int(index)]
        if key == "Fn::FindInMap" and isinstance(argument, list) and len(argument) >= 3:
            keys = [self.text(part) for part in argument[:3]]
            found = self.mappings.get(keys[0], {})
            for part in keys[1:]:
                found = found.get(part) if isinstance(found, dict) else None
            if found is not None:
                return self.render(found)
        name = key.removeprefix("Fn::")
        return "${" + name + "}"

    def text(self, value: Any) -> str:
        return from_api.text(self.render(value))


class _TemplateReader:
    def __init__(self, path: str, doc: LocatedDoc) -> None:
        self.path = path
        self.doc = doc
        self.resolver = _Resolver(doc.data)
        self.out = Definitions()

    def line(self, *sub: Any) -> int:
        return self.doc.line(("Resources", *sub))

    def defined(self, item: Any, logical_id: str) -> Defined[Any]:
        return Defined(item, self.path, logical_id, {"resource": self.line(logical_id)})

    def read(self) -> Definitions:
        for logical_id in self.resolver.resources:
            kind = RESOURCE_KINDS.get(self.resolver.type_of(logical_id), "")
            if kind in READ_KINDS:
                getattr(self, kind)(logical_id, self.resolver.props(logical_id))
        self.attach_policies()
        return self.out

    def project(self, logical_id: str, props: dict[str, Any]) -> None:
        r = self.resolver
        api = camel_keys(r.render(props))
        source = api.setdefault("source", {}) if isinstance(api.get("source"), dict) else {}
        source["buildspec"] = source.pop("buildSpec", "")  # the API's spelling
        api.update(name=r.name_of(logical_id), arn=r.arn_of(logical_id), source=source)
        defined = defined_project(api, self.path, logical_id, self.line(logical_id))
        project = defined.item
        environment = api.get("environment") if isinstance(api.get("environment"), dict) else {}
        base = (logical_id, "Properties")
        env_path = (*base, "Environment")
        for index, raw in enumerate(environment.get("environmentVariables") or []):
            if isinstance(raw, dict) and raw.get("name"):
                defined.lines[f"env:{from_api.text(raw['name'])}"] = self.line(
                    *env_path, "EnvironmentVariables", index
                )
        defined.lines["environment"] = self.line(*env_path)
        defined.lines["privileged_mode"] = self.line(*env_path, "PrivilegedMode")
        defined.lines["image"] = self.line(*env_path, "Image")
        defined.lines["service_role"] = self.line(*base, "ServiceRole")
        spec_path = ("Resources", *base, "Source", "BuildSpec")
        defined.lines["buildspec"] = self.doc.line(spec_path)
        if "\n" in project.source.buildspec:
            defined.inline_buildspec_anchor = defined.lines["buildspec"]
            defined.inline_buildspec_line = next(
                (
                    self.doc.text_starts[p]
                    for p in (spec_path, (*spec_path, "Fn::Sub"), (*spec_path, "Fn::Sub", 0))
                    if p in self.doc.text_starts
                ),
                None,
            )
        self.out.projects.append(defined)

    def pipeline(self, logical_id: str, props: dict[str, Any]) -> None:
        r = self.resolver
        name = r.name_of(logical_id)
        structure = camel_keys(props)
        base = ("Resources", logical_id, "Properties")

        def line_of(sub: tuple[Any, ...]) -> int:
            # camelCase path back to the template's capitalised keys (configuration keys as is).
            original: list[Any] = []
            below_configuration = False
            for part in sub:
                if isinstance(part, str) and not below_configuration:
                    below_configuration = part == "configuration"
                    part = part[:1].upper() + part[1:]
                original.append(part)
            return self.doc.line((*base, *original))

        api = {**r.render(structure), "name": name}
        pipeline = from_api.pipeline_from_api(api, UNKNOWN_REGION, r.arn_of(logical_id))
        defined = self.defined(pipeline, logical_id)
        defined.lines.update(pipeline_lines(pipeline, structure, line_of))
        self.out.pipelines.append(defined)

    def role(self, logical_id: str, props: dict[str, Any]) -> None:
        r = self.resolver
        trust = r.render(props.get("AssumeRolePolicyDocument"))
        role = file_role(r.name_of(logical_id), r.arn_of(logical_id), props.get("Path"), trust)
        defined = self.defined(role, logical_id)
        for index, raw in enumerate(props.get("Policies") or []):
            if isinstance(raw, dict):
                policy_name = r.text(raw.get("PolicyName")) or f"policy{index}"
                document = r.render(raw.get("PolicyDocument"))
                role.inline_policies[policy_name] = document if isinstance(document, dict) else {}
                defined.lines[f"policy:{policy_name}"] = self.line(
                    logical_id, "Properties", "Policies", index
                )
                self._statement_lines(
                    defined, f"policy:{policy_name}", role.inline_policies[policy_name],
                    (logical_id, "Properties", "Policies", index, "PolicyDocument"),
                )
        for index, raw in enumerate(props.get("ManagedPolicyArns") or []):
            arn = r.text(raw)
            own = self._own_policy_document(raw)
            role.attached_policies.append(managed_policy(arn, own))
            defined.lines[f"managed:{arn}"] = self.line(
                logical_id, "Properties", "ManagedPolicyArns", index
            )
            if own is not None:
                self._statement_lines(defined, f"managed:{arn}", own, (raw["Ref"], "Properties", "PolicyDocument"))
        if "PermissionsBoundary" in props:
            boundary = props["PermissionsBoundary"]
            role.permissions_boundary = managed_policy(r.text(boundary), self._own_policy_document(boundary))
            defined.lines["permissions_boundary"] = self.line(logical_id, "Properties", "PermissionsBoundary")
        self.out.roles.append(defined)

    def _statement_lines(
        self, defined: Defined[Role], key: str, document: dict[str, Any], path: tuple[Any, ...]
    ) -> None:
        """`KEY:statement:N` -> the line of the policy's statement N, for findings about it."""
        statements = document.get("Statement")
        if isinstance(statements, list):
            for index in range(len(statements)):
                defined.lines[f"{key}:statement:{index}"] = self.line(*path, "Statement", index)

    def _own_policy_document(self, reference: Any) -> dict[str, Any] | None:
        if isinstance(reference, dict) and isinstance(reference.get("Ref"), str):
            target = reference["Ref"]
            if self.resolver.type_of(target) == "AWS::IAM::ManagedPolicy":
                document = self.resolver.render(self.resolver.props(target).get("PolicyDocument"))
                return document if isinstance(document, dict) else None
        return None

    def attach_policies(self) -> None:
        """AWS::IAM::Policy / ManagedPolicy / RolePolicy resources that name the template's roles."""
        r = self.resolver
        by_name = {defined.item.name: defined for defined in self.out.roles}
        for logical_id in r.resources:
            kind = r.type_of(logical_id)
            props = r.props(logical_id)
            if kind not in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy", "AWS::IAM::RolePolicy"):
                continue
            document = r.render(props.get("PolicyDocument"))
            document = document if isinstance(document, dict) else {}
            targets = (
                props.get("Roles") if kind != "AWS::IAM::RolePolicy" else [props.get("RoleName")]
            )
            for target in targets or []:
                defined = by_name.get(r.text(target))
                if defined is None:
                    continue
                if kind == "AWS::IAM::ManagedPolicy":
                    arn = r.arn_of(logical_id)
                    key = f"managed:{arn}"
                    defined.item.attached_policies.append(managed_policy(arn, document))
                else:
                    policy_name = r.text(props.get("PolicyName")) or logical_id
                    key = f"policy:{policy_name}"
                    defined.item.inline_policies[policy_name] = document
                defined.lines[key] = self.line(logical_id)
                self._statement_lines(defined, key, document, (logical_id, "Properties", "PolicyDocument"))

    def repository(self, logical_id: str, props: dict[str, Any]) -> None:
        r = self.resolver
        name = r.name_of(logical_id)
        api = {"repositoryName": name, "repositoryArn": r.arn_of(logical_id)}
        repository = from_api.repository_from_api({**api, "repositoryUri": repository_uri(name)})
        self.out.repositories.append(self.defined(repository, logical_id))

    def task_definition(self, logical_id: str, props: dict[str, Any]) -> None:
        r = self.resolver
        api = camel_keys(r.render(props), keep_below=frozenset({"Options"}))
        api.update(taskDefinitionArn=r.arn_of(logical_id), family=r.name_of(logical_id))
        task = from_api.task_definition_from_api(api, UNKNOWN_REGION)
        defined = self.defined(task, logical_id)
        for index, raw in enumerate(api.get("containerDefinitions") or []):
            if isinstance(raw, dict):
                defined.lines[f"image:{from_api.text(raw.get('name'))}"] = self.line(
                    logical_id, "Properties", "ContainerDefinitions", index, "Image"
                )
        self.out.task_definitions.append(defined)

    def connection(self, logical_id: str, props: dict[str, Any]) -> None:
        r = self.resolver
        api = {
            "ConnectionArn": r.arn_of(logical_id),
            "ConnectionName": r.text(props.get("ConnectionName")) or logical_id,
            "ProviderType": r.text(props.get("ProviderType")),
        }
        self.out.connections.append(self.defined(from_api.connection_from_api(api), logical_id))


def definitions_from_template(path: str, doc: LocatedDoc) -> Definitions:
    return _TemplateReader(path, doc).read()
