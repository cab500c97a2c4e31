"""Reads a live AWS account into a Snapshot. The only package that imports boto3."""

from pipedoctor.collect.clients import CallCounter, ClientFactory, make_session
from pipedoctor.collect.collector import CollectOptions, collect

__all__ = ["CallCounter", "ClientFactory", "CollectOptions", "collect", "make_session"]
