"""Retrievers: filters, adapters over the dense and BM25 stores, and the hybrid of both."""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from qa.fusion import rrf_fuse
from vectorstore.records import Chunk, ScoredChunk


@dataclass(frozen=True)
class Filters:
    """Which speeches and dates a search may return; empty fields do not restrict.

    doc_ids and titles together name the allowed speeches (a chunk matches if its speech is
    named by either). A title filter matches a speech whose title contains it, so a fragment
    such as "四强" works. A passage repeated in several speeches (chunk.also_in_ids /
    chunk.also_in) matches if any of those speeches is allowed. Dates are ISO strings compared
    on the given precision ("2025", "2025-07" and "2025-07-02" all work), both ends inclusive;
    a chunk without a date never matches an active date filter.
    """

    doc_ids: tuple[str, ...] = ()
    titles: tuple[str, ...] = ()
    date_from: str | None = None
    date_to: str | None = None

    @property
    def active(self) -> bool:
        """Return True if the filters restrict anything."""
        return bool(self.doc_ids or self.titles or self.date_from or self.date_to)

    def matches(self, chunk: Chunk) -> bool:
        """Return True if the chunk is allowed by every active filter."""
        if self.doc_ids or self.titles:
            ids = (chunk.doc_id, *chunk.also_in_ids)
            titles = (chunk.title, *chunk.also_in)
            by_id = any(i in self.doc_ids for i in ids)
            by_title = any(f.strip() and f.strip() in t for f in self.titles for t in titles)
            if not (by_id or by_title):
                return False
        if self.date_from or self.date_to:
            if not chunk.date:
                return False
            if self.date_from and chunk.date[: len(self.date_from)] < self.date_from:
                return False
            if self.date_to and chunk.date[: len(self.date_to)] > self.date_to:
                return False
        return True


class Retriever(Protocol):
    def retrieve(self, query: str, k: int, filters: Filters | None = None) -> list[ScoredChunk]: ...


class DenseStore(Protocol):
    def query(self, text: str, k: int) -> list[ScoredChunk]: ...


class BM25Index(Protocol):
    def search(
        self, query: str, k: int, allowed: Callable[[Chunk], bool] | None = None
    ) -> list[ScoredChunk]: ...


class DenseRetriever:
    """Retriever over a dense (Chroma) store; filters are applied in Python after over-fetching."""

    def __init__(self, store: DenseStore, overfetch: int = 4):
        self.store = store
        self.overfetch = max(1, overfetch)

    def retrieve(self, query: str, k: int, filters: Filters | None = None) -> list[ScoredChunk]:
        """Return up to k chunks by cosine similarity, with dense and dense_rank set."""
        if k <= 0:
            return []
        if filters is None or not filters.active:
            hits = self.store.query(query, k)
        else:
            # The corpus is small, so widening the fetch until enough chunks pass (or the store
            # runs dry) is simpler and safer than translating filters into a Chroma `where`.
            fetch = k * self.overfetch
            while True:
                raw = self.store.query(query, fetch)
                hits = [h for h in raw if filters.matches(h.chunk)]
                if len(hits) >= k or len(raw) < fetch:
                    break
                fetch *= 2
        return [
            replace(h, dense=h.dense if h.dense is not None else h.score, dense_rank=rank)
            for rank, h in enumerate(hits[:k], start=1)
        ]


class BM25Retriever:
    """Retriever over a BM25 index; filters are passed down as a chunk predicate."""

    def __init__(self, index: BM25Index, prepare: Callable[[str], str] | None = None):
        self.index = index
        self.prepare = prepare  # e.g. strip the asking phrases before searching

    def retrieve(self, query: str, k: int, filters: Filters | None = None) -> list[ScoredChunk]:
        """Return up to k chunks by BM25 score, with bm25 and bm25_rank set."""
        if k <= 0:
            return []
        allowed = filters.matches if filters is not None and filters.active else None
        if self.prepare is not None:
            query = self.prepare(query)
        hits = self.index.search(query, k, allowed=allowed)
        if allowed is not None:
            hits = [h for h in hits if allowed(h.chunk)]
        return [
            replace(h, bm25=h.bm25 if h.bm25 is not None else h.score, bm25_rank=rank)
            for rank, h in enumerate(hits[:k], start=1)
        ]


class HybridRetriever:
    """Retriever fusing dense, BM25 and (optionally) character-pair BM25 results with RRF,
    repeats collapsed.

    Any side may be None (e.g. BM25 only while no embedding model is available).
    """

    def __init__(
        self,
        dense: Retriever | None,
        bm25: Retriever | None,
        candidates: int = 30,
        rrf_k: int = 60,
        weights: tuple[float, ...] = (1.0, 1.0, 1.0),
        pairs: Retriever | None = None,
    ):
        if dense is None and bm25 is None and pairs is None:
            raise ValueError("HybridRetriever needs at least one retriever")
        self.dense = dense
        self.bm25 = bm25
        self.pairs = pairs
        self.candidates = candidates
        self.rrf_k = rrf_k
        self.weights = weights

    def retrieve(self, query: str, k: int, filters: Filters | None = None) -> list[ScoredChunk]:
        """Return the top k fused chunks allowed by filters, no two repeating each other."""
        if k <= 0:
            return []
        n = max(self.candidates, k)
        lists: list[list[ScoredChunk]] = []
        weights: list[float] = []
        sides = (self.dense, self.bm25, self.pairs)
        for retriever, weight in zip(sides, (*self.weights, 1.0, 1.0, 1.0)):
            if retriever is None:
                continue
            hits = retriever.retrieve(query, n, filters)
            if filters is not None and filters.active:
                hits = [h for h in hits if filters.matches(h.chunk)]
            lists.append(hits)
            weights.append(weight)
        fused = rrf_fuse(lists, k=self.rrf_k, weights=weights)
        return collapse_repeats(fused)[:k]


_NOT_WORD = re.compile(r"[\W_]+")


def _match_form(text: str) -> str:
    """Return text reduced to its letters, digits and ideographs, for repeat detection."""
    return _NOT_WORD.sub("", unicodedata.normalize("NFKC", text)).lower()


def collapse_repeats(ranked: Sequence[ScoredChunk]) -> list[ScoredChunk]:
    """Return ranked without chunks repeating a better-ranked one (same text or contained).

    Texts are compared ignoring whitespace, punctuation and width, so the same passage copied
    into two speeches with different punctuation still collapses. The better-ranked chunk is
    kept even when it is the shorter one, so the order of the results never changes.
    """
    kept: list[ScoredChunk] = []
    forms: list[str] = []
    for hit in ranked:
        form = _match_form(hit.chunk.text)
        if any(form == f or (form and f and (form in f or f in form)) for f in forms):
            continue
        kept.append(hit)
        forms.append(form)
    return kept
