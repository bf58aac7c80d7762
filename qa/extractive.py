"""Picks the source sentences that answer a question best, to quote them verbatim."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from qa.evidence import TokenizerLike, pinpoint, support_score
from vectorstore.records import ScoredChunk


@dataclass(frozen=True)
class Quote:
    """One sentence to quote: hits[hit].chunk.text[start:end]."""

    hit: int
    start: int
    end: int
    score: float


def select_quotes(
    question: str,
    hits: Sequence[ScoredChunk],
    tokenizer: TokenizerLike,
    max_quotes: int = 3,
    top: int = 3,
    keep_ratio: float = 0.85,
) -> list[Quote]:
    """Return up to max_quotes sentences from the top passages, best passage first.

    The best passage always gives its best sentence(s); a lower-ranked passage adds a quote
    only if it supports the question at least keep_ratio as well as the best quote, so a
    weak neighbour is not quoted just to fill the list."""
    candidates: list[Quote] = []
    for i, hit in enumerate(hits[:top]):
        text = hit.chunk.text
        for a, b in pinpoint(question, text, tokenizer, max_sentences=2):
            # Small bonus for rank so ties go to the passage retrieval trusted more.
            score = support_score(question, text[a:b], tokenizer) + 0.02 * (top - i)
            candidates.append(Quote(hit=i, start=a, end=b, score=score))
    if not candidates:
        return []
    best = max(candidates, key=lambda q: q.score)
    chosen = [q for q in candidates if q.hit == best.hit and q.score >= keep_ratio * best.score]
    others = sorted((q for q in candidates if q.hit != best.hit), key=lambda q: -q.score)
    used_hits = {best.hit}
    for q in others:
        if len(chosen) >= max_quotes:
            break
        if q.hit in used_hits or q.score < keep_ratio * best.score:
            continue
        chosen.append(q)
        used_hits.add(q.hit)
    chosen = chosen[:max_quotes]
    return sorted(chosen, key=lambda q: (q.hit, q.start))
