"""Three reference retrievers built the way common RAG recipes build them, for `zwqa eval --baseline`.

Each chunks the same documents its own way, uses the same embedder, and implements
`retrieve(query, k, filters=None) -> list[ScoredChunk]`:

(a) "langchain-tutorial": RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)
    + langchain_chroma.Chroma, dense top-k (the LangChain RAG tutorial).
(b) "chatchat-ensemble": Langchain-Chatchat's recipe: 250-character chunks with 50 overlap,
    split at Chinese sentence and clause marks (its ChineseRecursiveTextSplitter's separators),
    BM25 (jieba.lcut_for_search) and dense fused 0.5/0.5 by LangChain's EnsembleRetriever.
(c) "bm25": the BM25 half of (b) alone, on (b)'s chunks.

The vector search uses the same exact HNSW settings as our store, so differences come from
chunking, tokenising and fusion, not from approximate search.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from langchain_core.embeddings import Embeddings

from vectorstore.records import Chunk, ScoredChunk, SpeechDocument, stable_id

TUTORIAL = "langchain-tutorial"
CHATCHAT = "chatchat-ensemble"
BM25 = "bm25"
NAMES = (TUTORIAL, CHATCHAT, BM25)
# Langchain-Chatchat's ChineseRecursiveTextSplitter separators, kept at the end of a piece.
CHATCHAT_SEPARATORS = ["\n\n", "\n", "。|！|？", "；|;", "，|,"]
# Passages handed to the LangChain Chroma store per call (it embeds them itself): the progress
# bar moves, and an interrupted eval resumes after the last batch added.
_ADD_BATCH = 64


def tutorial_splitter():
    """Return the LangChain tutorial's splitter: 1000 characters, 200 overlap."""
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    return RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200, add_start_index=True)


def chatchat_splitter():
    """Return a Chatchat-style splitter: 250 characters, 50 overlap, Chinese punctuation first."""
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    return RecursiveCharacterTextSplitter(
        separators=CHATCHAT_SEPARATORS,
        is_separator_regex=True,
        keep_separator="end",
        chunk_size=250,
        chunk_overlap=50,
        add_start_index=True,
    )


def split_documents(docs: Sequence[SpeechDocument], splitter, tag: str) -> list[Chunk]:
    """Return the splitter's chunks of docs as Chunk records with offsets into each doc's text.

    Offsets are the splitter's own start_index (add_start_index=True: it searches each chunk
    from just before where the previous one ended, so a passage repeated earlier in the text
    is not mistaken for it). A chunk whose offsets do not give back its text is an error."""
    from langchain_core.documents import Document

    chunks: list[Chunk] = []
    for doc in docs:
        for part in splitter.split_documents([Document(page_content=doc.text)]):
            text = part.page_content
            start = int(part.metadata["start_index"])
            end = start + len(text)
            if start < 0 or doc.text[start:end] != text:
                raise ValueError(f"{tag}: offsets of a chunk of {doc.doc_id} do not match its text")
            chunks.append(Chunk(
                id=stable_id(tag, doc.doc_id, start, end),
                doc_id=doc.doc_id,
                title=doc.title,
                section_path="",
                paragraph=doc.text.count("\n", 0, start),
                start=start,
                end=end,
                text=text,
                source=doc.source,
                date=doc.date,
            ))
    return chunks


def open_langchain_chroma(client, name: str, embedder, chunks: Sequence[Chunk],
                          progress: Callable[[int, int], None] | None = None):
    """Return (a langchain_chroma.Chroma collection holding every chunk, with metadata
    chunk_id; the number of chunks embedded now): only chunks it lacks are embedded."""
    from langchain_chroma import Chroma
    from langchain_core.documents import Document

    from vectorstore.chroma_store import hnsw_configuration

    vs = Chroma(collection_name=name, embedding_function=embedder, client=client,
                collection_configuration=hnsw_configuration())
    stored = set(vs.get(include=[])["ids"])
    missing = [c for c in chunks if c.id not in stored]
    if progress:
        progress(0, len(missing))
    for lo in range(0, len(missing), _ADD_BATCH):
        batch = missing[lo:lo + _ADD_BATCH]
        vs.add_documents([Document(page_content=c.text, metadata={"chunk_id": c.id}) for c in batch],
                         ids=[c.id for c in batch])
        if progress:
            progress(lo + len(batch), len(missing))
    return vs, len(missing)


