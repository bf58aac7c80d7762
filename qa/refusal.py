"""Decides whether the retrieved passages say enough to answer, or the answer must be a refusal.

The top dense similarity alone barely separates unanswerable questions from answerable ones on
this kind of corpus: every speech talks about 政务服务, so everything is "similar". What does
separate them is whether the question's rare words occur in the best passages at all. The
signal is therefore the IDF-weighted share of the question's content words found in the best
passage (`coverage`), combined with the dense similarity of the best passages.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from qa.evidence import TokenizerLike, _fold, content_tokens
from vectorstore.records import ScoredChunk


@dataclass(frozen=True)
class EvidenceStrength:
    """How well the best retrieved passages cover the question."""

    coverage: float  # IDF-weighted share of question words found in the best passage, 0..1
    dense: float  # best cosine similarity among the passages, 0..1 (0 when unknown)
    best: int  # index of the passage that gave `coverage`

    def score(self, dense_weight: float = 0.5) -> float:
        """Return one number in [0, 1]: coverage blended with dense similarity."""
        return (1 - dense_weight) * self.coverage + dense_weight * self.dense


def evidence_strength(
    question: str,
    hits: Sequence[ScoredChunk],
    tokenizer: TokenizerLike,
    document_frequency: Callable[[str], int],
    corpus_size: int,
    top: int = 3,
) -> EvidenceStrength:
    """Return the evidence strength of the top passages for the question.

    Each question word weighs its IDF over the indexed chunks, so "政务服务" (in hundreds of
    chunks) counts little and a word the corpus never uses counts most; coverage is the best
    share over the top passages."""
    words = content_tokens(question, tokenizer)
    n = max(corpus_size, 1)
    weights = {w: math.log(1.0 + n / (1 + document_frequency(w))) for w in words}
    total = sum(weights.values())
    best_cov, best_i = 0.0, 0
    for i, hit in enumerate(hits[:top]):
        text = _fold(hit.chunk.text)
        cov = sum(wt for w, wt in weights.items() if w in text) / total if total else 0.0
        if cov > best_cov:
            best_cov, best_i = cov, i
    dense = max((h.dense for h in hits[:top] if h.dense is not None), default=0.0)
    return EvidenceStrength(coverage=best_cov, dense=float(dense), best=best_i)


@dataclass(frozen=True)
class RefusalPolicy:
    """Refuse when the blended evidence score is below the threshold.

    Defaults are calibrated on the unanswerable questions of data/eval/dev.jsonl
    (`zwqa eval --calibrate`)."""

    threshold: float = 0.45
    dense_weight: float = 0.3

    def refuses(self, strength: EvidenceStrength) -> bool:
        """Return True if the evidence is too weak to answer from."""
        return strength.score(self.dense_weight) < self.threshold
