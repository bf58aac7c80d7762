"""Gives the committed index as readers see it: catalog, BM25 and the Chroma collection name."""
from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from vectorstore.bm25 import REBUILD_HINT, BM25Index, IndexCorrupt
from vectorstore.catalog import Catalog, load_catalog, state_dir
from vectorstore.records import Chunk, ScoredChunk, SpeechDocument


class IndexMissing(RuntimeError):
    """No ingest has committed an index in this folder yet."""


@dataclass(frozen=True)
class CommittedIndex:
    catalog: Catalog
    bm25: BM25Index

    @property
    def chunks(self) -> list[Chunk]:
        """Return the indexed chunks (repeats merged), in corpus order."""
        return self.bm25.chunks

    def documents(self) -> list[SpeechDocument]:
        return self.catalog.documents()

    def document(self, doc_id: str) -> SpeechDocument | None:
        return next((d for d in self.documents() if d.doc_id == doc_id), None)

    def chunk_counts(self) -> dict[str, int]:
        """Return doc_id → number of indexed chunks that belong to that speech (repeats counted
        in every speech they appear in)."""
        counts: dict[str, int] = {}
        for c in self.chunks:
            for doc_id in (c.doc_id, *c.also_in_ids):
                counts[doc_id] = counts.get(doc_id, 0) + 1
        return counts


def open_committed_index(index_dir: Path) -> CommittedIndex:
    """Return the committed index; IndexMissing when there is none, IndexCorrupt when unreadable."""
    catalog = load_catalog(index_dir)
    if catalog is None:
        if any(p.name.isdigit() for p in (index_dir / "state").glob("*")):
            # Generations on disk but no pointer: CURRENT was deleted (or the very first
            # ingest died before committing). Nothing tells which generation is whole.
            raise IndexCorrupt(f"索引指针文件 CURRENT 不存在：{index_dir / 'CURRENT'}。{REBUILD_HINT}")
        raise IndexMissing(f"尚未建立索引：{index_dir}。请先运行 `zwqa ingest`")
    bm25 = BM25Index.load(state_dir(index_dir, catalog.generation) / "bm25.json")
    if not catalog.files and bm25.chunks:
        raise IndexCorrupt(f"索引目录与 BM25 索引不一致。{REBUILD_HINT}")
    return CommittedIndex(catalog=catalog, bm25=bm25)


class CommittedStore:
    """A dense store narrowed to the committed index: vectors that a killed ingest added are
    skipped, and each hit carries the committed Chunk (its metadata as BM25 has it)."""

    def __init__(self, store, chunks: list[Chunk]):
        self.store = store
        self._by_id = {c.id: c for c in chunks}

    def query(self, text: str, k: int, where: dict | None = None) -> list[ScoredChunk]:
        """Return the k committed chunks nearest to text, best first, dense_rank 1-based."""
        fetch = k
        while True:
            raw = self.store.query(text, fetch, where)
            hits = [h for h in raw if h.chunk.id in self._by_id]
            if len(hits) >= k or len(raw) < fetch:
                break
            fetch *= 2  # only after a killed ingest are there uncommitted vectors to skip
        return [replace(h, chunk=self._by_id[h.chunk.id], dense_rank=rank)
                for rank, h in enumerate(hits[:k], start=1)]

    def get_embeddings(self, ids: list[str]) -> list[list[float]]:
        """Return the stored vectors of ids, in the same order."""
        return self.store.get_embeddings(ids)


def open_committed_store(index: CommittedIndex, stores) -> CommittedStore:
    """Return the committed index's Chroma collection as a CommittedStore.

    Raises IndexCorrupt when the collection is missing (e.g. the Chroma folder was deleted, or
    a server lacks it), holds fewer vectors than the index has chunks, or was embedded with
    another model than the stores' embedder (its query vectors would be meaningless there)."""
    built_with = index.catalog.signature.get("embed_model")
    embedder = getattr(stores, "embedder", None)
    if built_with and embedder is not None and embedder.model_name != built_with:
        raise IndexCorrupt(
            f"索引是用嵌入模型 {built_with} 建立的，当前使用的是 {embedder.model_name}：请把 "
            f"ZWQA_EMBED_MODEL 设为建立索引时的模型，或用当前模型重建。{REBUILD_HINT}"
        )
    store = stores.open_existing(index.catalog.collection)
    if store.count() < len(index.chunks):
        raise IndexCorrupt(
            f"向量库集合 {index.catalog.collection} 只有 {store.count()} 个向量，"
            f"少于索引的 {len(index.chunks)} 个段落。{REBUILD_HINT}"
        )
    return CommittedStore(store, index.chunks)
