"""Fuzzing budget and the count of inputs tried, printed at the end of the run.

CI runs a fixed budget (PIPEDOCTOR_FUZZ_EXAMPLES, default 150 per target); the long run on
demand is `PIPEDOCTOR_FUZZ_EXAMPLES=20000 make fuzz`.
"""

from __future__ import annotations

import os
from collections import Counter

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
