"""Reciprocal rank fusion of ranked retriever results."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from vectorstore.records import ScoredChunk


def rrf_fuse(
    ranked_lists: Sequence[Sequence[ScoredChunk]],
    k: int = 60,
    weights: Sequence[float] | None = None,
) -> list[ScoredChunk]:
    """Return the chunks of all lists, best first, scored by weighted reciprocal rank fusion.

    A chunk (keyed by chunk.id) at 1-based rank r of list i adds weights[i] / (k + r). The
    result keeps the dense/bm25 scores and ranks of whichever list supplied them (the first
    non-None value wins), and `score` is the fused score. Ties are broken by the chunk's best
    rank in any list, then by the earlier list, then by first appearance, so the order is stable.
    A chunk repeated inside one list counts only at its first (best) rank there.
    """
    if k < 0:
        raise ValueError("k must not be negative")
    if weights is None:
        weights = [1.0] * len(ranked_lists)
    if len(weights) != len(ranked_lists):
        raise ValueError(f"got {len(weights)} weights for {len(ranked_lists)} ranked lists")
    if any(w < 0 for w in weights):
        raise ValueError("weights must not be negative")

    fused: dict[str, float] = {}
    merged: dict[str, ScoredChunk] = {}
    # (best rank, list index of that rank, order of first appearance) for tie-breaking.
    tie: dict[str, tuple[int, int, int]] = {}

    for li, (ranked, weight) in enumerate(zip(ranked_lists, weights)):
        seen_here: set[str] = set()
        for rank, hit in enumerate(ranked, start=1):
            cid = hit.chunk.id
            if cid in seen_here:
                continue
            seen_here.add(cid)
            fused[cid] = fused.get(cid, 0.0) + weight / (k + rank)
            if cid not in merged:
                merged[cid] = hit
                tie[cid] = (rank, li, len(tie))
            else:
                merged[cid] = _merge_fields(merged[cid], hit)
                if rank < tie[cid][0]:
                    tie[cid] = (rank, li, tie[cid][2])

    # Rounding keeps float summation order from splitting genuine ties.
    order = sorted(fused, key=lambda cid: (-round(fused[cid], 12), *tie[cid]))
    return [replace(merged[cid], score=fused[cid]) for cid in order]


def _merge_fields(kept: ScoredChunk, other: ScoredChunk) -> ScoredChunk:
    """Return kept with any per-retriever score or rank it lacks taken from other."""
    return replace(
        kept,
        dense=kept.dense if kept.dense is not None else other.dense,
        bm25=kept.bm25 if kept.bm25 is not None else other.bm25,
        dense_rank=kept.dense_rank if kept.dense_rank is not None else other.dense_rank,
        bm25_rank=kept.bm25_rank if kept.bm25_rank is not None else other.bm25_rank,
    )
