"""Reciprocal rank fusion of ranked retriever results, each list named after its retriever."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from vectorstore.records import ScoredChunk

# RRF's constant (Cormack et al. 2009, kept by most hybrid search engines): a list's rank r
# adds 1 / (RRF_K + r), so the first places lead without one list's top hit deciding alone.
RRF_K = 60
# The retrievers of the hybrid by name (build_answerer): dense, BM25 over jieba words, BM25 over
# character pairs. The DENSE and BM25 lists' scores and ranks also fill ScoredChunk.dense /
# dense_rank and bm25 / bm25_rank.
DENSE = "dense"
BM25 = "bm25"
PAIRS = "pairs"
SENTENCES = "sentences"  # dense over the chunks' sentences, a chunk scored by its best one


def rrf_fuse(
    ranked_lists: Mapping[str, Sequence[ScoredChunk]],
    k: int = RRF_K,
    weights: Mapping[str, float] | None = None,
) -> list[ScoredChunk]:
    """Return the chunks of all lists, best first, scored by weighted reciprocal rank fusion.

    A chunk (keyed by chunk.id) at 1-based rank r of the list named n adds weights[n] / (k + r)
    (weight 1 for a list weights does not name). Each result keeps every list's rank of it and
    score for it by list name (`ranks`, `scores`); its dense / dense_rank are the DENSE list's,
    its bm25 / bm25_rank the BM25 list's (None when that list missed it), and `score` is the
    fused score. Ties are broken by the chunk's best rank in any list, then by the earlier list,
    then by first appearance, so the order is stable. A chunk repeated inside one list counts
    only at its first (best) rank there.
    """
    if k < 0:
        raise ValueError("k must not be negative")
    weights = dict(weights or {})
    if unknown := set(weights) - set(ranked_lists):
        raise ValueError(f"weights for lists not given: {sorted(unknown)}")
    if any(w < 0 for w in weights.values()):
        raise ValueError("weights must not be negative")

    fused: dict[str, float] = {}
    first: dict[str, ScoredChunk] = {}
    ranks: dict[str, dict[str, int]] = {}
    scores: dict[str, dict[str, float]] = {}
    # (best rank, list index of that rank, order of first appearance) for tie-breaking.
    tie: dict[str, tuple[int, int, int]] = {}

    for li, (name, ranked) in enumerate(ranked_lists.items()):
        weight = weights.get(name, 1.0)
        for rank, hit in enumerate(ranked, start=1):
            cid = hit.chunk.id
            if name in ranks.get(cid, {}):
                continue
            fused[cid] = fused.get(cid, 0.0) + weight / (k + rank)
            ranks.setdefault(cid, {})[name] = rank
            scores.setdefault(cid, {})[name] = hit.score
            if cid not in first:
                first[cid] = hit
                tie[cid] = (rank, li, len(tie))
            elif rank < tie[cid][0]:
                tie[cid] = (rank, li, tie[cid][2])

    # Rounding keeps float summation order from splitting genuine ties.
    order = sorted(fused, key=lambda cid: (-round(fused[cid], 12), *tie[cid]))
    return [_fused(first[cid], fused[cid], ranks[cid], scores[cid]) for cid in order]


def _fused(hit: ScoredChunk, score: float, ranks: dict[str, int],
           scores: dict[str, float]) -> ScoredChunk:
    return replace(hit, score=score, ranks=ranks, scores=scores,
                   dense=scores.get(DENSE), dense_rank=ranks.get(DENSE),
                   bm25=scores.get(BM25), bm25_rank=ranks.get(BM25))
