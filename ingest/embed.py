"""The embed stage of an ingest: the vectors a plan's generation needs that no earlier one has,
the chunks' into Chroma and their sentences' (vectorstore.sentence_index) for the commit."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from vectorstore.bm25 import BM25Index
from vectorstore.catalog import state_dir
from vectorstore.sentence_index import SENTENCE_FILE, SentenceIndex, SentencePlan

# Called as checkpoint(stage, done) (see ingest.pipeline.Checkpoint).
Checkpoint = Callable[[str, float], None]


def embed_new_chunks(store, plan, index_dir: Path,
                     progress: Callable[[int, int], None] | None = None,
                     checkpoint: Checkpoint = lambda stage, done: None) -> int:
    """Return how many of the plan's chunks were embedded into store: those it lacks and those
    whose text changed under the same id. Chunks that changed otherwise (a passage found
    repeated in a new speech, say) get their metadata rewritten only."""
    stored = store.ids()
    old_by_id = {}
    if plan.previous is not None and not plan.new_collection:
        old_bm25 = _try_load_bm25(index_dir, plan.previous.generation)
        old_by_id = {c.id: c for c in old_bm25.chunks} if old_bm25 else {}
    # An edit that keeps a passage's length keeps its id (document + offsets) but not its
    # text: such a passage needs a new vector too.
    to_embed = [c for c in plan.chunks if c.id not in stored
                or (c.id in old_by_id and old_by_id[c.id].text != c.text)]
    changed = [c for c in plan.chunks if c.id in stored and old_by_id.get(c.id) != c]

    def after_batch(done: int, total: int) -> None:
        if progress:
            progress(done, total)
        checkpoint("embedding", done / total)

    if progress:
        progress(0, len(to_embed))
    store.upsert(to_embed, progress=after_batch)
    if changed:
        store.update_metadata(changed)
    return len(to_embed)


def _try_load_bm25(index_dir: Path, generation: int) -> BM25Index | None:
    try:
        return BM25Index.load(state_dir(index_dir, generation) / "bm25.json")
    except Exception:  # only an optimisation: without it metadata is simply rewritten
        return None


def embed_stage(store, embedder, plan, index_dir: Path,
                progress: Callable[[int, int], None] | None,
                checkpoint: Checkpoint) -> tuple[int, int, SentenceIndex]:
    """Return (chunks embedded, sentences embedded, the generation's sentence index): the
    chunks into store (embed_new_chunks), then their sentences, reusing the vectors of the
    generation the plan builds on. progress(done, total) runs over both, passages first."""
    sentences = SentencePlan(plan.chunks, _previous_sentences(plan, index_dir))
    pending = sentences.pending

    def chunk_progress(done: int, total: int) -> None:
        if progress:
            progress(done, total + pending)

    embedded = embed_new_chunks(store, plan, index_dir, chunk_progress, checkpoint)

    def sentence_progress(done: int, total: int) -> None:
        if progress:
            progress(embedded + done, embedded + total)
        checkpoint("embedding", done / total)

    index = sentences.embed(embedder.embed_documents, sentence_progress)
    return embedded, pending, index


def _previous_sentences(plan, index_dir: Path) -> SentenceIndex | None:
    """Return the sentence vectors of the generation the plan builds on, when they can be
    reused (same embedding model) and read; None otherwise (then every sentence is embedded)."""
    if plan.previous is None or plan.new_collection:
        return None
    path = state_dir(index_dir, plan.previous.generation) / SENTENCE_FILE
    return SentenceIndex.load_reusable(path)
