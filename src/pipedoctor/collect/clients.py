"""boto3 sessions and the one place clients are made, with an API call counter on each."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

import boto3
from botocore.config import Config

DEFAULT_MAX_ATTEMPTS = 10


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


def make_session(
    profile: str | None = None,
    role_arn: str | None = None,
    region: str | None = None,
    endpoint_url: str | None = None,
) -> boto3.Session:
    """A session from the standard credential chain, optionally as an assumed role."""
    session = boto3.Session(profile_name=profile, region_name=region)
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
            max_pool_connections=16,
        )
        self.counter = counter or CallCounter()
        self._clients: dict[tuple[str, str], Any] = {}
        self._lock = threading.Lock()

    def client(self, service: str, region: str) -> Any:
        with self._lock:
            key = (service, region)
            if key not in self._clients:
                self._clients[key] = self.create(service, region)
            return self._clients[key]

    def create(self, service: str, region: str, config: Config | None = None) -> Any:
        """A new client with the call counter attached (not cached: `client` caches)."""
        client = self.session.client(
            service,
            region_name=region,
            endpoint_url=self.endpoint_url,
            config=config or self.config,
        )
        self.counter.attach(client)
        return client
