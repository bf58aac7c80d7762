"""The composition root: builds the embedder, the Chroma stores, the answerer and the chat model
from one Settings object, for every interface, test and benchmark."""
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


# The sentence search's weight in the fusion and the reranker's weight of the nearest
# sentence's cosine, chosen on the tune split (tried: fusion weight 0.5 / 1 / 2 / 3, similarity
# weight 4 / 8 / 16; 3 and 8 gave hit@5 0.912 against 0.857 without sentences, the refusal
# recall one question lower, false refusals one question fewer).
SENTENCE_WEIGHT = 3.0
SENTENCE_SIMILARITY_WEIGHT = 8.0


def build_answerer(settings: Settings, embedder, stores, generator=None, rewriter=None, index=None,
                   expand: tuple[str, ...] = ("words", "pairs", "coverage", "foreign")):
    """Return a qa.answer.Answerer over the committed index: dense (Chroma), BM25 over jieba
    words and BM25 over character pairs fused by RRF, then reordered by sentence coverage.
    expand: where the question's everyday wording is expanded (qa.expansion): the word and
    pair keyword searches, the sentence coverage, which words count as known to the speeches
    ("foreign"); "dense" adds a dense search of the expanded question.

    Raises vectorstore.errors.IndexMissing when nothing is indexed yet and
    vectorstore.errors.IndexCorrupt when the index cannot be read."""
    from qa.answer import AnswerSettings, Answerer
    from qa.expansion import policy_expander
    from qa.rerank import CoverageReranker, term_weights
    from vectorstore.bm25 import BM25Index
    from vectorstore.index import open_committed_index, open_committed_store
    from vectorstore.tokenize import CharBigramTokenizer

    index = index or open_committed_index(settings.index_dir)
    words = index.bm25
    # Built from the committed chunks at start-up (a second or two per 10k chunks), so the
    # on-disk format stays one BM25 file.
    pairs = BM25Index.build(words.chunks, CharBigramTokenizer())
    store = open_committed_store(index, stores)  # IndexCorrupt if Chroma lacks the collection
    speeches = {d.doc_id: f"{d.title}\n{d.text}" for d in index.documents()}
    corpus_text = "\n".join(speeches.values())
    # Query expansion (qa.expansion): everyday wording -> the speeches' policy wording.
    expander = policy_expander(speeches.values(), lambda word: word in corpus_text)
    sentences = None
    if index.sentences is not None:
        from qa.retrieve import SentenceRetriever
        sentences = SentenceRetriever(index.sentences, words.chunks, embedder.embed_query)
    hybrid = build_hybrid(store, words, pairs, expander, expand, sentences, SENTENCE_WEIGHT)

    def weights_for(question: str):
        weights = term_weights(question, words.tokenizer, pairs.tokenizer,
                               words.document_frequency, pairs.document_frequency, len(words))
        return expander.expand_weights(question, weights) if "coverage" in expand else weights

    similarity = nearest_similarity(embedder, store, index.sentences)

    # Weights chosen on the tune split with multilingual-e5-small, whose cosines all lie within
    # a few hundredths of each other (hence the large similarity weight): evaluation.tune_weights
    # for the chunk vectors, the sentence weights by `zwqa eval --split tune` (bench/results.md).
    reranker = CoverageReranker(
        hybrid, weights_for, similarity=similarity, weight=0.8,
        similarity_weight=SENTENCE_SIMILARITY_WEIGHT if index.sentences is not None else 4.0)
    return Answerer(
        reranker,
        words.tokenizer,
        weights_for,
        generator=generator,
        rewriter=rewriter,
        settings=AnswerSettings(k=settings.top_k),
        speech_text=lambda doc_id: speeches.get(doc_id, ""),
        corpus_has=lambda word: word in corpus_text or (
            "foreign" in expand and bool(expander.alternatives(word))),
    )


def nearest_similarity(embedder, store, sentences):
    """Return similarity(question, hits): the cosine of the question with each hit, its nearest
    sentence's when there are sentence vectors (the chunk's own for a chunk without any), else
    the chunk's."""
    def similarity(question: str, hits) -> list[float]:
        query = embedder.embed_query(question)  # cached: the dense search just embedded it
        ids = [h.chunk.id for h in hits]
        best = sentences.best_of(query, ids) if sentences is not None else []
        if best and None not in best:
            return best
        chunk = [sum(a * b for a, b in zip(query, v)) for v in store.get_embeddings(ids)]
        return [b if b is not None else c for b, c in zip(best, chunk)] if best else chunk

    return similarity


def build_hybrid(store, words, pairs, expander, expand: tuple[str, ...], sentences=None,
                 sentence_weight: float = 1.0):
    """Return the hybrid of the named retrievers: dense (Chroma), BM25 over jieba words, BM25
    over character pairs and, when the index has sentence vectors, dense over sentences
    (qa.retrieve.SentenceRetriever, weighted sentence_weight); the keyword ones search the
    expanded question where expand says so (qa.expansion)."""
    from qa.expansion import ExpandedDense
    from qa.fusion import BM25, DENSE, PAIRS, SENTENCES
    from qa.question import topic_words
    from qa.retrieve import BM25Retriever, DenseRetriever, HybridRetriever, NamedRetriever

    dense = DenseRetriever(store)
    if "dense" in expand:
        dense = ExpandedDense(dense, expander)
    return HybridRetriever([
        NamedRetriever(DENSE, dense),
        NamedRetriever(BM25, BM25Retriever(
            words, prepare=expander.expand if "words" in expand else None)),
        NamedRetriever(PAIRS, BM25Retriever(
            pairs, prepare=(lambda q: expander.expand(topic_words(q))) if "pairs" in expand
            else topic_words)),
        *([NamedRetriever(SENTENCES, sentences, sentence_weight)] if sentences else []),
    ])


def build_llm(settings: Settings, strict: bool = False):
    """Return (answer generator, question rewriter) over the chat model the settings name: the
    endpoint at ZWQA_LLM_BASE_URL, else the local GGUF served by llama.cpp in this process
    (started now; it lives as long as the generator, whose .server it is). None when no model
    is available.

    With strict, raise instead of returning None: ImportError, or qa.llm_model.LLMUnavailable whose
    message tells the user what to do."""
    try:
        from qa.llm_answer import LLMAnswerGenerator
        from qa.llm_model import open_chat_model
        from vectorstore.errors import LLMUnavailable
        from qa.llm_rewrite import LLMRewriter
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


def build_shared_llm(settings: Settings):
    """Return (generator, rewriter) over the chat model the settings name, taking turns on one
    lock (qa.shared_model: the local server has one slot). Raises like build_llm(strict=True)."""
    from qa.shared_model import share_model

    generator, rewriter = build_llm(settings, strict=True)
    return share_model(generator, rewriter)
