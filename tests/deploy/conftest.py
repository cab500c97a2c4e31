"""The moto server of tests/collect, and the deploy world built in it (its own region)."""

from __future__ import annotations

import pytest

from tests.collect.conftest import moto_endpoint
from tests.deploy.world import DeployWorld, build_deploy_world

__all__ = ["moto_endpoint"]


@pytest.fixture(scope="session")
def deploy_world(moto_endpoint: str) -> DeployWorld:
    return build_deploy_world(moto_endpoint)
