"""AWS authorization errors read into who was denied what, on which resource, by which policy layer.

AWS words a denial in a handful of formats that survive being wrapped by the CLI, Docker, ECS,
CodeBuild and CloudFormation: "User: P is not authorized to perform: A on resource: R because no
identity-based policy allows the A action", "... with an explicit deny in a service control
policy", "An error occurred (AccessDenied) when calling the PutObject operation: Access Denied",
"Encoded authorization failure message: ...", "The provided role does not have sufficient
permissions", CodePipeline's "role associated with the action does not have S A permission",
Lambda's "The provided execution role does not have permissions to call O on S", CloudFormation's
"User doesn't have permission to call A", the Go SDK's "operation error S: O, https response error
StatusCode: 403", and the bare "Not authorized to perform DescribeSecurityGroups" (an API operation,
no principal) that services write when they check a role's access for themselves. Log lines often
break such a message over several lines, so the reader works on whitespace-normalised text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Layers as AWS names them after "no" (implicit deny) or "an explicit deny in a/an".
LAYERS = (
    "identity-based policy",
    "resource-based policy",
    "service control policy",
    "resource control policy",
    "permissions boundary",
    "session policy",
    "VPC endpoint policy",
)
# Layers the denied principal's own account cannot change by editing the role's policies.
GUARDRAIL_LAYERS = {
    "service control policy",
    "resource control policy",
    "permissions boundary",
    "session policy",
}

_ARN_CHARS = r"[^\s\"',;)]+"
_NOT_AUTHORIZED = re.compile(
    r"(?:User:\s*(?P<principal>arn:aws[\w-]*:(?:sts|iam)::[^:\s]*:[^\s\"',;)]+|anonymous)\s+)?"
    r"is not authorized to perform:?\s*(?P<action>[\w-]+:[\w*-]+|<[^<>\n]{1,40}>)"
    r"(?:\s+on resource:\s*\"?(?P<resource>" + _ARN_CHARS + r")\"?)?"
    r"(?P<tail>\s+(?:because no [\w -]+? allows|with an explicit deny(?: in an? [\w -]+?(?:policy|boundary))?))?",
    re.IGNORECASE,
)
_BECAUSE_NO = re.compile(r"because no (" + "|".join(LAYERS) + r") allows", re.IGNORECASE)
_EXPLICIT_IN = re.compile(
    r"with an explicit deny in an? (" + "|".join(LAYERS) + r")", re.IGNORECASE
)
_CLI = re.compile(
    r"An error occurred \((?P<code>[\w.]+)\) when calling the (?P<operation>\w+) operation"
)
# The Go SDK's wording (Terraform, Copilot, the ECS agent, eksctl): "operation error ECR:
# GetAuthorizationToken, https response error StatusCode: 400, RequestID: ..., api error
# AccessDeniedException: ..."; the service is the SDK's service id ("Secrets Manager", "CloudWatch Logs").
_GO_OPERATION = re.compile(
    r"operation error (?P<service>[A-Za-z][\w ]*?): (?P<operation>[A-Z]\w+), https response error "
    r"StatusCode: (?P<status>\d{3})(?P<rest>[^\n]{0,300})"
)
_DENIED_CODE = re.compile(r"\b\w*(?:AccessDenied|Unauthorized|Forbidden|NotAuthorized)\w*")
_SDK_CODE = re.compile(
    r"(?:Error Code|ErrorCode|Code)\s*[:=]\s*(?P<code>\w*(?:AccessDenied|Unauthorized|Forbidden)\w*)"
)
# The message itself is often redacted when posted ("<encoded message>", "..."): the form still says
# which kind of denial it is.
_ENCODED = re.compile(
    r"Encoded authorization failure message:?\s*(?P<encoded>[\w-]+)?", re.IGNORECASE
)
REDACTED_MESSAGE = "(the encoded message)"
_PROVIDED_ROLE = re.compile(
    r"(?:the )?provided role\s*(?:\"(?P<role>[^\"]+)\"\s*)?does not have (?:sufficient )?permissions?",
    re.IGNORECASE,
)
# CodePipeline's words when an action's role cannot read what went wrong, e.g. "Status reason is not
# available because IAM role associated with the action does not have CloudFormation
# DescribeStackEvents permission".
_ACTION_ROLE_LACKS = re.compile(
    r"role associated with the action does not have (?P<service>[A-Za-z]+) (?P<operation>[A-Z]\w+) permission",
    re.IGNORECASE,
)
# Lambda's check of a function's execution role ("The provided execution role does not have
# permissions to call CreateNetworkInterface on EC2"): the function's role, no role of the pipeline.
_EXECUTION_ROLE_LACKS = re.compile(
    r"provided execution role does not have permissions? to call (?P<operation>[A-Z]\w+) on (?P<service>[A-Za-z0-9]+)",
    re.IGNORECASE,
)
PROVIDED_EXECUTION_ROLE = "the provided execution role"
# CloudFormation resolving a parameter or a dynamic reference with the caller's credentials: "User
# doesn't have permission to call ssm:GetParameters".
_NO_PERMISSION_TO_CALL = re.compile(
    r"\b(?:User|Role) (?:doesn't|does not) have permissions? to call (?P<action>[a-z0-9-]+:[A-Za-z*]+)"
)
# The provided_role of a denial that does not name its role.
UNNAMED_ROLES = ("provided role", "action role")
BARE_OPERATION_CODE = "NotAuthorized"
# The operation-only form, e.g. CodeBuild checking its service role's VPC access at CreateProject.
_BARE_OPERATION = re.compile(r"(?<![Ii]s )\bNot authorized to perform (?P<operation>[A-Z][A-Za-z]+)\b(?!:)")
_ACCESS_DENIED = re.compile(r"\bAccess ?Denied(?:Exception)?\b|\b403 Forbidden\b", re.IGNORECASE)
# Docker's "pull access denied for NAME, repository does not exist or may require 'docker login'"
# about a name without a registry host, i.e. on Docker Hub.
_DOCKER_HUB_PULL = re.compile(r"pull access denied for [a-z0-9][a-z0-9_/-]*(?::[\w.-]+)?[,\s]", re.IGNORECASE)
_PULL_CONTEXT = re.compile(
    r"CannotPull\w*Container|pull image manifest|\.dkr\.ecr\.", re.IGNORECASE
)
# "Access denied to connection <arn>", the ARN often redacted, and CodeBuild's "Failed to get access
# token from <connection>": the GetConnectionToken call a GitHub App connection's build makes.
_CONNECTION_DENIED = re.compile(r"\bAccess denied to connection\b", re.IGNORECASE)
_CONNECTION_TOKEN = re.compile(r"Failed to get access token from", re.IGNORECASE)
_SERVICE_NAME = re.compile(r"\(Service:\s*(?P<service>[\w ]+?)\s*[;,)]", re.IGNORECASE)
_ARN_NAMED = re.compile(
    r"\s+(?:to|on|for)\s+(?:[\w-]+\s+){0,2}(arn:aws[\w-]*:[\w-]+:[^\s\"',;)]+)", re.IGNORECASE
)
# Accounts are often redacted in posted errors ("xxxx", "ACCOUNT"), so any account text is taken.
_ROLE_PRINCIPAL = re.compile(
    r"arn:(?P<partition>aws[\w-]*):(?:sts|iam)::(?P<account>[^:\s]*):(?P<kind>assumed-role|role)/(?P<path>\S+)$"
)
_ANY_ARN = re.compile(r"arn:aws[\w-]*:([\w-]+):")
_S3_ARN = re.compile(r"arn:aws[\w-]*:s3:::[^\s\"',;)]+")

# "(Service: Amazon S3; ..." and similar SDK service names to IAM prefixes.
_SERVICE_PREFIXES = {
    "amazon s3": "s3",
    "s3": "s3",
    "amazons3": "s3",
    "awskms": "kms",
    "kms": "kms",
    "amazonecs": "ecs",
    "ecs": "ecs",
    "awscodebuild": "codebuild",
    "codebuild": "codebuild",
    "amazonecr": "ecr",
    "ecr": "ecr",
    "awscodedeploy": "codedeploy",
    "awssecurittokenservice": "sts",
    "awssecuritytokenservice": "sts",
    "amazonidentitymanagement": "iam",
    "iam": "iam",
    "secretsmanager": "secretsmanager",
    "cloudwatchlogs": "logs",
    "ecrpublic": "ecr-public",
    "elasticloadbalancingv2": "elasticloadbalancing",
}


def _listed_prefix(name: str) -> str:
    """The IAM prefix of an SDK's name for a service, as listed (spaces or not), else ""."""
    key = name.strip().lower()
    return _SERVICE_PREFIXES.get(key, _SERVICE_PREFIXES.get(key.replace(" ", ""), ""))


