"""What the API serves from: one Answerer, the term lookup and the index, built once."""
from __future__ import annotations

from dataclasses import dataclass

from vectorstore.settings import Settings


@dataclass
class ApiService:
    answerer: object  # qa.answer.Answerer, shared by all requests
    lookup: object  # qa.lookup.TermLookup
    generation: int
    documents: int
    chunks: int
    llm_note: str = ""  # why there is no chat model, when there is none

    @property
    def models(self) -> list[str]:
        """Return the model names clients may ask for."""
        return ["zwqa-extractive"] + (["zwqa-llm"] if self.answerer.generator is not None else [])


def build_service(settings: Settings, with_llm: bool = True) -> ApiService:
    """Return the service over the committed index; the chat model too when with_llm and one
    is available (its calls are serialised: llama.cpp serves one request at a time).

    Raises IndexMissing, IndexCorrupt, EmbeddingModelMissing or ChromaUnavailable."""
    from qa.system import build_answerer, build_embedder, build_shared_llm, build_stores
    from ui.lookup_resources import build_term_lookup
    from vectorstore.index import open_committed_index

    embedder = build_embedder(settings)
    stores = build_stores(settings, embedder)
    index = open_committed_index(settings.index_dir)
    generator = rewriter = None
    note = "未加载大模型（--no-llm）"
    if with_llm:
        try:
            generator, rewriter = build_shared_llm(settings)
            note = ""
        except (ImportError, RuntimeError) as e:  # RuntimeError: vectorstore.errors.LLMUnavailable
            note = str(e)
    answerer = build_answerer(settings, embedder, stores, generator=generator, rewriter=rewriter,
                              index=index)
    lookup = build_term_lookup(index, settings.index_dir)
    embedder.embed_query("政务服务")  # load the model now, not on the first request
    return ApiService(answerer, lookup, index.catalog.generation, len(index.documents()),
                      len(index.chunks), note)
