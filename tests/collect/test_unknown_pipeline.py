"""A pipeline the account does not have is an error (exit 2, one line), never `no findings`."""

from __future__ import annotations

from typing import Any

import pytest

from tests.collect.world import REGION


@pytest.mark.parametrize("command", ["check", "diagnose"])
def test_a_pipeline_the_account_lacks(stubbed_factory: Any, monkeypatch, run_cli, command: str) -> None:
    from pipedoctor.app import live

    factory = stubbed_factory()
    monkeypatch.setattr(live, "client_factory", lambda session, url: factory)
    code, out, err = run_cli(command, "--pipeline", "no-such-pipeline", "--region", REGION)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("pipedoctor: error: pipeline 'no-such-pipeline'")
    assert "not found" in err