def _service_prefix(name: str) -> str:
    """The Go SDK's service id as its IAM prefix; a one-word id that is not listed is the prefix."""
    key = name.strip().lower()
    return _listed_prefix(key) or (key if re.fullmatch(r"[a-z0-9]+", key) else "")


@dataclass(frozen=True)
class AuthorizationError:
    """One denial: each field is empty when the text does not say it."""

    principal: str = ""  # the ARN AWS printed (assumed-role session, user, role)
    action: str = ""  # service:Action
    resource: str = ""
    layer: str = ""  # one of LAYERS
    explicit_deny: bool = False
    code: str = ""  # AccessDenied, AccessDeniedException, UnauthorizedOperation, ...
    operation: str = ""  # the API operation the CLI/SDK called
    service: str = ""  # IAM service prefix, from the action or the SDK's service name
    encoded: str = ""  # an encoded authorization message to decode with STS
    provided_role: str = ""  # "the provided role" message: the role it names, or "provided role"

    def _role_parts(self) -> tuple[str, str, str, str] | None:
        """(partition, account, role name, session name) of a role or assumed-role principal."""
        found = _ROLE_PRINCIPAL.match(self.principal)
        if found is None:
            return None
        segments = found.group("path").split("/")
        if found.group("kind") == "role":
            name, session = segments[-1], ""
        else:
            name, session = segments[0], "/".join(segments[1:])
        # A role the poster hid behind a stand-in ("assumed-role/{role}/...") names no role.
        if _REDACTION.search(name):
            return None
        return found.group("partition"), found.group("account"), name, session

    @property
    def blocked_by_guardrail(self) -> bool:
        """A guardrail denies the call or does not allow it, or a Deny whose layer AWS does not name
        (its older wording) does: no Allow in the role's own policies can fix either."""
        return self.layer in GUARDRAIL_LAYERS or (self.explicit_deny and not self.layer)

    @property
    def by_iam_user(self) -> bool:
        """An IAM user was denied (a person's or a CI system's keys), no role."""
        return _IAM_USER.match(self.principal) is not None

    @property
    def role_name(self) -> str:
        """The role's name for an assumed-role session or a role ARN, else ""."""
        parts = self._role_parts()
        return parts[2] if parts else ""

    @property
    def session_name(self) -> str:
        parts = self._role_parts()
        return parts[3] if parts else ""

    @property
    def role_arn(self) -> str:
        """The IAM role ARN behind the principal (an assumed-role session's path is not printed)."""
        parts = self._role_parts()
        if parts is None:
            return ""
        if ":role/" in self.principal:
            return self.principal
        partition, account, name, _ = parts
        return f"arn:{partition}:iam::{account}:role/{name}"


