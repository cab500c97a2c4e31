"""What buildspec shell commands do: docker use, logins, pushes, variables read, assigned and
resolved."""

from __future__ import annotations

import re

_DOCKER = re.compile(
    r"(?:^|[;&|(`\s])(?:sudo\s+)?(?:docker(?:-compose)?|docker\s+compose)\s+"
    r"(?:build|push|pull|run|login|tag|buildx|compose|images|ps|info|exec|create|save|load|up)\b"
)
_DOCKERD = re.compile(r"(?:^|[/\s;&(])dockerd\b")
_LOGIN = re.compile(
    r"docker\s+login\b|ecr\s+get-login\b|get-login-password|docker-credential-ecr-login"
    r"|ecr-login|finch\s+login|crane\s+auth\s+login"
)
_PUSH = re.compile(r"(?:^|[;&|(\s])docker\s+(?:image\s+)?push\s+(?:-\S+\s+)*(?P<target>[^\s;&|)]+)")
_BUILD = re.compile(r"(?:^|[;&|(\s])docker\s+(?:image\s+)?(?:buildx\s+)?build\b(?P<args>[^;&|]*)")
_SINGLE_QUOTED = re.compile(r"'[^']*'")
_USE = re.compile(
    r"(?<![\\$])\$(?:\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)(?P<op>[^}]*)\}|(?P<bare>[A-Za-z_][A-Za-z0-9_]*))"
)
_ASSIGN = re.compile(
    r"(?:^|[;&|(`\s])(?:export\s+|local\s+|declare\s+(?:-\w+\s+)*|readonly\s+)?([A-Za-z_][A-Za-z0-9_]*)\+?="
)
_DECLARE = re.compile(
    r"\b(?:export|local|declare|readonly|typeset|unset)\s+((?:-\w+\s+)*[A-Za-z_][A-Za-z0-9_ \t]*)"
)
_READ = re.compile(r"\bread\s+(?:-\w+\s+(?:\S+\s+)?)*([A-Za-z_][A-Za-z0-9_ \t]*)")
_FOR = re.compile(r"\bfor\s+([A-Za-z_][A-Za-z0-9_]*)\s+in\b")
# Commands after which any variable may be defined: the buildspec cannot tell which.
_OPAQUE = re.compile(
    r"(?:^|[;&|\s])(?:source|\.)\s+\S|\beval\b|\bexport\s+\$\(|\bset\s+-a\b|\benv\s+-S"
)


def runs_docker(command: str) -> bool:
    return bool(_DOCKER.search(command))


def starts_dockerd(command: str) -> bool:
    return bool(_DOCKERD.search(command))


def logs_in(command: str) -> bool:
    return bool(_LOGIN.search(command))


def push_targets(command: str) -> list[str]:
    return [match.group("target").strip("\"'") for match in _PUSH.finditer(command)]


def dockerfile_of_build(command: str) -> tuple[str, str] | None:
    """(dockerfile as written or "", build context) of a `docker build`, else None."""
    match = _BUILD.search(command)
    if match is None:
        return None
    words = match.group("args").split()
    dockerfile, context, skip = "", "", False
    for index, word in enumerate(words):
        if skip:
            skip = False
            continue
        if word in ("-f", "--file"):
            dockerfile = words[index + 1] if index + 1 < len(words) else ""
            skip = True
        elif word.startswith(("--file=", "-f=")):
            dockerfile = word.split("=", 1)[1]
        elif word.startswith("-"):
            # options with a separate value (-t name, --build-arg X=Y ...)
            skip = "=" not in word and word not in (
                "--no-cache",
                "--pull",
                "-q",
                "--quiet",
                "--rm",
                "--load",
                "--push",
            )
        else:
            context = word
    return dockerfile.strip("\"'"), context.strip("\"'")


def built_tags(command: str) -> list[str]:
    """The image names a `docker build -t NAME[:TAG]` gives (without the tag)."""
    match = _BUILD.search(command)
    if match is None:
        return []
    words = match.group("args").split()
    tags = [words[i + 1] for i, word in enumerate(words[:-1]) if word in ("-t", "--tag")]
    tags += [word.split("=", 1)[1] for word in words if word.startswith(("--tag=", "-t="))]
    return [tag.strip("\"'").rsplit(":", 1)[0] if "/" not in tag.rsplit(":", 1)[-1] else tag for tag in tags]


def used_variables(command: str) -> list[tuple[str, bool]]:
    """(name, has a default) of every `$NAME` / `${NAME...}` the shell expands."""
    text = _SINGLE_QUOTED.sub("''", command)
    found = []
    for match in _USE.finditer(text):
        name = match.group("braced") or match.group("bare")
        op = match.group("op") or ""
        found.append((name, op[:2] in (":-", ":=", ":+") or op[:1] in ("-", "=", "+")))
    return found


def assigned_variables(command: str) -> set[str]:
    names = {match.group(1) for match in _ASSIGN.finditer(command)}
    for pattern in (_DECLARE, _READ):
        for match in pattern.finditer(command):
            names |= {word for word in match.group(1).split() if not word.startswith("-")}
    names |= {match.group(1) for match in _FOR.finditer(command)}
    return names


def is_opaque(command: str) -> bool:
    return bool(_OPAQUE.search(command))


_EXPANSION = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?")
_SIMPLE_ASSIGNMENT = re.compile(r"^\s*(?:export\s+)?([A-Za-z_]\w*)=(\S+)\s*$")


def resolve_variables(text: str, env: dict[str, str]) -> str:
    """Substitute $VAR / ${VAR} from `env`; unknown variables stay as written."""
    for _ in range(3):  # variables defined from other variables
        text = _EXPANSION.sub(lambda m: env.get(m.group(1), m.group(0)), text)
    return text


def with_assignments(commands: list[str], env: dict[str, str]) -> dict[str, str]:
    """`env` plus the one-word assignments (`[export] NAME=value`) the commands make, in order,
    each resolved against what was known before it."""
    env = dict(env)
    for command in commands:
        if (assignment := _SIMPLE_ASSIGNMENT.match(command)) is not None:
            env[assignment.group(1)] = resolve_variables(assignment.group(2).strip("\"'"), env)
    return env
