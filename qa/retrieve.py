"""Retrievers: filters, adapters over the dense and BM25 stores, and the hybrid of named ones.

Every retriever applies the filters it is given, once: the dense one by over-fetching, the BM25
one by passing them down to the index; the hybrid passes them to each of its retrievers."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from qa.fusion import RRF_K, rrf_fuse
from vectorstore.records import Chunk, ScoredChunk
from vectorstore.text import match_form


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
    """Returns up to k chunks for the query, best first, every one allowed by filters."""

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
        return [
            replace(h, bm25=h.bm25 if h.bm25 is not None else h.score, bm25_rank=rank)
            for rank, h in enumerate(hits[:k], start=1)
        ]


class SentenceVectors(Protocol):
    def nearest(self, query: Sequence[float], k: int,
                keep: Callable[[str], bool] | None = None) -> list[tuple[str, float]]: ...


class SentenceRetriever:
    """Retriever scoring each chunk by its sentence nearest to the question
    (vectorstore.sentence_index); the question is embedded by embed_query (cached, so the
    dense search and this one embed it once)."""

    def __init__(self, sentences: SentenceVectors, chunks: Sequence[Chunk],
                 embed_query: Callable[[str], list[float]]):
        self.sentences = sentences
        self.by_id = {c.id: c for c in chunks}
        self.embed_query = embed_query

    def retrieve(self, query: str, k: int, filters: Filters | None = None) -> list[ScoredChunk]:
        """Return up to k chunks by the cosine of their best sentence, best first."""
        if k <= 0:
            return []
        active = filters is not None and filters.active

        def keep(cid: str) -> bool:
            chunk = self.by_id.get(cid)
            return chunk is not None and (not active or filters.matches(chunk))

        return [ScoredChunk(chunk=self.by_id[cid], score=score)
                for cid, score in self.sentences.nearest(self.embed_query(query), k, keep)]


@dataclass(frozen=True)
class NamedRetriever:
    """One retriever of a hybrid: its name (the key of its rank and score in a fused result's
    ScoredChunk.ranks / .scores, see qa.fusion) and its weight in the fusion."""

    name: str
    retriever: Retriever
    weight: float = 1.0


class HybridRetriever:
    """Retriever fusing the results of named retrievers with weighted RRF (qa.fusion), repeats
    collapsed, e.g. dense + BM25 over words + BM25 over character pairs (build_answerer), or BM25
    alone while no embedding model is available."""

    def __init__(self, retrievers: Sequence[NamedRetriever], candidates: int = 30,
                 rrf_k: int = RRF_K):
        if not retrievers:
            raise ValueError("HybridRetriever needs at least one retriever")
        names = [r.name for r in retrievers]
        if len(set(names)) != len(names):
            raise ValueError(f"retriever names must differ: {names}")
        self.retrievers = tuple(retrievers)
        self.candidates = candidates  # fetched from each retriever
        self.rrf_k = rrf_k

    def retrieve(self, query: str, k: int, filters: Filters | None = None) -> list[ScoredChunk]:
        """Return the top k fused chunks allowed by filters, no two repeating each other.

        Each retriever applies the filters itself (the Retriever contract); the fused lists
        are not filtered again."""
        if k <= 0:
            return []
        n = max(self.candidates, k)
        lists = {r.name: r.retriever.retrieve(query, n, filters) for r in self.retrievers}
        fused = rrf_fuse(lists, k=self.rrf_k, weights={r.name: r.weight for r in self.retrievers})
        return collapse_repeats(fused)[:k]


def collapse_repeats(ranked: Sequence[ScoredChunk]) -> list[ScoredChunk]:
    """Return ranked without chunks repeating a better-ranked one (same text or contained).

    Texts are compared ignoring whitespace, punctuation and width, so the same passage copied
    into two speeches with different punctuation still collapses. The better-ranked chunk is
    kept even when it is the shorter one, so the order of the results never changes.
    """
    kept: list[ScoredChunk] = []
    forms: list[str] = []
    for hit in ranked:
        form = match_form(hit.chunk.text)
        if any(form == f or (form and f and (form in f or f in form)) for f in forms):
            continue
        kept.append(hit)
        forms.append(form)
    return kept