_IAM_USER = re.compile(r"arn:aws[\w-]*:iam::[^:]*:user/")
_ARN_BROKEN = re.compile(r"(arn:aws[\w-]*:\S*[/:])[ \t]*\n\s*(?=[\w-])")
_TERMINAL_PADDING = re.compile(r"(?<=\S) {40,}(?=\S)")


def _flatten(text: str) -> str:
    """One line: log prefixes and line breaks inside a message become single spaces; a break right
    after an ARN's / or : (a log wrapped at its width) joins the ARN's two parts, and so does the
    padding a terminal wrapped a word with (a run far wider than any gap between words)."""
    text = _ARN_BROKEN.sub(r"\1", text)
    text = _TERMINAL_PADDING.sub("", text)
    text = re.sub(r"\n\s*(?:\d+\s*\|\s*)?(?:\[Container\] \S+ \S+ )?", " ", text)
    return re.sub(r"[ \t]+", " ", text)


def _layer(tail: str) -> tuple[str, bool]:
    explicit = _EXPLICIT_IN.search(tail)
    if explicit:
        return _canonical_layer(explicit.group(1)), True
    if "explicit deny" in tail.lower():
        return "", True
    implicit = _BECAUSE_NO.search(tail)
    return (_canonical_layer(implicit.group(1)), False) if implicit else ("", False)


