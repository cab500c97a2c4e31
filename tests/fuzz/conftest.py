"""Fuzzing budget and the count of inputs tried, printed at the end of the run.

CI runs a fixed budget (PIPEDOCTOR_FUZZ_EXAMPLES, default 150 per target); the long run on
demand is `PIPEDOCTOR_FUZZ_EXAMPLES=20000 make fuzz`.
"""

from __future__ import annotations

import os
import signal
from collections import Counter

import pytest
from hypothesis import HealthCheck, settings

EXAMPLES = int(os.environ.get("PIPEDOCTOR_FUZZ_EXAMPLES", "150"))
TRIED: Counter[str] = Counter()

settings.register_profile(
    "fuzz",
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=True,  # the same inputs every CI run; the long run explores further
)


def pytest_terminal_summary(terminalreporter) -> None:
    if TRIED:
        parts = ", ".join(f"{target} {count}" for target, count in sorted(TRIED.items()))
        terminalreporter.write_line(f"fuzz: {sum(TRIED.values())} inputs tried ({parts})")


PER_TEST_SECONDS = int(os.environ.get("PIPEDOCTOR_FUZZ_SECONDS", "600"))


@pytest.fixture(autouse=True)
def no_hang():
    """A parser that loops forever fails its test instead of hanging the run."""

    def expired(*_: object) -> None:
        raise TimeoutError(f"fuzz test ran longer than {PER_TEST_SECONDS} s: a hang?")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(PER_TEST_SECONDS)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)
