"""A client factory for tests: moto for what moto holds, Stubber for the rest, injected faults.

`StubbedFactory.create(service, region)` returns the real (moto-backed) client, or, when some
of the service's operations are stubbed, a `RoutedClient` that sends those operations (method
calls and `get_paginator(op)`) to a Stubber-activated client of their own and everything else to
the real client. One stubbed client per operation keeps concurrent calls from racing for one
Stubber's ordered queue.

Faults are answered inside botocore's retry loop (`before-send`), so they go through the real
retry handling: a fault with no limit outlasts any max_attempts.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.awsrequest import AWSResponse
from botocore.config import Config
from botocore.stub import Stubber

from pipedoctor.collect import ClientFactory

Replies = dict[tuple[str, str], list[dict[str, Any]]]


@dataclass
class Fault:
    service: str  # boto3 client name: "ecr", "iam", "kms" ...
    operation: str  # API name: "DescribeRepositories"
    code: str
    message: str = "injected by the test"
    status: int = 400


class _Body:
    def __init__(self, data: bytes) -> None:
        self.data = data

    def stream(self, **_: Any) -> list[bytes]:
        return [self.data]


def _error_response(fault: Fault, protocol: str, url: str) -> AWSResponse:
    if protocol == "json":
        body = json.dumps({"__type": fault.code, "message": fault.message}).encode()
        headers = {"x-amzn-ErrorType": fault.code, "Content-Type": "application/x-amz-json-1.1"}
    elif protocol == "query":
        body = (
            "<ErrorResponse><Error><Type>Sender</Type>"
            f"<Code>{fault.code}</Code><Message>{fault.message}</Message>"
            "</Error><RequestId>test</RequestId></ErrorResponse>"
        ).encode()
        headers = {"Content-Type": "text/xml"}
    else:
        raise ValueError(f"no fault support for protocol {protocol}")
    return AWSResponse(url, fault.status, headers, _Body(body))


class RoutedClient:
    def __init__(self, real: Any, stubbed: dict[str, Any]) -> None:
        self._real = real
        self._stubbed = stubbed

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stubbed.get(name, self._real), name)

    def get_paginator(self, operation: str) -> Any:
        return self._stubbed.get(operation, self._real).get_paginator(operation)


class StubbedFactory(ClientFactory):
    def __init__(
        self,
        endpoint_url: str,
        replies: Replies,
        faults: list[Fault] | None = None,
        max_attempts: int = 10,
    ) -> None:
        super().__init__(boto3.Session(), endpoint_url=endpoint_url, max_attempts=max_attempts)
        self.replies = replies
        self.faults = faults or []
        self.attempts: dict[
            str, int
        ] = {}  # "service:Operation" -> HTTP attempts answered by a fault
        self.stubbers: list[Stubber] = []

    def create(self, service: str, region: str, config: Config | None = None) -> Any:
        real = super().create(service, region, config)
        protocol = real.meta.service_model.protocol
        for fault in self.faults:
            if fault.service == service:
                real.meta.events.register(
                    f"before-send.{real.meta.service_model.service_id.hyphenize()}.{fault.operation}",
                    self._answer(fault, protocol),
                )
        stubbed = {}
        for (stub_service, operation), replies in self.replies.items():
            if stub_service != service:
                continue
            client = super().create(service, region, config)
            stubber = Stubber(client)
            for reply in replies:
                if "error" in reply:
                    stubber.add_client_error(
                        operation, reply["error"], expected_params=reply.get("expected")
                    )
                else:
                    stubber.add_response(operation, reply["response"], reply.get("expected"))
            stubber.activate()
            self.stubbers.append(stubber)
            stubbed[operation] = client
        return RoutedClient(real, stubbed) if stubbed else real

    def _answer(self, fault: Fault, protocol: str) -> Any:
        def answer(request: Any, **_: Any) -> AWSResponse:
            key = f"{fault.service}:{fault.operation}"
            self.attempts[key] = self.attempts.get(key, 0) + 1
            return _error_response(fault, protocol, request.url)

        return answer
