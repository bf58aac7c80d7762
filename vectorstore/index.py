"""Gives the committed index as readers see it: catalog, BM25 and the Chroma collection name."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from vectorstore.bm25 import REBUILD_HINT, BM25Index, IndexCorrupt
from vectorstore.catalog import Catalog, load_catalog, state_dir
from vectorstore.records import Chunk, SpeechDocument


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
        raise IndexMissing(f"尚未建立索引：{index_dir}。请先运行 `zwqa ingest`")
    bm25 = BM25Index.load(state_dir(index_dir, catalog.generation) / "bm25.json")
    if not catalog.files and bm25.chunks:
        raise IndexCorrupt(f"索引目录与 BM25 索引不一致。{REBUILD_HINT}")
    return CommittedIndex(catalog=catalog, bm25=bm25)
