"""The global -q, given before the command, silences collect's progress like its own -q."""

from __future__ import annotations

from typing import Any

import pytest


def test_quiet_before_the_command_silences_collect_progress(
    run_cli: Any, moto_endpoint: str, stubbed_factory: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pipedoctor.app import live as collect_command
    from tests.collect.world import PIPELINE

    factory = stubbed_factory()
    monkeypatch.setattr(collect_command, "client_factory", lambda session, url: factory)
    arguments = ["collect", "--pipeline", PIPELINE, "--endpoint-url", moto_endpoint, "-o", "-"]
    code, out, err = run_cli(*arguments)
    assert code == 0 and "API calls" in err
    code, out, err = run_cli("-q", *arguments)
    assert code == 0 and out and err == ""