def _canonical_layer(name: str) -> str:
    return next(layer for layer in LAYERS if layer.lower() == name.lower())


def _service_from_text(text: str) -> str:
    named = _SERVICE_NAME.search(text)
    if named:
        return _listed_prefix(named.group("service"))
    go_sdk = _GO_OPERATION.search(text)
    if go_sdk:
        return _service_prefix(go_sdk.group("service"))
    arn = _ANY_ARN.search(text)
    if arn and arn.group(1) != "iam" and arn.group(1) != "sts":
        return arn.group(1).lower()
    if _S3_ARN.search(text) or re.search(
        r"\bs3://|\bS3 bucket\b|\bs3 (?:cp|sync)\b", text, re.IGNORECASE
    ):
        return "s3"
    if _PULL_CONTEXT.search(text) or re.search(
        r"^denied:|\bdenied: requested access", text, re.IGNORECASE | re.MULTILINE
    ):
        return "ecr"
    return ""


def _near(text: str, start: int, end: int, pattern: re.Pattern[str]) -> re.Match[str] | None:
    """The match of `pattern` closest before `start` within the same message, else just after."""
    before = [m for m in pattern.finditer(text, max(0, start - 400), start)]
    if before:
        return before[-1]
    return pattern.search(text, end, end + 400)


