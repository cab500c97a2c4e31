"""CodeConnections / CodeStar Connections, each read through the namespace its ARN names."""

from __future__ import annotations

from typing import Any

from pipedoctor.collect.reader import Reader
from pipedoctor.knowledge.arns import arn_service
from pipedoctor.knowledge.connections import CONNECTION_SERVICES
from pipedoctor.model import Connection
from pipedoctor.model.from_api import connection_from_api


def client_service(arn: str) -> str | None:
    """The boto3 client for a connection: an ARN answers only in the namespace it was made in,
    and the namespace is also the client's name."""
    service = arn_service(arn)
    return service if service in CONNECTION_SERVICES else None


def connection(reader: Reader, client: Any, arn: str) -> Connection | None:
    response = reader.call(client, "get_connection", resource=arn, ConnectionArn=arn)
    if response is None:
        return None
    raw = response["Connection"]
    return connection_from_api({"ConnectionArn": arn, **raw})
