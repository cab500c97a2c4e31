"""CodeConnections / CodeStar Connections, each read through the namespace its ARN names."""

from __future__ import annotations

from typing import Any

from pipedoctor.collect.reader import Reader
from pipedoctor.collect.values import arn_service
from pipedoctor.model import Connection
from pipedoctor.model.from_api import connection_from_api

# One service under two API names; an ARN answers only in the namespace it was made in, and
# the namespace is also the boto3 client name.
NAMESPACES = ("codeconnections", "codestar-connections")


def client_service(arn: str) -> str | None:
    service = arn_service(arn)
    return service if service in NAMESPACES else None


def connection(reader: Reader, client: Any, arn: str) -> Connection | None:
    response = reader.call(client, "get_connection", resource=arn, ConnectionArn=arn)
    if response is None:
        return None
    raw = response["Connection"]
    return connection_from_api({"ConnectionArn": arn, **raw})