def parse_authorization_errors(text: str) -> list[AuthorizationError]:
    """Every denial the text states, in order; duplicates (the same message repeated) once."""
    flat = _flatten(text)
    found: list[AuthorizationError] = []
    covered: list[tuple[int, int]] = []
    for match in _NOT_AUTHORIZED.finditer(flat):
        layer, explicit = _layer(match.group("tail") or "")
        if not match.group("tail"):
            layer, explicit = _layer(flat[match.end() : match.end() + 200])
        cli = _near(flat, match.start(), match.end(), _CLI)
        code = cli.group("code") if cli else ""
        if not code:
            sdk = _SDK_CODE.search(flat, match.end(), match.end() + 400)
            code = sdk.group("code") if sdk else ""
        # A poster's redaction ("<ACTION>") says nothing of the action; the form still says the rest.
        action = "" if match.group("action").startswith("<") else match.group("action")
        found.append(
            AuthorizationError(
                principal=match.group("principal") or "",
                action=action,
                resource=_unredacted((match.group("resource") or "").rstrip(".")),
                layer=layer,
                explicit_deny=explicit,
                code=code,
                operation=cli.group("operation") if cli else "",
                service=action.split(":", 1)[0].lower(),
            )
        )
        covered.append((match.start(), match.end()))
    for match in _ENCODED.finditer(flat):
        cli = _near(flat, match.start(), match.end(), _CLI)
        found.append(
            AuthorizationError(
                code=cli.group("code") if cli else "UnauthorizedOperation",
                operation=cli.group("operation") if cli else "",
                encoded=match.group("encoded") or REDACTED_MESSAGE,
                service=_service_from_text(flat[max(0, match.start() - 300) : match.end()]),
            )
        )
        covered.append((match.start(), match.end()))
    for match in _PROVIDED_ROLE.finditer(flat):
        window = flat[max(0, match.start() - 300) : match.end() + 300]
        found.append(
            AuthorizationError(
                provided_role=match.group("role") or "provided role",
                service=_service_from_text(window),
                resource=_resource_in(window),
            )
        )
        covered.append((match.start(), match.end()))
    for match in _ACTION_ROLE_LACKS.finditer(flat):
        found.append(
            AuthorizationError(
                provided_role="action role",
                service=match.group("service").lower(),
                operation=match.group("operation"),
            )
        )
        covered.append((match.start(), match.end()))
    for match in _EXECUTION_ROLE_LACKS.finditer(flat):
        found.append(
            AuthorizationError(
                provided_role=PROVIDED_EXECUTION_ROLE,
                operation=match.group("operation"),
                service=match.group("service").lower(),
            )
        )
        covered.append((match.start(), match.end()))
    for match in _NO_PERMISSION_TO_CALL.finditer(flat):
        action = match.group("action")
        sdk = _SDK_CODE.search(flat, match.end(), match.end() + 400)
        found.append(
            AuthorizationError(
                action=action,
                code=sdk.group("code") if sdk else "",
                service=action.split(":", 1)[0],
            )
        )
        covered.append((match.start(), match.end()))
    for match in _BARE_OPERATION.finditer(flat):
        if any(start <= match.start() <= end for start, end in covered):
            continue
        operation = match.group("operation")
        window = flat[match.end() : match.end() + 300]
        found.append(
            AuthorizationError(
                code=BARE_OPERATION_CODE,
                operation=operation,
                service=_service_of_operation(operation) or _service_from_text(window),
            )
        )
        covered.append((match.start(), match.end()))
    for match in _CLI.finditer(flat):
        if not re.search(
            r"AccessDenied|Unauthorized|Forbidden|NotAuthorized", match.group("code"), re.IGNORECASE
        ):
            continue
        if any(start - 400 <= match.start() <= end for start, end in covered):
            continue
        window = flat[match.start() : match.end() + 300]
        found.append(
            AuthorizationError(
                code=match.group("code"),
                operation=match.group("operation"),
                service=_service_of_operation(match.group("operation"))
                or _service_from_text(window),
                resource=_resource_in(window),
            )
        )
        covered.append((match.start(), match.end()))
    for match in _GO_OPERATION.finditer(flat):
        code = _DENIED_CODE.search(match.group("rest"))
        if not code and match.group("status") != "403":
            continue
        if any(start - 400 <= match.start() <= end for start, end in covered):
            continue
        found.append(
            AuthorizationError(
                code=code.group(0) if code else "403",
                operation=match.group("operation"),
                service=_service_prefix(match.group("service")),
                resource=_resource_in(match.group("rest")),
            )
        )
        covered.append((match.start(), match.end()))
    for match in _ACCESS_DENIED.finditer(flat):
        if any(start - 400 <= match.start() <= end + 400 for start, end in covered):
            continue
        if _DOCKER_HUB_PULL.match(flat, max(0, match.start() - 5)):
            continue  # Docker's answer for a Docker Hub name: no AWS policy is involved
        window = flat[max(0, match.start() - 300) : match.end() + 300]
        named = _ARN_NAMED.match(flat, match.end())  # "Access denied to connection arn:..."
        service = (
            _ANY_ARN.match(named.group(1)).group(1).lower() if named else _service_from_text(window)
        )
        operation = ""
        if not named and _CONNECTION_DENIED.match(flat, match.start()):
            service = "codeconnections"
            operation = "GetConnectionToken" if _CONNECTION_TOKEN.search(window) else ""
        if not service and re.search(r"\bAccess Denied\b", window):
            service = "s3"  # S3 words its denials exactly so; other services name the action
        found.append(
            AuthorizationError(
                code="AccessDenied" if "403" not in match.group(0) else "403",
                operation=operation,
                service=service,
                resource=named.group(1).rstrip(".") if named else _resource_in(window),
            )
        )
        covered.append((match.start(), match.end()))
    return list(dict.fromkeys(found))


# A poster's stand-in for a value they hid ("on resource: {role}"): no resource to name or grant on.
_REDACTION = re.compile(r"\{[\w.-]*\}")


def _unredacted(resource: str) -> str:
    return "" if _REDACTION.search(resource) else resource


