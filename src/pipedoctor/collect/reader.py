"""Reads that tolerate failure: a failed call becomes a CollectionError and collection goes on."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from typing import Any, TypeVar

from botocore.exceptions import BotoCoreError, ClientError
from botocore.parsers import ResponseParserError

from pipedoctor.errors import one_line
from pipedoctor.model import CollectionError

T = TypeVar("T")

# What a call can raise because of AWS or the endpoint: an answer botocore cannot parse (an HTML
# page where XML was expected) raises ResponseParserError, which is not a BotoCoreError.
AWS_ERRORS = (ClientError, BotoCoreError, ResponseParserError)


class Reader:
    """Calls AWS, records what failed, and remembers what was already fetched in this run."""

    def __init__(self) -> None:
        self.errors: list[CollectionError] = []
        self._lock = threading.Lock()
        self._memo: dict[tuple[str, str], Future[Any]] = {}

    def call(
        self,
        client: Any,
        operation: str,
        resource: str = "",
        absent: Iterable[str] = (),
        **params: Any,
    ) -> dict[str, Any] | None:
        """`client.<operation>(**params)`, or None when it failed or the thing is `absent`."""
        try:
            return getattr(client, operation)(**params)
        except AWS_ERRORS as error:
            if _code(error) not in absent:
                self.record(client, operation, error, resource)
            return None

    def pages(
        self, client: Any, operation: str, resource: str = "", **params: Any
    ) -> list[dict[str, Any]] | None:
        """Every page of a paginated operation, or None when any page failed."""
        try:
            return list(client.get_paginator(operation).paginate(**params))
        except AWS_ERRORS as error:
            self.record(client, operation, error, resource)
            return None

    def record(self, client: Any, operation: str, error: Exception, resource: str) -> None:
        service = client.meta.service_model.service_name
        name = getattr(error, "operation_name", "") or _pascal(operation)
        found = CollectionError(service, name, _code(error), error_message(error), resource)
        with self._lock:
            self.errors.append(found)

    def once(self, kind: str, key: str, fetch: Callable[[], T]) -> T:
        """`fetch()` the first time (kind, key) is asked for; later callers get the same result.

        The first caller computes in its own thread, so a caller that waits always waits on a
        running computation (no pool deadlock).
        """
        with self._lock:
            future = self._memo.get((kind, key))
            owner = future is None
            if future is None:
                future = Future()
                self._memo[(kind, key)] = future
        if not owner:
            return future.result()
        try:
            value = fetch()
        except BaseException as error:
            future.set_exception(error)
            raise
        future.set_result(value)
        return value


def error_message(error: Exception) -> str:
    """The one-line message of a failed call (an HTML page said by its title)."""
    if isinstance(error, ClientError):
        message = error.response.get("Error", {}).get("Message", "") or str(error)
    else:
        message = str(error)
    text = one_line(message)
    if isinstance(error, ResponseParserError) and "HTML page:" in text:
        return "not an AWS response: " + text[text.index("HTML page:") :]
    return text


def _code(error: Exception) -> str:
    if isinstance(error, ClientError):
        return str(error.response.get("Error", {}).get("Code", "")) or type(error).__name__
    return type(error).__name__


def _pascal(snake: str) -> str:
    return "".join(part.capitalize() for part in snake.split("_"))
