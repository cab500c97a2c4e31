"""A moto server for the session, with the demo-like delivery chain built in it.

Reusable: `moto_endpoint` (URL of a ThreadedMotoServer on 127.0.0.1 with fake credentials in
the environment), `demo_world` (the chain from `tests.collect.world.build_demo_world`) and
`stubbed_factory` (a `StubbedFactory` for that world; pass faults or replies to customise).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest

from tests.collect.stubs import Fault, Replies, StubbedFactory
from tests.collect.world import REGION, DemoWorld, build_demo_world, stubbed_replies

FAKE_AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SECURITY_TOKEN": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": REGION,
    "AWS_REGION": REGION,
    "AWS_EC2_METADATA_DISABLED": "true",
    "MOTO_IAM_LOAD_MANAGED_POLICIES": "true",
}


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    with pytest.MonkeyPatch.context() as patch:
        for name, value in FAKE_AWS_ENV.items():
            patch.setenv(name, value)
        for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL"):
            patch.delenv(name, raising=False)
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        host, port = server.get_host_and_port()
        try:
            yield f"http://{host}:{port}"
        finally:
            server.stop()


@pytest.fixture(scope="session")
def demo_world(moto_endpoint: str) -> DemoWorld:
    return build_demo_world(moto_endpoint)


@pytest.fixture
def stubbed_factory(moto_endpoint: str, demo_world: DemoWorld) -> Any:
    """Call it: `stubbed_factory(faults=[...], max_attempts=2)` -> a fresh StubbedFactory."""

    def make(
        faults: list[Fault] | None = None,
        max_attempts: int = 3,
        replies: Replies | None = None,
    ) -> StubbedFactory:
        chosen = stubbed_replies() if replies is None else replies
        return StubbedFactory(moto_endpoint, chosen, faults, max_attempts)

    return make
