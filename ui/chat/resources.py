"""The chat page's heavy resources, built by qa.system once per process (st.cache_resource); the
chat model loads in a background thread, so the page can be used in 原文摘录 mode at once."""
from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from ui.chat.background import READY, BackgroundLoad
from ui.chat.indexing import ensure_index
from ui.chat.render import TITLE, md_literal
from vectorstore.settings import Settings

LLM_SETTINGS = {"llm_path", "llm_base_url", "llm_model", "llm_api_key", "llm_ctx", "llm_threads"}


@st.cache_resource(show_spinner=False)
def get_embedder(model: str, batch_size: int, _settings: Settings):
    from qa.system import build_embedder

    embedder = build_embedder(_settings)
    # Load the model now, off the page's thread, so the first question is not the one waiting.
    BackgroundLoad(lambda: embedder.dimension, name="zwqa-embedder-warmup")
    return embedder


@st.cache_resource(show_spinner=False)
def get_stores(chroma_url: str, index_dir: str, _settings: Settings, _embedder):
    from qa.system import build_stores

    return build_stores(_settings, _embedder)


@st.cache_resource(show_spinner=False)
def get_llm(key: str, _settings: Settings) -> BackgroundLoad:
    """Return the background load of (generator, rewriter) sharing one model lock."""
    from qa.system import build_shared_llm

    return BackgroundLoad(lambda: build_shared_llm(_settings), name="zwqa-llm",
                          unavailable_message="没有可用的大模型")


# One entry: an index holds a lease on its generation (vectorstore.leases), and an ingest removes
# an earlier generation only once no reader holds it.
@st.cache_resource(show_spinner=False, max_entries=1)
def get_index(index_dir: str, generation: int, _settings: Settings):
    from vectorstore.index import open_committed_index

    return open_committed_index(_settings.index_dir)


@st.cache_resource(show_spinner=False, max_entries=1)
def get_answerer(key: str, generation: int, with_llm: bool, _settings: Settings, _embedder,
                 _stores, _index, _llm_parts):
    from qa.system import build_answerer

    generator, rewriter = _llm_parts if with_llm else (None, None)
    return build_answerer(_settings, _embedder, _stores, generator=generator, rewriter=rewriter,
                          index=_index)


@dataclass(frozen=True)
class ChatResources:
    embedder: object
    stores: object
    index: object  # vectorstore.index.CommittedIndex of the current generation
    llm: BackgroundLoad  # of (generator, rewriter)
    answerer: object  # qa.answer.Answerer, with the chat model once it is ready


def open_resources(settings: Settings) -> ChatResources:
    """Return the page's resources (indexing the bundled corpus first when there is no index),
    or stop the page with the reason they cannot be opened."""
    from vectorstore.errors import IndexCorrupt
    from vectorstore.catalog import current_generation
    from vectorstore.errors import ChromaUnavailable
    from vectorstore.errors import EmbeddingModelMissing
    from vectorstore.errors import IndexMissing

    try:
        embedder = get_embedder(settings.embed_model, settings.embed_batch_size, settings)
        stores = get_stores(settings.chroma_url, str(settings.index_dir), settings, embedder)
        ensure_index(settings, embedder, stores)
        generation = current_generation(settings.index_dir)
        index = get_index(str(settings.index_dir), generation, settings)
        llm = get_llm(settings.model_dump_json(include=LLM_SETTINGS), settings)
        with_llm = llm.state == READY
        answerer = get_answerer(settings.model_dump_json(), generation, with_llm, settings,
                                embedder, stores, index, llm.value if with_llm else None)
    except (IndexMissing, IndexCorrupt, ChromaUnavailable, EmbeddingModelMissing) as e:
        st.title(TITLE)
        st.error(md_literal(str(e)))
        st.stop()
    return ChatResources(embedder, stores, index, llm, answerer)
