"""CodeConnections, formerly CodeStar Connections: one service under two IAM/ARN prefixes.

A connection ARN carries one prefix; a policy written for the other one does not match it (the
classic cause of "Unable to use Connection"), so both the diagnosis and the configuration checks
need the other prefix of an ARN.
"""

from __future__ import annotations

from pipedoctor.knowledge.arns import arn_service, with_service

CONNECTION_SERVICES = ("codestar-connections", "codeconnections")
USE_CONNECTION_ACTIONS = tuple(f"{service}:UseConnection" for service in CONNECTION_SERVICES)


def is_connection_arn(arn: str) -> bool:
    return arn_service(arn) in CONNECTION_SERVICES and ":connection/" in arn


def other_connection_service(service: str) -> str | None:
    """The other prefix of the connections service; None for any other service."""
    if service not in CONNECTION_SERVICES:
        return None
    return CONNECTION_SERVICES[1 - CONNECTION_SERVICES.index(service)]


def other_prefix_arn(arn: str) -> str | None:
    """The same connection's ARN under the other prefix; None when `arn` is no connections ARN."""
    other = other_connection_service(arn_service(arn))
    return with_service(arn, other) if other else None
