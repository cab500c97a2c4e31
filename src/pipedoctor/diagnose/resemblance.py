"""Causes whose known wordings an unrecognised text shares, as leads.

When no rule matches a text, what it most resembles still says where to look: the sourced failures
of the corpus, the example texts each rule is tested with, and each cause's description (the only
wording a cause without sourced cases has). Each train case of the repository's corpus
(tests/data/failures) is kept as its set of words (error codes, `service:Action` names, the
services of the ARNs it names, plain words; no numbers, ARNs or ids), in resemblance.json beside
this module, written by `python -m pipedoctor.diagnose.resemblance CORPUS.jsonl...` (a test keeps
it equal to the corpus); the rules' examples and the descriptions are read with the rules. A text
is compared with every document by the cosine of their TF-IDF word weights; a cause is as near as
its nearest document, and is ranked also by its next nearest and by its vocabulary (all its
documents' words together). The validation split is never read.
"""

from __future__ import annotations

import json
import math
import re
import sys
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from pipedoctor.diagnose.priors import read_train_cases

if TYPE_CHECKING:
    from pipedoctor.diagnose.rules import Rule

MODEL_FILE = Path(__file__).parent / "resemblance.json"
MIN_SIMILARITY = 0.2  # below this, two texts share only common words
# A lead is worth reading before "not recognised" when its nearest document is this near, or a
# little less near while its vocabulary holds nearly all the likelihood of the text's words. On the
# train cases left out one at a time the first lead was then the real cause in 86% (83% from the
# sourced cases alone), otherwise in 48% (35%) (`bench/eval_resemblance.py`, with the rules'
# examples and the descriptions); of the leads a little less near, 73% (59%).
STRONG_SIMILARITY = 0.5
NEAR_SIMILARITY = 0.35
STRONG_VOCABULARY_SHARE = 0.9
# A cause is ranked by its nearest document and, a little, by its next nearest: two near wordings
# of one cause are better evidence than one. Train cases left out one at a time put the real cause
# first 2 points more often this way than by the nearest document alone (78.7% -> 80.7%, and 67.9% ->
# 69.4% from the sourced cases alone; `bench/eval_resemblance.py`).
SUPPORTING_DOCUMENTS = 2
SUPPORT_WEIGHT = 0.3
# A cause is also ranked by its wordings taken together: how likely its vocabulary (the words of all
# its documents) is to write the text's words, as a share of all causes (multinomial naive Bayes,
# every cause as likely beforehand). That finds a cause whose wordings each share a part of the text
# but none all of it. Train cases left out one at a time (`bench/eval_resemblance.py`): top-1 80.7% ->
# 82.2%, top-3 91.0% -> 92.2% with the rules' examples and descriptions; 69.9% -> 73.1% and 81.4% ->
# 83.3% from the sourced cases alone.
VOCABULARY_WEIGHT = 0.3
VOCABULARY_SMOOTHING = 0.03  # the count given a word a cause's wordings never use
MIN_VOCABULARY_SHARE = 0.05  # a cause no single document is near is a lead from this share
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


# What a document of a cause is, as a report names the nearest one
SOURCED = "sourced failure of this cause"
RULE_EXAMPLE = "example text of this cause's rules"
DESCRIPTION = "wording of this cause's description"


@dataclass(frozen=True)
class Resemblance:
    cause: str
    similarity: float  # of the nearest document of this cause, in [0, 1]
    shared: tuple[str, ...]  # the rarest words the text shares with that document
    origin: str = SOURCED  # what that document is: SOURCED, RULE_EXAMPLE or DESCRIPTION
    vocabulary_share: float = 0.0  # of the text's likelihood, under this cause's vocabulary

    @property
    def strong(self) -> bool:
        return self.similarity >= STRONG_SIMILARITY or (
            self.similarity >= NEAR_SIMILARITY and self.vocabulary_share >= STRONG_VOCABULARY_SHARE
        )


