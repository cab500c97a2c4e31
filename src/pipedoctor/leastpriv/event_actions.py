"""CloudTrail event -> the IAM actions (and resources) it needed.

The default is `<prefix>:<eventName>` when the IAM catalog knows that action, with the prefix taken
from the eventSource host (`ecr.amazonaws.com` -> `ecr`). `event_actions.json` beside this module
holds the exceptions, each row citing the AWS page it comes from:

- `sources`: eventSource hosts whose IAM prefix differs (`monitoring` -> `cloudwatch`, ...);
- `no_permission`: calls that no identity policy governs (`sts:GetCallerIdentity`, sign-in, ...);
- `events`: events that need other or several actions (S3 `ListObjectsV2` -> `s3:ListBucket`,
  `CopyObject` -> `s3:GetObject` on the source + `s3:PutObject` on the target, KMS `ReEncrypt` ->
  `kms:ReEncryptFrom` + `kms:ReEncryptTo`, Lambda `Invoke` -> `lambda:InvokeFunction`); an action
  may read its ARN placeholders from other request parameters (`params`);
- `version_variants`: S3 object calls with a `versionId` need the `...Version...` action;
- `http_verbs`: services whose actions are HTTP verbs (API Gateway: `CreateRestApi` -> `POST`);
- `placeholders`: which `requestParameters` keys fill which ARN-format placeholder.

Versioned event names (`Invoke20150331`, `GetFunction20150331v2`, `UpdateDistribution2016_11_25`)
lose their API-version suffix first. The resource is built from the action's ARN formats in the
catalog and the request parameters (every format the request fills: AWS authorizes each resource a
call names; a parameter holding a list, or an object such as EC2's `instancesSet`, gives one ARN
per value); failing that, the event's `resources` ARNs of the right service; failing that, `*`. An event that maps to nothing known comes back with a reason, never silently.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from pipedoctor.iam import load_catalog
from pipedoctor.knowledge.arns import arn_service

TABLE_PATH = Path(__file__).with_name("event_actions.json")
_VERSION_SUFFIX = re.compile(r"^(?P<name>[A-Za-z]+?)(?:\d{8}(?:v\d+)?|\d{4}_\d{2}_\d{2})$")
_PLACEHOLDER = re.compile(r"\$\{([A-Za-z]+)\}")
COPY_SOURCE = "x-amz-copy-source"
MAX_ARNS = 50  # resources one event may name (instancesSet, instanceIds ...)


@dataclass(frozen=True)
class Event:
    """What of one CloudTrail event (or of a group of identical ones) decides its IAM needs."""

    event_source: str  # "s3.amazonaws.com" (some old records say just "s3")
    event_name: str
    region: str = ""
    account: str = ""  # the account that owns the resources (recipientAccountId)
    partition: str = "aws"
    params: Mapping[str, str] = field(default_factory=dict)  # selected requestParameters, as text
    resources: tuple[str, ...] = ()  # ARNs from the event's `resources` field


@dataclass(frozen=True)
class Mapped:
    """The (action, resource) pairs an event needed; `skip_reason` when it maps to nothing known."""

    needs: tuple[tuple[str, str], ...] = ()
    skip_reason: str | None = None
    no_permission: bool = False  # the call needs no IAM permission (not a skip)


@cache
def table() -> dict[str, Any]:
    with TABLE_PATH.open(encoding="utf-8") as handle:
        return json.load(handle)


@cache
def request_parameter_keys() -> tuple[str, ...]:
    """Every requestParameters key the mapping reads (sources select these and nothing else)."""
    data = table()
    keys: set[str] = {data["version_variants"]["parameter"], COPY_SOURCE}
    for name, candidates in data["placeholders"].items():
        if not name.startswith("_"):
            keys.update(candidates)
    for row in data["events"].values():
        for entry in row["actions"]:
            keys.update(
                key for key in entry.get("params", {}).values() if not key.startswith("copySource")
            )
    return tuple(sorted(keys))


def service_prefix(event_source: str) -> str:
    """`monitoring.amazonaws.com` -> `cloudwatch`; `s3` -> `s3`."""
    host = event_source.strip().lower().removesuffix(".amazonaws.com")
    renamed = table()["sources"].get(host)
    return renamed["prefix"] if renamed else host


def base_event_name(event_name: str) -> str:
    """Drops an API-version suffix: `Invoke20150331` -> `Invoke`, `GetFunction20150331v2` -> `GetFunction`."""
    match = _VERSION_SUFFIX.match(event_name)
    return match.group("name") if match else event_name


ActionEntry = tuple[str, Mapping[str, str], tuple[str, ...]]  # action, param overrides, formats


@cache
def _actions_for(prefix: str, event_name: str) -> tuple[tuple[ActionEntry, ...], str | None]:
    """((action, placeholder->param overrides, ARN formats it may use) ...), or ((), reason);
    ((), None) = no permission."""
    key = f"{prefix}:{event_name}"
    data = table()
    if key in data["no_permission"]:
        return (), None
    row = data["events"].get(key)
    if row is not None:
        return tuple(
            (entry["action"], entry.get("params", {}), tuple(entry.get("formats", ())))
            for entry in row["actions"]
        ), None
    catalog = load_catalog()
    info = catalog.action(key)
    verbs = data["http_verbs"].get(prefix, {}).get("verbs", {})
    verb = next((verb for start, verb in verbs.items() if event_name.startswith(start)), None)
    if info is None and verb:
        info = catalog.action(f"{prefix}:{verb}")
    if info is not None:
        return ((info.name, {}, ()),), None
    if not catalog.service_exists(prefix):
        return (), f"unknown event source {prefix!r} (no IAM service prefix)"
    return (), f"no IAM action for event {key}"


def map_event(event: Event) -> Mapped:
    """The IAM needs of one event (see the module docstring for the rules)."""
    prefix = service_prefix(event.event_source)
    actions, reason = _actions_for(prefix, base_event_name(event.event_name))
    if reason is not None:
        return Mapped(skip_reason=reason)
    if not actions:
        return Mapped(no_permission=True)
    params = _with_copy_source(event.params)
    variants = table()["version_variants"]
    versioned = bool(params.get(variants["parameter"]))
    needs: list[tuple[str, str]] = []
    for action, overrides, formats in actions:
        if versioned:
            action = variants["actions"].get(action, action)
        for resource in _resources(action, event, params, overrides, formats):
            needs.append((action, resource))
    return Mapped(needs=tuple(dict.fromkeys(needs)))


def _with_copy_source(params: Mapping[str, str]) -> Mapping[str, str]:
    """Adds copySourceBucket/copySourceKey from S3's `x-amz-copy-source` ("bucket/key?versionId=")."""
    source = params.get(COPY_SOURCE)
    if not source:
        return params
    bucket, _, key = unquote(source.split("?", 1)[0]).lstrip("/").partition("/")
    return {**params, "copySourceBucket": bucket, "copySourceKey": key}


