"""Reorders retrieved passages by how well their best sentences cover the question.

Fused retrieval ranks whole chunks; a chunk of ten sentences that mentions the question's words
here and there can beat the chunk whose one sentence answers it. The coverage score looks at the
best window of two adjacent sentences instead: the IDF-weighted share of the question's words
and of its character pairs found there. Words the corpus uses everywhere ("政务服务") weigh
little; rare words ("321608", "青松办") weigh most.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from qa.evidence import TokenizerLike, content_tokens, passage_sentences
from qa.question import topic_words
from qa.retrieve import Filters, Retriever
from vectorstore.records import ScoredChunk
from vectorstore.text import fold


@dataclass(frozen=True)
class TermWeights:
    """IDF weights of a question's words and character pairs over the indexed chunks."""

    words: dict[str, float]
    pairs: dict[str, float]

    def coverage(self, text: str) -> float:
        """Return in [0, 1] the weighted share of the question found in (folded) text."""
        parts = []
        for weights in (self.words, self.pairs):
            total = sum(weights.values())
            if total:
                parts.append(sum(w for t, w in weights.items() if t in text) / total)
        return sum(parts) / len(parts) if parts else 0.0


def term_weights(
    question: str,
    words: TokenizerLike,
    pairs: TokenizerLike,
    word_df: Callable[[str], int],
    pair_df: Callable[[str], int],
    corpus_size: int,
) -> TermWeights:
    """Return the IDF weights of the question's topic words and character pairs."""
    topic = topic_words(question)
    n = max(corpus_size, 1)

    def idf(df: int) -> float:
        return math.log(1.0 + n / (1.0 + df))

    return TermWeights(
        words={t: idf(word_df(t)) for t in content_tokens(topic, words)},
        pairs={t: idf(pair_df(t)) for t in dict.fromkeys(pairs.tokens(topic))},
    )


def best_window(weights: TermWeights, text: str) -> tuple[float, str]:
    """Return (coverage, window) of the best window of two adjacent sentences of text."""
    spans = passage_sentences(text)
    sentences = [fold(text[a:b]) for a, b in spans] or [fold(text)]
    best, best_text = 0.0, sentences[0]
    for i, s in enumerate(sentences):
        window = s + (sentences[i + 1] if i + 1 < len(sentences) else "")
        cov = weights.coverage(window)
        if cov > best:
            best, best_text = cov, window
    return best, best_text


def best_window_coverage(weights: TermWeights, text: str) -> float:
    """Return the best coverage of any window of two adjacent sentences of text."""
    return best_window(weights, text)[0]


class CoverageReranker:
    """A retriever that reorders another's candidates by a blend of three scores: the fused
    rank score (normalised to the best), sentence-window coverage and, when `similarity` is
    given, the dense cosine similarity of every candidate (not only those the dense search
    returned). Weights chosen on data/eval/dev.jsonl: 0.3 / 0.7 / 0.6."""

    def __init__(
        self,
        base: Retriever,
        weights_for: Callable[[str], TermWeights],
        candidates: int = 30,
        weight: float = 0.7,
        similarity: Callable[[str, Sequence[ScoredChunk]], list[float]] | None = None,
        similarity_weight: float = 0.6,
    ):
        self.base = base
        self.weights_for = weights_for
        self.candidates = candidates
        self.weight = weight
        self.similarity = similarity
        self.similarity_weight = similarity_weight

    def retrieve(self, query: str, k: int, filters: Filters | None = None) -> list[ScoredChunk]:
        """Return the top k of the base retriever's candidates after reordering."""
        if k <= 0:
            return []
        hits = self.base.retrieve(query, max(k, self.candidates), filters)
        if not hits:
            return []
        weights = self.weights_for(query)
        top = max(h.score for h in hits) or 1.0
        sims = self.similarity(query, hits) if self.similarity else [0.0] * len(hits)
        scored = [
            (
                (1 - self.weight) * h.score / top
                + self.weight * best_window_coverage(weights, h.chunk.text)
                + self.similarity_weight * sim,
                i,
                h,
            )
            for i, (h, sim) in enumerate(zip(hits, sims))
        ]
        scored.sort(key=lambda t: (-t[0], t[1]))
        # A candidate only the keyword searches found still gets its dense similarity, so the
        # answerability check compares like with like.
        return [replace(h, score=s, dense=h.dense if h.dense is not None or not self.similarity
                        else sims[i]) for s, i, h in scored[:k]]