def _keep(hits: list[ScoredChunk], k: int, filters) -> list[ScoredChunk]:
    if filters is not None and getattr(filters, "active", False):
        hits = [h for h in hits if filters.matches(h.chunk)]
    return hits[:k]


def _fetch(k: int, filters) -> int:
    # Filters are applied after the search, so fetch more when they are active.
    return k * 4 if filters is not None and getattr(filters, "active", False) else k


class _FilteredSearch:
    """A retriever made of a search(query, k) whose results are filtered afterwards."""

    def search(self, query: str, k: int) -> list[ScoredChunk]:
        raise NotImplementedError

    def retrieve(self, query: str, k: int, filters=None) -> list[ScoredChunk]:
        """Return up to k chunks in search order, those the filters reject left out."""
        if k <= 0:
            return []
        return _keep(self.search(query, _fetch(k, filters)), k, filters)


class DenseBaseline(_FilteredSearch):
    """(a): dense top-k over a langchain_chroma.Chroma collection."""

    name = TUTORIAL

    def __init__(self, vectorstore, chunks: Sequence[Chunk]):
        self.vectorstore = vectorstore
        self.by_id = {c.id: c for c in chunks}

    def search(self, query: str, k: int) -> list[ScoredChunk]:
        """Return the k nearest chunks, score = dense = cosine similarity."""
        out = []
        for rank, (doc, distance) in enumerate(
                self.vectorstore.similarity_search_with_score(query, k=k), start=1):
            sim = 1.0 - float(distance)  # cosine space: distance = 1 - similarity
            out.append(ScoredChunk(self.by_id[doc.metadata["chunk_id"]], score=sim, dense=sim,
                                   dense_rank=rank))
        return out


class BM25Baseline(_FilteredSearch):
    """(c): LangChain's BM25Retriever with jieba.lcut_for_search, scores kept."""

    name = BM25

    def __init__(self, chunks: Sequence[Chunk]):
        import jieba
        from langchain_community.retrievers import BM25Retriever
        from langchain_core.documents import Document

        jieba.setLogLevel(logging.WARNING)
        self.chunks = list(chunks)
        self.retriever = BM25Retriever.from_documents(
            [Document(page_content=c.text, metadata={"chunk_id": c.id}) for c in self.chunks],
            preprocess_func=jieba.lcut_for_search,
        )

    def search(self, query: str, k: int) -> list[ScoredChunk]:
        """Return the top k chunks in BM25Retriever's own order (rank_bm25's get_top_n, zero
        scores included), with their BM25 scores."""
        import numpy as np

        scores = self.retriever.vectorizer.get_scores(self.retriever.preprocess_func(query))
        order = np.argsort(scores)[::-1][:k]
        return [ScoredChunk(self.chunks[i], score=float(scores[i]), bm25=float(scores[i]),
                            bm25_rank=rank) for rank, i in enumerate(order, start=1)]