def _resource_in(window: str) -> str:
    arn = re.search(
        r"arn:aws[\w-]*:[\w-]+:[\w-]*:\d{0,12}:[^\s\"',;)]+|arn:aws[\w-]*:s3:::[^\s\"',;)]+", window
    )
    if not arn:
        return ""
    # "... for <ARN>: AccessDeniedException": the colon is the message's, not the ARN's (a log
    # stream's ARN may end in one)
    if _ERROR_CODE_AFTER.match(window, arn.end()):
        return _unredacted(arn.group(0).rstrip(".:"))
    return _unredacted(arn.group(0).rstrip("."))


_ERROR_CODE_AFTER = re.compile(r"\s+[A-Z]\w*(?:Exception|Denied|Error)\b")


# The EC2 calls a service makes in a customer's VPC with the customer's role (CodeBuild's VPC
# support, awsvpc tasks): documented as the role's required VPC permissions.
VPC_OPERATIONS = frozenset(
    {
        "DescribeSecurityGroups",
        "DescribeSubnets",
        "DescribeVpcs",
        "DescribeDhcpOptions",
        "DescribeNetworkInterfaces",
        "CreateNetworkInterface",
        "CreateNetworkInterfacePermission",
        "DeleteNetworkInterface",
    }
)
# Operation names whose service is unambiguous (the CLI message names no service).
_OPERATION_SERVICES = {
    "GetAuthorizationToken": "ecr",
    "PutImage": "ecr",
    "BatchGetImage": "ecr",
    "InitiateLayerUpload": "ecr",
    "GetObject": "s3",
    "PutObject": "s3",
    "ListObjectsV2": "s3",
    "HeadObject": "s3",
    "AssumeRole": "sts",
    "GetSecretValue": "secretsmanager",
    "GetParameter": "ssm",
    "GetParameters": "ssm",
    "Decrypt": "kms",
    "GenerateDataKey": "kms",
    "StartBuild": "codebuild",
    "RegisterTaskDefinition": "ecs",
    "UpdateService": "ecs",
    "CreateDeployment": "codedeploy",
    "PassRole": "iam",
    **dict.fromkeys(VPC_OPERATIONS, "ec2"),
}


def _service_of_operation(operation: str) -> str:
    return _OPERATION_SERVICES.get(operation, "")


# API operations whose IAM action has another name.
_OPERATION_ACTIONS = {
    "s3:ListObjectsV2": "s3:ListBucket",
    "s3:ListObjects": "s3:ListBucket",
    "s3:HeadBucket": "s3:ListBucket",
    "s3:HeadObject": "s3:GetObject",
    "s3:CopyObject": "s3:PutObject",
    "s3:CreateMultipartUpload": "s3:PutObject",
    "s3:UploadPart": "s3:PutObject",
    "s3:CompleteMultipartUpload": "s3:PutObject",
}


def denied_action(error: AuthorizationError) -> str:
    """service:Action as stated, or as the CLI's operation implies; "" when neither says it."""
    if error.action:
        return error.action
    if not (error.service and error.operation):
        return ""
    action = f"{error.service}:{error.operation}"
    return _OPERATION_ACTIONS.get(action, action)


def describe(error: AuthorizationError, kind: str = "") -> str:
    """One sentence saying what AWS stated, without any part it did not state."""
    who = error.role_name or _unredacted(error.principal)
    if not who and error.provided_role not in ("", *UNNAMED_ROLES):
        who = error.provided_role
    what = denied_action(error)
    if who or kind:
        subject = (f"{who} ({kind})" if kind else who) if who else f"The {kind}"
        sentence = f"{subject} was denied {what or 'access'}"
        if error.resource:
            sentence += f" {'on' if what else 'to'} {error.resource}"
    else:
        sentence = f"A call{f' to {what}' if what else ''} was denied"
        if error.resource:
            sentence += f" on {error.resource}"
    if error.layer and error.explicit_deny:
        sentence += f": an explicit deny in a {error.layer}"
    elif error.layer:
        sentence += f": no {error.layer} allows it"
    elif error.explicit_deny:
        sentence += ": an explicit deny"
    return sentence + "."
