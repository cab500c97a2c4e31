"""boto3 sessions and the one place clients are made, with an API call counter and a call log
on each, and the time limits every call runs under."""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from typing import Any

import boto3
from botocore.config import Config

from pipedoctor.aws_env import resolve_region
from pipedoctor.errors import one_line

# Time limits: an endpoint that accepts connections and never answers costs READ_TIMEOUT per
# attempt; an API the endpoint lacks (HTTP 5xx or a connection error, both retried) costs three
# retries with botocore's short backoff for errors that are not throttling (a fraction of a
# second; bench/bench_aws_time.py), where ten retries took about 20 s. Throttling backs off
# longer, and adaptive mode keeps its client-side rate limiting.
CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 20.0  # the largest reads (account authorization details) answer in a few seconds
DEFAULT_MAX_ATTEMPTS = 3  # botocore's max_attempts: retries after the first try

log = logging.getLogger("pipedoctor.aws")


class CallCounter:
    """Counts API calls per `service:Operation` (one per logical call, retries not counted)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: Counter[str] = Counter()

    def record(self, model: Any = None, **_: Any) -> None:
        if model is None:
            return
        key = f"{model.service_model.service_name}:{model.name}"
        with self._lock:
            self._counts[key] += 1

    def attach(self, client: Any) -> None:
        # after-call fires for every answered call, also those a Stubber answers (before-call
        # stops at the first handler that answers, so a Stubber would hide them there).
        client.meta.events.register("after-call", self.record)
        client.meta.events.register("after-call-error", self.record)

    def counts(self) -> dict[str, int]:
        with self._lock:
            return dict(self._counts)

    def total(self) -> int:
        with self._lock:
            return sum(self._counts.values())


class CallLog:
    """Logs each AWS call on the `pipedoctor.aws` logger: each retry (and why) and each failed
    call at INFO; every call with its time, and each failed attempt, at DEBUG.

    The times live in the call's botocore context, so one CallLog serves every thread.
    """

    def attach(self, client: Any) -> None:
        region = client.meta.region_name
        service = client.meta.service_model.service_name
        retries = (client.meta.config.retries.get("total_max_attempts") or 1) - 1

        def started(context: dict[str, Any], **_: Any) -> None:
            context["pipedoctor_call_started"] = time.monotonic()

        def attempt_started(request: Any, operation_name: str, **_: Any) -> None:
            context = request.context
            attempt = context.get("retries", {}).get("attempt", 1)
            failure = context.pop("pipedoctor_failure", None)
            if attempt > 1 and failure:
                log.info(
                    "%s %s:%s retry %d of %d, after attempt %d failed in %.2f s (%s)",
                    region,
                    service,
                    operation_name,
                    attempt - 1,
                    retries,
                    attempt - 1,
                    *failure,
                )
            context["pipedoctor_attempt_started"] = time.monotonic()

        def attempt_done(
            request_dict: dict[str, Any],
            operation: Any,
            attempts: int,
            response: Any = None,
            caught_exception: Exception | None = None,
            **_: Any,
        ) -> None:
            if caught_exception is not None:
                outcome = _exception_outcome(caught_exception)
            elif response is not None and response[0].status_code >= 300:
                outcome = _http_outcome(response[0].status_code, response[1])
            else:
                return
            context = request_dict.get("context", {})
            seconds = _since(context, "pipedoctor_attempt_started")
            context["pipedoctor_failure"] = (seconds, outcome)
            log.debug(
                "%s %s attempt %d failed in %.2f s (%s)",
                region,
                _name(operation),
                attempts,
                seconds,
                outcome,
            )

        def done(
            model: Any,
            context: dict[str, Any],
            http_response: Any = None,
            parsed: Any = None,
            **_: Any,
        ) -> None:
            seconds = _since(context, "pipedoctor_call_started")
            attempts = 1 + int((parsed or {}).get("ResponseMetadata", {}).get("RetryAttempts", 0))
            status = http_response.status_code if http_response is not None else 0
            if status >= 300:
                log.info(
                    "%s %s failed in %.2f s, %d attempt(s): %s",
                    region,
                    _name(model),
                    seconds,
                    attempts,
                    _http_outcome(status, parsed),
                )
            else:
                log.debug(
                    "%s %s ok in %.2f s, %d attempt(s)", region, _name(model), seconds, attempts
                )

        def failed(
            event_name: str, context: dict[str, Any], exception: Exception, **_: Any
        ) -> None:
            seconds = _since(context, "pipedoctor_call_started")
            operation = event_name.rsplit(".", 1)[-1]
            log.info(
                "%s %s:%s failed in %.2f s: %s",
                region,
                client.meta.service_model.service_name,
                operation,
                seconds,
                _exception_outcome(exception),
            )

        events = client.meta.events
        events.register("before-call", started)
        events.register("request-created", attempt_started)
        events.register("needs-retry", attempt_done)
        events.register("after-call", done)
        events.register("after-call-error", failed)


def _name(model: Any) -> str:
    return f"{model.service_model.service_name}:{model.name}"


def _since(context: dict[str, Any], key: str) -> float:
    started = context.get(key)
    return time.monotonic() - started if started is not None else 0.0


def _http_outcome(status: int, parsed: Any) -> str:
    error = (parsed or {}).get("Error", {})
    return one_line(f"HTTP {status} {error.get('Code', '')}: {error.get('Message', '')}", 120)


def _exception_outcome(error: BaseException) -> str:
    return one_line(f"{type(error).__name__}: {error}", 160)


def make_session(
    profile: str | None = None,
    role_arn: str | None = None,
    region: str | None = None,
    endpoint_url: str | None = None,
) -> boto3.Session:
    """A session from the standard credential chain, optionally as an assumed role.

    The region: `region`, else AWS_REGION, else AWS_DEFAULT_REGION, else the profile's.
    """
    session = boto3.Session(profile_name=profile, region_name=resolve_region(region))
    if not role_arn:
        return session
    sts = session.client("sts", endpoint_url=endpoint_url)
    credentials = sts.assume_role(RoleArn=role_arn, RoleSessionName="pipedoctor-collect")[
        "Credentials"
    ]
    return boto3.Session(
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
        region_name=session.region_name,
    )


class ClientFactory:
    """Creates each (service, region) client once; the clients are shared across threads.

    Sessions are not thread-safe, so creation happens under a lock.
    """

    def __init__(
        self,
        session: boto3.Session,
        endpoint_url: str | None = None,
        max_attempts: int = DEFAULT_MAX_ATTEMPTS,
        counter: CallCounter | None = None,
    ) -> None:
        self.session = session
        self.endpoint_url = endpoint_url
        self.config = Config(
            retries={"mode": "adaptive", "max_attempts": max_attempts},
            connect_timeout=CONNECT_TIMEOUT,
            read_timeout=READ_TIMEOUT,
            max_pool_connections=16,
        )
        self.counter = counter or CallCounter()
        self.call_log = CallLog()
        self._clients: dict[tuple[str, str], Any] = {}
        self._lock = threading.Lock()

    def client(self, service: str, region: str) -> Any:
        with self._lock:
            key = (service, region)
            if key not in self._clients:
                self._clients[key] = self.create(service, region)
            return self._clients[key]

    def create(self, service: str, region: str, config: Config | None = None) -> Any:
        """A new client with the call counter and log attached (not cached: `client` caches)."""
        client = self.session.client(
            service,
            region_name=region,
            endpoint_url=self.endpoint_url,
            config=config or self.config,
        )
        self.counter.attach(client)
        self.call_log.attach(client)
        return client
