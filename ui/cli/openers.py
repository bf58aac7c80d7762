"""Open what a command answers from (chat model, answerer, term lookup) through qa.system, or
print why it cannot be opened and return None."""
from __future__ import annotations

import sys

from ui.cli.output import fail
from vectorstore.settings import Settings


def build_llm_or_fail(settings: Settings):
    """Return (generator, rewriter), or print why there is no model and return None."""
    from qa.system import build_llm

    try:
        return build_llm(settings, strict=True)
    except ImportError as e:
        print(f"错误：没有可用的大模型（{e}），请改用 --mode extractive", file=sys.stderr)
    except RuntimeError as e:  # qa.llm.LLMUnavailable
        fail(e)
    return None


def open_answerer(settings: Settings, llm=None, embedder=None, stores=None, index=None):
    """Return an Answerer (with the (generator, rewriter) pair llm, if given), or None after
    printing why it cannot be built."""
    from qa.system import build_answerer, build_embedder, build_stores
    from vectorstore.errors import IndexCorrupt
    from vectorstore.errors import ChromaUnavailable
    from vectorstore.errors import EmbeddingModelMissing
    from vectorstore.errors import IndexMissing

    generator, rewriter = llm or (None, None)
    try:
        embedder = embedder or build_embedder(settings)
        stores = stores or build_stores(settings, embedder)
        return build_answerer(settings, embedder, stores, generator=generator, rewriter=rewriter,
                              index=index)
    except (IndexMissing, IndexCorrupt, EmbeddingModelMissing, ChromaUnavailable) as e:
        fail(e)
        return None


def open_current_answerer(settings: Settings, mode: str):
    """Return a ui.cli.reader.CurrentAnswerer for `zwqa ask`, or None after printing why not."""
    from qa.system import build_embedder, build_stores
    from ui.cli.reader import CurrentAnswerer

    llm = build_llm_or_fail(settings) if mode == "llm" else None
    if mode == "llm" and llm is None:
        return None
    embedder = build_embedder(settings)
    return CurrentAnswerer(settings, embedder, build_stores(settings, embedder), llm)


def open_lookup(settings: Settings):
    """Return the TermLookup of the committed index, or None after printing why there is none."""
    from ui.lookup_resources import build_term_lookup
    from vectorstore.errors import IndexCorrupt
    from vectorstore.errors import IndexMissing

    try:
        return build_term_lookup(index_dir=settings.index_dir)
    except (IndexMissing, IndexCorrupt) as e:
        fail(e)
        return None
