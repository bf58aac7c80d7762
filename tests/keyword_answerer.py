"""An Answerer over fixed chunks with BM25 in place of the hybrid retriever (no Chroma, no
model), for the pure-logic tests of answering and refusal."""
from __future__ import annotations

from qa.answer import Answerer
from qa.rerank import term_weights
from vectorstore.bm25 import BM25Index
from vectorstore.records import Chunk, ScoredChunk
from vectorstore.tokenize import CharBigramTokenizer

PAIRS = CharBigramTokenizer()


class KeywordRetriever:
    """Ranks the fixed chunks by BM25 over character pairs; every hit gets dense 0.8."""

    def __init__(self, chunks: list[Chunk]):
        self.index = BM25Index.build(chunks, PAIRS)

    def retrieve(self, query, k, filters=None):
        return [ScoredChunk(chunk=h.chunk, score=h.score, dense=0.8)
                for h in self.index.search(query, k)]


def keyword_answerer(chunks: list[Chunk], word_tokenizer, **kwargs) -> Answerer:
    """Return an Answerer over chunks: KeywordRetriever and term weights from their words and
    character pairs; kwargs go to Answerer (refusal, generator…)."""
    words, pairs = BM25Index.build(chunks, word_tokenizer), BM25Index.build(chunks, PAIRS)

    def weights_for(q):
        return term_weights(q, word_tokenizer, PAIRS, words.document_frequency,
                            pairs.document_frequency, len(words))

    return Answerer(KeywordRetriever(chunks), word_tokenizer, weights_for, **kwargs)
