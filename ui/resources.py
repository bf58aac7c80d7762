"""Builds the heavy parts (embedder, Chroma stores) from one Settings object, for CLI and UI."""
from __future__ import annotations

from vectorstore.settings import Settings


def build_embedder(settings: Settings):
    """Return the embedder named by settings (multilingual-e5-small when none is set); loads lazily."""
    from vectorstore.embeddings import Embedder

    return Embedder(settings.embed_model or None, batch_size=settings.embed_batch_size)


def build_stores(settings: Settings, embedder):
    """Return the Chroma collections factory: embedded under index_dir, or a server's."""
    from vectorstore.chroma_client import open_chroma_client
    from vectorstore.chroma_store import ChromaStores

    path = settings.index_dir / "chroma"
    client = open_chroma_client(url=settings.chroma_url, path=path)
    return ChromaStores(client, embedder, location=settings.chroma_url or str(path),
                        embedded_path=None if settings.chroma_url else path)


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
    """Return a qa.answer.Answerer over the committed index: dense (Chroma), BM25 over jieba
    words and BM25 over character pairs fused by RRF, then reordered by sentence coverage.

    Raises vectorstore.index.IndexMissing when nothing is indexed yet and
    vectorstore.bm25.IndexCorrupt when the index cannot be read."""
    from qa.answer import AnswerSettings, Answerer
    from qa.question import topic_words
    from qa.rerank import CoverageReranker, term_weights
    from qa.retrieve import BM25Retriever, DenseRetriever, HybridRetriever
    from vectorstore.bm25 import BM25Index
    from vectorstore.index import open_committed_index, open_committed_store
    from vectorstore.tokenize import CharBigramTokenizer

    index = index or open_committed_index(settings.index_dir)
    words = index.bm25
    # Built from the committed chunks at start-up (a second or two per 10k chunks), so the
    # on-disk format stays one BM25 file.
    pairs = BM25Index.build(words.chunks, CharBigramTokenizer())
    store = open_committed_store(index, stores)  # IndexCorrupt if Chroma lacks the collection
    hybrid = HybridRetriever(
        DenseRetriever(store), BM25Retriever(words), pairs=BM25Retriever(pairs, prepare=topic_words)
    )

    def weights_for(question: str):
        return term_weights(question, words.tokenizer, pairs.tokenizer, words.document_frequency,
                            pairs.document_frequency, len(words))

    speeches = {d.doc_id: f"{d.title}\n{d.text}" for d in index.documents()}
    corpus_text = "\n".join(speeches.values())

    def similarity(question: str, hits) -> list[float]:
        query = embedder.embed_query(question)  # cached: the dense search just embedded it
        vectors = store.get_embeddings([h.chunk.id for h in hits])
        return [sum(a * b for a, b in zip(query, v)) for v in vectors]

    return Answerer(
        CoverageReranker(hybrid, weights_for, similarity=similarity),
        words.tokenizer,
        weights_for,
        generator=generator,
        rewriter=rewriter,
        settings=AnswerSettings(k=settings.top_k),
        speech_text=lambda doc_id: speeches.get(doc_id, ""),
        corpus_has=lambda word: word in corpus_text,
    )


def build_llm(settings: Settings, strict: bool = False):
    """Return (answer generator, question rewriter) over the chat model the settings name: the
    endpoint at ZWQA_LLM_BASE_URL, else the local GGUF served by llama.cpp in this process
    (started now; it lives as long as the generator, whose .server it is). None when no model
    is available.

    With strict, raise instead of returning None: ImportError, or qa.llm.LLMUnavailable whose
    message tells the user what to do."""
    try:
        from qa.llm import LLMAnswerGenerator, LLMRewriter, open_chat_model
        from vectorstore.errors import LLMUnavailable
    except ImportError:
        if strict:
            raise
        return None
    try:
        chat_model, server = open_chat_model(settings)
    except LLMUnavailable:
        if strict:
            raise
        return None
    return LLMAnswerGenerator(chat_model, server=server), LLMRewriter(chat_model)


def build_generator(settings: Settings):
    """Return the LLM answer generator the settings name, or None when no model is available."""
    parts = build_llm(settings)
    return parts[0] if parts else None


def eval_cache_root(given=None):
    """Return the folder where `zwqa eval` keeps the indexes of external data and baselines."""
    from pathlib import Path

    from vectorstore.settings import default_cache_dir

    return Path(given) if given else default_cache_dir() / "eval"


def build_context_index(settings: Settings, embedder, contexts_path, cache_root, progress=None):
    """Return (ingest.external.ContextIndex, its ChromaStores) for an external contexts file,
    indexed (or reused) in its own cache folder under cache_root, never in index_dir."""
    from ingest.external import context_cache_dir, index_contexts, load_contexts

    docs = load_contexts(contexts_path)
    folder = context_cache_dir(cache_root, contexts_path, settings.chunk_size,
                               settings.chunk_overlap, embedder.model_name)
    stores = build_stores(settings.model_copy(update={"index_dir": folder}), embedder)
    index = index_contexts(docs, stores, folder, settings.chunk_size, settings.chunk_overlap,
                           progress)
    return index, stores


def build_baseline_retrievers(embedder, documents, cache_root, progress=None):
    """Return qa.baselines.Baselines over the documents, their vectors cached under cache_root
    in a folder keyed by the documents' content and the embedding model."""
    from ingest.external import documents_digest
    from qa.baselines import build_baselines
    from vectorstore.chroma_client import open_chroma_client
    from vectorstore.records import stable_id

    key = stable_id(documents_digest(documents), embedder.model_name, "baselines-1", length=12)
    client = open_chroma_client(path=cache_root / f"baselines-{key}" / "chroma")
    return build_baselines(documents, embedder, client, key=key, progress=progress)