def _resources(
    action: str,
    event: Event,
    params: Mapping[str, str],
    overrides: Mapping[str, str],
    formats: tuple[str, ...],
) -> list[str]:
    """Every ARN the call names, one per resource type it names (AWS authorizes each one:
    `ssm:SendCommand` on the document and on every instance)."""
    catalog = load_catalog()
    if not catalog.supports_resource_level(action):
        return ["*"]
    found: list[str] = []
    for arn_format in catalog.resource_arn_formats(action):
        if formats and not any(part in arn_format for part in formats):
            continue
        found += _fill(arn_format, event, params, overrides)
    if found:
        return list(dict.fromkeys(found))
    services = catalog.resource_services(action)
    listed = [arn for arn in event.resources if arn_service(arn).lower() in services]
    return listed or ["*"]


def _fill(
    arn_format: str, event: Event, params: Mapping[str, str], overrides: Mapping[str, str]
) -> list[str]:
    """The ARN format filled from the event, once per value a placeholder takes ([] if one
    cannot be filled)."""
    placeholders = table()["placeholders"]
    fixed = {"Partition": event.partition, "Region": event.region, "Account": event.account}
    names = list(dict.fromkeys(_PLACEHOLDER.findall(arn_format)))
    if all(name in fixed for name in names):
        return []  # a fixed path: nothing in the request says it is this resource
    choices: dict[str, list[str]] = {}
    for name in names:
        if name in fixed:
            if not fixed[name]:
                return []
            choices[name] = [fixed[name]]
            continue
        keys = [overrides[name]] if name in overrides else placeholders.get(name, [])
        raw = next((params[key] for key in keys if params.get(key)), None)
        if raw is None:
            return []
        values = _values(name, raw)
        arns = [value for value in values if value.startswith("arn:")]
        if arns:
            # Already ARNs (keyId, secretId, functionName ... may be given as one).
            return [arn for arn in arns if arn_service(arn).lower() == arn_service(arn_format).lower()]
        shaped = [text for value in values if (text := _shape(name, value, arn_format)) is not None]
        if not shaped:
            return []
        choices[name] = shaped
    filled = []
    for combination in itertools.islice(itertools.product(*choices.values()), MAX_ARNS):
        chosen = dict(zip(choices, combination, strict=True))
        filled.append(_PLACEHOLDER.sub(lambda match, c=chosen: c[match.group(1)], arn_format))
    return filled


def _values(placeholder: str, raw: str) -> list[str]:
    """The request parameter's value(s): a name, a JSON list of names, or the `instanceId`-like
    fields anywhere inside a JSON object (`instancesSet.items[].instanceId`)."""
    if not raw.startswith(("[", "{")):
        return [raw]
    try:
        parsed = json.loads(raw)
    except ValueError:
        return []
    field_name = placeholder[0].lower() + placeholder[1:]
    found: list[str] = []
    pending = [parsed]
    while pending and len(found) < MAX_ARNS:
        item = pending.pop(0)
        if isinstance(item, str) and not isinstance(parsed, dict):
            found.append(item)
        elif isinstance(item, list):
            pending.extend(item)
        elif isinstance(item, dict):
            for key, value in item.items():
                if key == field_name and isinstance(value, str):
                    found.append(value)
                elif isinstance(value, (dict, list)):
                    pending.append(value)
    return found


def _shape(placeholder: str, value: str, arn_format: str) -> str | None:
    """Request-parameter text as the ARN wants it (None when it names no resource of this
    format)."""
    if not value:
        return None
    if placeholder == "InstanceId" and (":managed-instance/" in arn_format) != value.startswith(
        "mi-"
    ):
        return None  # Systems Manager managed instances are mi-..., EC2 instances i-...
    if placeholder == "ParameterNameWithoutLeadingSlash":
        return value.lstrip("/")
    if placeholder == "SecretId":
        return f"{value}-??????"  # secret ARNs end in a random six-character suffix
    if placeholder == "KeyId" and value.startswith("alias/"):
        return None  # permissions are checked on the key, not the alias
    return value