class EnsembleBaseline:
    """(b): BM25 and dense lists fused by EnsembleRetriever's weighted reciprocal rank."""

    name = CHATCHAT

    def __init__(self, bm25: BM25Baseline, dense: DenseBaseline, weights=(0.5, 0.5)):
        from langchain_classic.retrievers import EnsembleRetriever

        self.bm25 = bm25
        self.dense = dense
        self.ensemble = EnsembleRetriever(
            retrievers=[bm25.retriever, dense.vectorstore.as_retriever()], weights=list(weights))

    def retrieve(self, query: str, k: int, filters=None) -> list[ScoredChunk]:
        """Return up to k chunks in EnsembleRetriever's order, score = its weighted RRF score.

        Both lists are fetched with k results, as Chatchat does, and fused by the ensemble's
        own weighted_reciprocal_rank (which also merges chunks with the same text)."""
        if k <= 0:
            return []
        n = _fetch(k, filters)
        lists = [self.bm25.search(query, n), self.dense.search(query, n)]
        from langchain_core.documents import Document

        doc_lists = [[Document(page_content=h.chunk.text, metadata={"chunk_id": h.chunk.id})
                      for h in hits] for hits in lists]
        fused = self.ensemble.weighted_reciprocal_rank(doc_lists)
        # The ensemble keys results by text: the same weighted RRF score, and each side's hit.
        score: dict[str, float] = {}
        side: list[dict[str, ScoredChunk]] = [{}, {}]
        for i, (hits, weight) in enumerate(zip(lists, self.ensemble.weights)):
            for rank, h in enumerate(hits, start=1):
                score[h.chunk.text] = score.get(h.chunk.text, 0.0) + weight / (rank + self.ensemble.c)
                side[i].setdefault(h.chunk.text, h)
        out = []
        for doc in fused:
            text = doc.page_content
            b, d = side[0].get(text), side[1].get(text)
            out.append(ScoredChunk(
                (b or d).chunk, score=score[text],
                dense=d.dense if d else None, dense_rank=d.dense_rank if d else None,
                bm25=b.bm25 if b else None, bm25_rank=b.bm25_rank if b else None,
            ))
        return _keep(out, k, filters)


class _UncachedQueries(Embeddings):
    """The embedder with every query embedded afresh, as a baseline would: our Embedder keeps
    recent query vectors, which would let a baseline reuse the ones our system computed."""

    def __init__(self, embedder):
        self.embedder = embedder

    def embed_documents(self, texts):
        return self.embedder.embed_documents(texts)

    def embed_query(self, text):
        return self.embedder.embed_queries([text])[0]


@dataclass
class Baselines:
    """The three baselines over one document set, and how many chunks were embedded."""

    retrievers: dict  # name -> retriever, in NAMES order
    embedded: int
    chunks: dict  # name -> number of chunks


def build_baselines(docs: Sequence[SpeechDocument], embedder, client, key: str = "",
                    progress: Callable[[str, int, int], None] | None = None) -> Baselines:
    """Return (a), (b) and (c) over docs; their vectors live in `client` (a Chroma client) in
    collections named with `key`, so a later call with the same key embeds nothing."""
    suffix = f"-{key}" if key else ""
    embedder = _UncachedQueries(embedder)
    tutorial_chunks = split_documents(docs, tutorial_splitter(), TUTORIAL)
    chatchat_chunks = split_documents(docs, chatchat_splitter(), CHATCHAT)
    embedded = 0

    def step(name):
        return (lambda done, total: progress(name, done, total)) if progress else None

    counts = {}
    stores = {}
    for name, chunks in ((TUTORIAL, tutorial_chunks), (CHATCHAT, chatchat_chunks)):
        stores[name], n = open_langchain_chroma(client, f"bl-{name}{suffix}"[:63], embedder,
                                                chunks, step(name))
        embedded += n
        counts[name] = len(chunks)
    dense_a = DenseBaseline(stores[TUTORIAL], tutorial_chunks)
    dense_b = DenseBaseline(stores[CHATCHAT], chatchat_chunks)
    bm25 = BM25Baseline(chatchat_chunks)
    counts[BM25] = len(chatchat_chunks)
    return Baselines(
        retrievers={TUTORIAL: dense_a, CHATCHAT: EnsembleBaseline(bm25, dense_b), BM25: bm25},
        embedded=embedded,
        chunks=counts,
    )
