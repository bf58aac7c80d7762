"""Builds the heavy parts (embedder, Chroma stores) from one Settings object, for CLI and UI."""
from __future__ import annotations

from vectorstore.settings import Settings


def build_embedder(settings: Settings):
    """Return the embedder named by settings (m3e-small when none is set); loads lazily."""
    from vectorstore.embeddings import Embedder

    return Embedder(settings.embed_model or None, batch_size=settings.embed_batch_size)


def build_stores(settings: Settings, embedder):
    """Return the Chroma collections factory: embedded under index_dir, or a server's."""
    from vectorstore.chroma_store import ChromaStores, open_chroma_client

    client = open_chroma_client(url=settings.chroma_url, path=settings.index_dir / "chroma")
    return ChromaStores(client, embedder)


def ingest_options(settings: Settings, prune: bool = False, rebuild: bool = False):
    """Return the ingest options the settings imply."""
    from ingest.pipeline import IngestOptions

    return IngestOptions(
        index_dir=settings.index_dir,
        corpus_dir=settings.corpus_dir,
        collection=settings.collection,
        chunk_size=settings.chunk_size,
        chunk_overlap=settings.chunk_overlap,
        prune=prune,
        rebuild=rebuild,
    )


def build_answerer(settings: Settings, embedder, stores, generator=None, rewriter=None, index=None):
    """Return a qa.answer.Answerer over the committed index (dense + BM25 fused by RRF).

    Raises vectorstore.index.IndexMissing when nothing is indexed yet and
    vectorstore.bm25.IndexCorrupt when the index cannot be read."""
    from qa.answer import AnswerSettings, Answerer, CorpusStats
    from qa.retrieve import BM25Retriever, DenseRetriever, HybridRetriever
    from vectorstore.index import open_committed_index

    index = index or open_committed_index(settings.index_dir)
    bm25 = index.bm25
    store = stores.open(index.catalog.collection)
    retriever = HybridRetriever(DenseRetriever(store), BM25Retriever(bm25))
    return Answerer(
        retriever,
        bm25.tokenizer,
        CorpusStats(document_frequency=bm25.document_frequency, size=len(bm25)),
        generator=generator,
        rewriter=rewriter,
        settings=AnswerSettings(k=settings.top_k),
    )