class Model:
    def __init__(
        self,
        cases: list[tuple[str, frozenset[str]]],
        knowledge: Iterable[tuple[str, frozenset[str], str]] = (),
    ) -> None:
        """`cases`: the sourced failures' (cause, words); `knowledge`: other documents of a
        cause, (cause, words, origin)."""
        self.cases = cases
        self.documents = [(cause, case_words, SOURCED) for cause, case_words in cases]
        self.documents += list(knowledge)
        vocabulary: dict[str, Counter[str]] = {}
        for cause, doc_words, _ in self.documents:
            vocabulary.setdefault(cause, Counter()).update(doc_words)
        self._index(
            Counter(word for _, doc_words, _ in self.documents for word in doc_words), vocabulary
        )

    def _index(self, frequency: Counter[str], vocabulary: dict[str, Counter[str]]) -> None:
        self.frequency = frequency
        total = len(self.documents)
        self.weight = {word: math.log(total / count) + 1.0 for word, count in frequency.items()}
        self.unseen_weight = math.log(total + 1) + 1.0
        self._norms: dict[int, float] = {}  # by document, once a text is compared with it
        self.vocabulary = vocabulary
        self.vocabulary_size = {
            cause: sum(counts.values()) for cause, counts in self.vocabulary.items()
        }

    def without(self, index: int) -> Model:
        """The model of the other documents, the sourced failure at `index` left out: the same
        as building it from them, without reading them all again."""
        cause, own = self.cases[index]
        model = Model.__new__(Model)
        model.cases = self.cases[:index] + self.cases[index + 1 :]
        model.documents = self.documents[:index] + self.documents[index + 1 :]
        vocabulary = dict(self.vocabulary)
        vocabulary[cause] = _less(vocabulary[cause], own)
        if not vocabulary[cause]:
            del vocabulary[cause]
        model._index(_less(self.frequency, own), vocabulary)
        return model

    def _vocabulary_share(self, text_words: frozenset[str]) -> dict[str, float]:
        """Each cause's share of the likelihood of the text's words under its vocabulary."""
        # A word no document has weighs the same in every cause's likelihood but for its share
        # of the cause's vocabulary, which `per_word` counts.
        known = [word for word in text_words if word in self.weight]
        log_likelihood = {}
        for cause, counts in self.vocabulary.items():
            per_word = math.log(
                self.vocabulary_size[cause] + VOCABULARY_SMOOTHING * len(self.weight)
            )
            log_likelihood[cause] = (
                sum(math.log(counts.get(word, 0) + VOCABULARY_SMOOTHING) for word in known)
                - len(text_words) * per_word
            )
        highest = max(log_likelihood.values(), default=0.0)
        odds = {cause: math.exp(value - highest) for cause, value in log_likelihood.items()}
        total = sum(odds.values())
        return {cause: value / total for cause, value in odds.items()}

    def _document_norm(self, position: int) -> float:
        if position not in self._norms:
            self._norms[position] = self._norm(self.documents[position][1])
        return self._norms[position]

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
        for position, (cause, doc_words, origin) in enumerate(self.documents):
            shared = known & doc_words
            if len(shared) - (surface_word in shared) >= MIN_SHARED_WORDS:
                dot = sum(self.weight[word] ** 2 for word in shared)
                scored.append((dot / (norm * self._document_norm(position)), cause, shared, origin))
        scored.sort(key=lambda item: -item[0])
        nearest: dict[str, Resemblance] = {}
        support: dict[str, list[float]] = {}
        for similarity, cause, shared, origin in scored:
            if cause not in nearest:
                nearest[cause] = Resemblance(
                    cause, round(similarity, 3), self._rarest(shared), origin
                )
                support[cause] = []
            elif len(support[cause]) < SUPPORTING_DOCUMENTS and similarity >= MIN_SIMILARITY:
                support[cause].append(similarity)
        share = self._vocabulary_share(text_words)
        score = {
            cause: (lead.similarity if lead.similarity >= MIN_SIMILARITY else 0.0)
            + SUPPORT_WEIGHT * sum(support[cause])
            + VOCABULARY_WEIGHT * share.get(cause, 0.0)
            for cause, lead in nearest.items()
            if lead.similarity >= MIN_SIMILARITY or share.get(cause, 0.0) >= MIN_VOCABULARY_SHARE
        }
        leads = sorted(score, key=lambda cause: -score[cause])[:limit]
        return [
            replace(nearest[cause], vocabulary_share=round(share.get(cause, 0.0), 3))
            for cause in leads
        ]

    def _rarest(self, shared: Iterable[str]) -> tuple[str, ...]:
        plain = [word for word in shared if not word.startswith("surface=")]
        return tuple(sorted(plain, key=lambda word: (-self.weight[word], word))[:SHOWN_WORDS])


def _less(counts: Counter[str], words_once: Iterable[str]) -> Counter[str]:
    """`counts` with each of `words_once` counted once less (as `counts - Counter(words_once)`,
    without walking every count)."""
    counts = counts.copy()
    for word in words_once:
        counts[word] -= 1
        if counts[word] <= 0:
            del counts[word]
    return counts


@cache
def _model() -> Model:
    if not MODEL_FILE.is_file():
        return Model([])
    stored = json.loads(MODEL_FILE.read_text(encoding="utf-8"))
    return Model([(case["cause"], frozenset(case["words"])) for case in stored["cases"]])


def knowledge_documents(rules: list[Rule]) -> list[tuple[str, frozenset[str], str]]:
    """The wordings of each cause besides its sourced failures: the texts its diagnosis rules
    are tested to match, and its description in causes.yaml."""
    return list(_knowledge(_rule_examples(rules)))


RuleExamples = tuple[tuple[str, str, str | None], ...]  # (cause, text, surface)


def _rule_examples(rules: list[Rule]) -> RuleExamples:
    """Each text a diagnosis rule is tested to match."""
    return tuple(
        (rule.cause, test["text"], test.get("surface"))
        for rule in rules
        if rule.kind == "diagnosis" and not rule.fallback
        for test in rule.tests
        if test.get("expect") == "match" and test.get("text")
    )


# Kept for the process by content rather than by the rules object: each command of a session and
# each diagnoser of the TUI loads the same rules anew, and joining the model takes a tenth of a second.
@lru_cache(maxsize=2)
def _knowledge(examples: RuleExamples) -> tuple[tuple[str, frozenset[str], str], ...]:
    from pipedoctor.diagnose.causes import cause_descriptions

    documents = [(cause, words(text, surface), RULE_EXAMPLE) for cause, text, surface in examples]
    documents += [
        (cause, words(description, None), DESCRIPTION)
        for cause, description in cause_descriptions().items()
    ]
    return tuple(documents)


@lru_cache(maxsize=2)
def _joined(corpus: Model, examples: RuleExamples) -> Model:
    return Model(corpus.cases, _knowledge(examples))


def resembling(
    text: str, surface: str | None, limit: int = 3, rules: list[Rule] | None = None
) -> list[Resemblance]:
    """Up to `limit` causes whose sourced failures (and, given `rules`, whose rules' examples and
    descriptions) the text resembles, most alike first."""
    model = _model() if rules is None else _joined(_model(), _rule_examples(rules))
    return model.resembling(text, surface, limit)


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
