"""Resemblance alone as a classifier, each train case of the failure corpus left out in turn: how
often its nearest cause is the real one, overall and for near and less near first leads (where
the near band of `resemblance` comes from); from the sourced cases alone, and with the rules'
example texts and the causes' descriptions beside them (some examples were written from train
cases, so that figure flatters). Validation cases are never read.

    .venv/bin/python bench/eval_resemblance.py [CORPUS.jsonl ...]

(default: the repository's corpus, tests/data/failures/*.jsonl)
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

from pipedoctor.diagnose import load_rules
from pipedoctor.diagnose.priors import read_train_cases
from pipedoctor.diagnose.resemblance import (
    NEAR_SIMILARITY,
    STRONG_SIMILARITY,
    STRONG_VOCABULARY_SHARE,
    Model,
    knowledge_documents,
    words,
)
from pipedoctor.diagnose.unrecognised import ErrorLines, resemblance_text

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "data" / "failures"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", nargs="*", help="failure corpus files (JSON lines)")
    paths = parser.parse_args().corpus or [str(path) for path in sorted(CORPUS.glob("*.jsonl"))]
    cases = [
        (case["cause"], words(case["error_text"], case.get("surface")), case)
        for case in read_train_cases(paths)
    ]
    for name, knowledge in (
        ("sourced cases alone", []),
        ("with rule examples and descriptions", knowledge_documents(load_rules())),
    ):
        print(f"{name}:")
        _evaluate(cases, knowledge)
    return 0


def _evaluate(cases: list, knowledge: list) -> None:
    top1 = top3 = 0
    right, seen = Counter(), Counter()
    every = Model([(cause, case_words) for cause, case_words, _ in cases], knowledge)
    for index, (cause, _, case) in enumerate(cases):
        others = every.without(index)
        lines = ErrorLines()
        lines.feed(case["error_text"])
        text = resemblance_text(lines.ranked(), [case["error_text"]])
        leads = others.resembling(text, case.get("surface"), 3)
        top1 += [lead.cause for lead in leads[:1]] == [cause]
        top3 += cause in [lead.cause for lead in leads]
        if leads:
            band = "near" if leads[0].strong else "far"
            seen[band] += 1
            right[band] += leads[0].cause == cause
    total = len(cases)
    print(
        f"  {total} train cases, each left out: top-1 {top1 / total:.1%}, top-3 {top3 / total:.1%}"
    )
    near = (
        f"similarity >= {STRONG_SIMILARITY}, or >= {NEAR_SIMILARITY} with "
        f"{STRONG_VOCABULARY_SHARE:.0%} of the vocabulary's likelihood"
    )
    for band, label in (("near", f"first lead near ({near})"), ("far", "first lead less near")):
        share = right[band] / seen[band] if seen[band] else 0.0
        print(f"  {label}: {seen[band]} cases, its cause right in {right[band]} ({share:.0%})")
    print(f"  no lead at all: {total - sum(seen.values())} cases")


if __name__ == "__main__":
    raise SystemExit(main())
