"""Causes of sourced failures whose words an unrecognised text shares, as leads.

When no rule matches a text, the sourced failures it most resembles still say where to look. Each
train case of the repository's corpus (tests/data/failures) is kept as its set of words (error
codes, `service:Action` names, the services of the ARNs it names, plain words; no numbers, ARNs or
ids), in resemblance.json beside this module, written by
`python -m pipedoctor.diagnose.resemblance CORPUS.jsonl...` (a test keeps it equal to the corpus).
A text is compared with every case by the cosine of their TF-IDF word weights; a cause is as
near as its nearest case. The validation split is never read.
"""

from __future__ import annotations

import json
import math
import re
import sys
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from pipedoctor.diagnose.priors import read_train_cases

MODEL_FILE = Path(__file__).parent / "resemblance.json"
MIN_SIMILARITY = 0.2  # below this, two texts share only common words
# From here the nearest cause was the real one in 85% of the train cases left out one at a time,
# below it in 42% (`bench/eval_resemblance.py`): a lead this near is worth reading first.
STRONG_SIMILARITY = 0.5
MIN_SHARED_WORDS = 2  # one shared word, however rare, is a coincidence rather than a resemblance
SHOWN_WORDS = 4

_ARN = re.compile(r"arn:aws[\w-]*:([\w-]+):[^\s\"',;]*")
_ACTION = re.compile(r"\b[a-z][a-z0-9-]*:[a-z][a-z0-9*]+\b")
_WORD = re.compile(r"[a-z][a-z_]{2,}")
_COMMON_WORDS = (
    "the and for with this that from are was were has have not you your but any can will all "
    "its into than then there their when which while been being also only"
)
_STOP = frozenset(_COMMON_WORDS.split())


def words(text: str, surface: str | None) -> frozenset[str]:
    """The words a failure text is compared by."""
    text = text.lower()
    found = {f"arn:{match[1]}" for match in _ARN.finditer(text)}
    text = _ARN.sub(" ", text)
    found |= set(_ACTION.findall(text))
    found |= {word for word in _WORD.findall(text) if word not in _STOP}
    if surface:
        found.add(f"surface={surface}")
    return frozenset(found)


@dataclass(frozen=True)
class Resemblance:
    cause: str
    similarity: float  # of the nearest case of this cause, in [0, 1]
    shared: tuple[str, ...]  # the rarest words the text shares with that case

    @property
    def strong(self) -> bool:
        return self.similarity >= STRONG_SIMILARITY


class Model:
    def __init__(self, cases: list[tuple[str, frozenset[str]]]) -> None:
        self.cases = cases
        frequency = Counter(word for _, case_words in cases for word in case_words)
        total = len(cases)
        self.weight = {word: math.log(total / count) + 1.0 for word, count in frequency.items()}
        self.unseen_weight = math.log(total + 1) + 1.0
        self.norms = [self._norm(case_words) for _, case_words in cases]

    def _norm(self, text_words: Iterable[str]) -> float:
        return math.sqrt(sum(self.weight.get(word, 0.0) ** 2 for word in text_words)) or 1.0

    def resembling(self, text: str, surface: str | None, limit: int) -> list[Resemblance]:
        text_words = words(text, surface)
        known = {word for word in text_words if word in self.weight}
        if not known:
            return []
        # A word no case has is as rare as a word can be: it weighs in the text's norm.
        unseen = len(text_words) - len(known)
        norm = math.sqrt(self._norm(known) ** 2 + unseen * self.unseen_weight**2)
        surface_word = f"surface={surface}"
        scored = []
        for (cause, case_words), case_norm in zip(self.cases, self.norms, strict=True):
            shared = known & case_words
            if len(shared) - (surface_word in shared) >= MIN_SHARED_WORDS:
                dot = sum(self.weight[word] ** 2 for word in shared)
                scored.append((dot / (norm * case_norm), cause, shared))
        scored.sort(key=lambda item: -item[0])
        nearest: dict[str, Resemblance] = {}
        for similarity, cause, shared in scored:
            if similarity < MIN_SIMILARITY or len(nearest) == limit:
                break
            if cause not in nearest:
                nearest[cause] = Resemblance(cause, round(similarity, 3), self._rarest(shared))
        return list(nearest.values())

    def _rarest(self, shared: Iterable[str]) -> tuple[str, ...]:
        plain = [word for word in shared if not word.startswith("surface=")]
        return tuple(sorted(plain, key=lambda word: (-self.weight[word], word))[:SHOWN_WORDS])


@cache
def _model() -> Model:
    if not MODEL_FILE.is_file():
        return Model([])
    stored = json.loads(MODEL_FILE.read_text(encoding="utf-8"))
    return Model([(case["cause"], frozenset(case["words"])) for case in stored["cases"]])


def resembling(text: str, surface: str | None, limit: int = 3) -> list[Resemblance]:
    """Up to `limit` causes whose sourced failures the text resembles, most alike first."""
    return _model().resembling(text, surface, limit)


def model_of(cases: Iterable[dict]) -> dict:
    """The stored form of the train cases: each case's cause and words, in a stable order."""
    kept = sorted(
        (case["cause"], sorted(words(case["error_text"], case.get("surface")))) for case in cases
    )
    return {"cases": [{"cause": cause, "words": case_words} for cause, case_words in kept]}


def main(paths: list[str]) -> int:
    model = model_of(read_train_cases(paths))
    MODEL_FILE.write_text(json.dumps(model, indent=0) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
