"""Faults injected between boto3 and the moto server: throttling, 5xx, resets, slow answers,
AccessDenied on a whole service, and Ctrl-C. Collection survives, or says what it could not read."""

from __future__ import annotations

import random
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from botocore.awsrequest import AWSResponse
from botocore.exceptions import ConnectionClosedError

from pipedoctor.collect import CollectOptions, collect
from pipedoctor.model import Snapshot
from tests.collect.stubs import StubbedFactory, _Body
from tests.collect.world import PIPELINE, REGION, stubbed_replies


class FaultInjector:
    """Answers a share of the HTTP sends itself, before they reach the server."""

    def __init__(self, seed: int = 7, **rates: float) -> None:
        self.rates = rates  # throttle, server_error, reset, slow
        self.random = random.Random(seed)
        self.lock = threading.Lock()
        self.injected: dict[str, int] = {}

    def _draw(self) -> str | None:
        with self.lock:
            roll = self.random.random()
        for kind, rate in self.rates.items():
            if roll < rate:
                with self.lock:
                    self.injected[kind] = self.injected.get(kind, 0) + 1
                return kind
            roll -= rate
        return None

    @staticmethod
    def _error(request: Any, status: int, code: str) -> AWSResponse:
        """An error in the request's own protocol: JSON, query XML or REST XML."""
        content_type = request.headers.get("Content-Type", b"")
        content_type = content_type.decode() if isinstance(content_type, bytes) else content_type
        if "json" in content_type:
            body = f'{{"__type": "{code}", "message": "injected"}}'
        elif "form-urlencoded" in content_type:
            body = f"<ErrorResponse><Error><Code>{code}</Code><Message>injected</Message></Error></ErrorResponse>"
        else:
            body = f"<Error><Code>{code}</Code><Message>injected</Message></Error>"
        return AWSResponse(request.url, status, {"x-amzn-ErrorType": code}, _Body(body.encode()))

    def __call__(self, request: Any, **_: Any) -> AWSResponse | None:
        kind = self._draw()
        if kind == "throttle":
            return self._error(request, 400, "ThrottlingException")
        if kind == "server_error":
            return self._error(request, 503, "ServiceUnavailable")
        if kind == "reset":
            raise ConnectionClosedError(endpoint_url=request.url)
        if kind == "slow":
            time.sleep(0.05)
        return None


class FaultyFactory(StubbedFactory):
    def __init__(self, injector: FaultInjector, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.injector = injector

    def create(self, service: str, region: str, config: Any = None) -> Any:
        client = super().create(service, region, config)
        real = getattr(client, "_real", client)
        real.meta.events.register("before-send", self.injector)
        return client


def comparable(snapshot: Snapshot) -> Snapshot:
    return replace(snapshot, collected_at="")


def run(factory: StubbedFactory) -> Snapshot:
    return collect(factory, CollectOptions(regions=[REGION], pipelines=[PIPELINE]))


@pytest.fixture
def baseline(moto_endpoint: str, demo_world: Any) -> Snapshot:
    return run(StubbedFactory(moto_endpoint, stubbed_replies()))


def test_throttling_5xx_resets_and_slow_answers_still_give_the_complete_snapshot(
    moto_endpoint: str, baseline: Snapshot
) -> None:
    injector = FaultInjector(throttle=0.30, server_error=0.05, reset=0.03, slow=0.05)
    snapshot = run(FaultyFactory(injector, moto_endpoint, stubbed_replies(), max_attempts=10))
    assert injector.injected.get("throttle", 0) > 3 and injector.injected.get("server_error", 0) > 0
    assert snapshot.errors == []
    assert comparable(snapshot) == comparable(baseline)


def test_access_denied_on_a_whole_service_is_a_listed_gap(moto_endpoint: str, baseline: Snapshot) -> None:
    from tests.collect.stubs import Fault

    denied = [
        Fault("ecr", operation, "AccessDeniedException", "not authorized", 400)
        for operation in ("DescribeRepositories", "GetRepositoryPolicy")
    ]
    snapshot = run(StubbedFactory(moto_endpoint, stubbed_replies(), faults=denied))
    assert {(e.service, e.operation) for e in snapshot.errors} == {("ecr", "DescribeRepositories")}
    assert snapshot.ecr_repositories == []
    assert comparable(replace(snapshot, errors=[], ecr_repositories=baseline.ecr_repositories)) == comparable(baseline)


def test_ctrl_c_leaves_no_snapshot_file(moto_endpoint: str, monkeypatch, tmp_path: Path, run_cli, demo_world: Any) -> None:
    from pipedoctor.app import live as collect_command

    class Interrupting(StubbedFactory):
        def create(self, service: str, region: str, config: Any = None) -> Any:
            client = super().create(service, region, config)
            if service == "iam":
                def interrupt(**_: Any) -> None:
                    raise KeyboardInterrupt
                getattr(client, "_real", client).meta.events.register("before-send", interrupt)
            return client

    factory = Interrupting(moto_endpoint, stubbed_replies())
    monkeypatch.setattr(collect_command, "client_factory", lambda session, url: factory)
    target = tmp_path / "snapshot.json"
    code, _, err = run_cli("collect", "--pipeline", PIPELINE, "--endpoint-url", moto_endpoint, "-o", str(target))
    assert code == 130 and "interrupted" in err
    assert list(tmp_path.iterdir()) == []
