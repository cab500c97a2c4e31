"""How often each cause is the real cause of a failure in the corpus's train split.

Rules that share a wording give candidates of near-equal confidence; the cause that is more often
the real one in sourced failures ranks first. The counts live in cause_frequency.json beside this
module and are written by `python -m pipedoctor.diagnose.priors CORPUS.jsonl...` from the cases
whose split is train (a test keeps the file equal to the corpus).
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from collections.abc import Iterable
from functools import cache
from pathlib import Path

FREQUENCY_FILE = Path(__file__).parent / "cause_frequency.json"


def train_cases(lines: Iterable[str]) -> list[dict]:
    """The train cases of a JSONL corpus (a case without a split counts as train)."""
    cases = [json.loads(line) for line in lines if line.strip()]
    return [case for case in cases if case.get("split", "train") == "train"]


def count_causes(cases: Iterable[dict]) -> dict[str, int]:
    counts = Counter(case["cause"] for case in cases)
    return dict(sorted(counts.items()))


@cache
def cause_frequency() -> dict[str, int]:
    if not FREQUENCY_FILE.is_file():
        return {}
    return {
        str(k): int(v) for k, v in json.loads(FREQUENCY_FILE.read_text(encoding="utf-8")).items()
    }


def prior_share(cause: str) -> float:
    """The cause's count relative to the most frequent cause, in (0, 1]; add-one smoothed so that
    a cause the sample never saw is less likely, not impossible."""
    counts = cause_frequency()
    top = max(counts.values(), default=0)
    return (counts.get(cause, 0) + 1) / (top + 1)


def read_train_cases(paths: list[str]) -> list[dict]:
    """The train cases of the JSONL corpus files at `paths`."""
    cases: list[dict] = []
    for path in paths:
        cases += train_cases(Path(path).read_text(encoding="utf-8").splitlines())
    return cases


def main(paths: list[str]) -> int:
    counts = count_causes(read_train_cases(paths))
    FREQUENCY_FILE.write_text(json.dumps(counts, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
