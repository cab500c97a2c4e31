"""The session's moto server (defined with the collector's fixtures) for apply and rollback."""

from tests.collect.conftest import moto_endpoint

__all__ = ["moto_endpoint"]
