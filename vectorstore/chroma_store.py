"""Chunks and their embeddings in a Chroma collection (embedded folder or server)."""
from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from vectorstore.errors import REBUILD_HINT, IndexCorrupt
from vectorstore.records import Chunk, ScoredChunk

# HNSW parameters. The corpus is small (1–3k chunks), so search cost is negligible and we buy
# exactness: with search_ef far above k and a dense graph (M=32), top-10 equals brute-force
# cosine search on the bundled corpus (tests/vectorstore/test_chroma_store.py checks it).
HNSW_SPACE = "cosine"
HNSW_CONSTRUCTION_EF = 200
HNSW_SEARCH_EF = 256
HNSW_M = 32

# Passages embedded and written per Chroma call: an ingest killed mid-way loses at most one
# batch of embedding work, and its progress moves every few seconds on a CPU.
UPSERT_BATCH = 32
# Ids read or deleted per Chroma call: below the most records one call of the embedded store
# accepts (about 5,400, set by SQLite's limit on bound variables).
ID_PAGE = 5000
# Whole records (text and metadata) read per call when listing every chunk.
RECORD_PAGE = 1000

# Chunk fields stored as JSON strings, because Chroma metadata values must be scalars.
_TUPLE_FIELDS = tuple(f.name for f in dataclasses.fields(Chunk) if "tuple" in str(f.type))


def hnsw_configuration() -> dict:
    """Return the Chroma collection configuration for our HNSW index."""
    return {
        "hnsw": {
            "space": HNSW_SPACE,
            "ef_construction": HNSW_CONSTRUCTION_EF,
            "ef_search": HNSW_SEARCH_EF,
            "max_neighbors": HNSW_M,
        }
    }


def chunk_to_metadata(chunk: Chunk) -> dict:
    """Return the Chroma metadata of a chunk: every field but text (stored as the document);
    tuples as JSON strings, None values omitted."""
    return {name: json.dumps(value, ensure_ascii=False) if name in _TUPLE_FIELDS else value
            for name, value in chunk.to_dict().items() if name != "text" and value is not None}


def chunk_from_record(id: str, document: str, metadata: dict | None) -> Chunk:
    """Return the Chunk stored as one Chroma record (inverse of chunk_to_metadata)."""
    fields = {name: json.loads(value) if name in _TUPLE_FIELDS and isinstance(value, str) else value
              for name, value in (metadata or {}).items()}
    return Chunk.from_dict({**fields, "id": id, "text": document or ""})


class ChromaStore:
    """One Chroma collection of chunks; vectors come from our embedder, never Chroma's."""

    def __init__(self, client, collection_name: str, embedder, batch_size: int = UPSERT_BATCH):
        self.client = client
        self.collection_name = collection_name
        self.embedder = embedder
        self.batch_size = batch_size  # passages embedded and written per call
        self.collection = self._open()

    def _open(self):
        model_name = getattr(self.embedder, "model_name", "") or ""
        return self.client.get_or_create_collection(
            name=self.collection_name,
            configuration=hnsw_configuration(),
            metadata={"embed_model": model_name},
            # None: we always pass vectors; Chroma's default function would download a model.
            embedding_function=None,
        )

    def count(self) -> int:
        """Return the number of stored chunks."""
        return self.collection.count()

    def upsert(self, chunks: Sequence[Chunk],
               progress: Callable[[int, int], None] | None = None) -> None:
        """Embed and store chunks (replacing same ids), batch_size at a time.

        progress(done, total) is called after each batch."""
        chunks = list(chunks)
        total = len(chunks)
        for lo in range(0, total, self.batch_size):
            batch = chunks[lo:lo + self.batch_size]
            self.collection.upsert(
                ids=[c.id for c in batch],
                documents=[c.text for c in batch],
                metadatas=[chunk_to_metadata(c) for c in batch],
                embeddings=self.embedder.embed_documents([c.text for c in batch]),
            )
            if progress:
                progress(min(lo + self.batch_size, total), total)

    def ids(self) -> set[str]:
        """Return the ids of every stored chunk."""
        out: set[str] = set()
        offset = 0
        while True:
            got = self.collection.get(include=[], limit=ID_PAGE, offset=offset)
            out.update(got["ids"])
            if len(got["ids"]) < ID_PAGE:
                return out
            offset += ID_PAGE

    def update_metadata(self, chunks: Sequence[Chunk]) -> None:
        """Rewrite the stored metadata of chunks already present, keeping vectors and texts.

        Only metadata: Chroma would re-embed updated documents, and we never let it embed. A
        changed text needs a new vector, so such chunks go through upsert instead."""
        chunks = list(chunks)
        # Chroma merges updated metadata into the stored one; None deletes a key (a date the
        # speech no longer has).
        unset = [f.name for f in dataclasses.fields(Chunk) if f.name != "text"]
        for lo in range(0, len(chunks), self.batch_size):
            batch = chunks[lo:lo + self.batch_size]
            self.collection.update(
                ids=[c.id for c in batch],
                metadatas=[{**dict.fromkeys(unset), **chunk_to_metadata(c)} for c in batch],
            )

    def delete_ids(self, ids: Iterable[str]) -> None:
        """Delete the chunks with these ids (unknown ids are ignored)."""
        ids = list(ids)
        for lo in range(0, len(ids), ID_PAGE):
            self.collection.delete(ids=ids[lo:lo + ID_PAGE])

    def all_chunks(self, page_size: int = RECORD_PAGE) -> list[Chunk]:
        """Return every stored chunk, sorted by source, doc_id and start."""
        out: list[Chunk] = []
        offset = 0
        while True:
            got = self.collection.get(include=["documents", "metadatas"], limit=page_size,
                                      offset=offset)
            ids = got["ids"]
            out.extend(chunk_from_record(i, d, m)
                       for i, d, m in zip(ids, got["documents"], got["metadatas"]))
            if len(ids) < page_size:
                break
            offset += page_size
        out.sort(key=lambda c: (c.source, c.doc_id, c.start))
        return out

    def get_embeddings(self, ids: Sequence[str]) -> list[list[float]]:
        """Return the stored vectors of ids, in the same order; KeyError for an unknown id."""
        ids = list(ids)
        if not ids:
            return []
        got = self.collection.get(ids=ids, include=["embeddings"])
        by_id = {i: [float(x) for x in e] for i, e in zip(got["ids"], got["embeddings"])}
        missing = [i for i in ids if i not in by_id]
        if missing:
            raise KeyError(f"not in the store: {missing[:5]}")
        return [by_id[i] for i in ids]

    def query(self, text: str, k: int) -> list[ScoredChunk]:
        """Return the k chunks nearest to text, best first: score = dense = cosine similarity,
        dense_rank 1-based."""
        return self.query_vector(self.embedder.embed_query(text), k)

    def nearest_ids(self, text: str, k: int) -> list[tuple[str, float]]:
        """Return (id, cosine similarity) of the k records nearest to text, best first.

        Reads no metadata: a reader maps ids to its own committed chunks, so records an ingest
        is rewriting at that moment cannot break it."""
        n = min(k, self.count())
        if n <= 0:
            return []
        res = self.collection.query(
            query_embeddings=[list(map(float, self.embedder.embed_query(text)))],
            n_results=n,
            include=["distances"],
        )
        return [(i, 1.0 - float(d)) for i, d in zip(res["ids"][0], res["distances"][0])]

    def query_vector(self, vector: Sequence[float], k: int) -> list[ScoredChunk]:
        """Return the k chunks nearest to a query vector, as in query()."""
        n = min(k, self.count())
        if n <= 0:
            return []
        res = self.collection.query(
            query_embeddings=[list(map(float, vector))],
            n_results=n,
            include=["documents", "metadatas", "distances"],
        )
        out = []
        for rank, (i, d, m, dist) in enumerate(
            zip(res["ids"][0], res["documents"][0], res["metadatas"][0], res["distances"][0]),
            start=1,
        ):
            sim = 1.0 - float(dist)
            out.append(ScoredChunk(chunk=chunk_from_record(i, d, m), score=sim, dense=sim,
                                   dense_rank=rank))
        return out


class ChromaStores:
    """Opens, lists and drops the chunk collections of one Chroma client (embedded or server)."""

    def __init__(self, client, embedder, location: str = "", embedded_path: Path | None = None,
                 batch_size: int = UPSERT_BATCH):
        self.client = client
        self.embedder = embedder
        self.location = location  # the folder or server URL, for messages
        self.embedded_path = embedded_path  # the embedded store's folder; None for a server
        self.batch_size = batch_size

    def open(self, name: str) -> ChromaStore:
        """Return the store of collection `name`, created if missing."""
        return ChromaStore(self.client, name, self.embedder, self.batch_size)

    def open_existing(self, name: str) -> ChromaStore:
        """Return the store of collection `name`; IndexCorrupt when the client lacks it (a
        reader must not create an empty collection and then answer from nothing)."""
        if name not in self.names():
            where = f"（{self.location}）" if self.location else ""
            raise IndexCorrupt(
                f"向量库{where}中没有索引所用的集合 {name}：向量库可能被删除、换成了别的服务器，"
                "或索引目录已过时（从导入的机器复制来的索引目录，请重新复制最新的一份）。"
                f"{REBUILD_HINT}"
            )
        return ChromaStore(self.client, name, self.embedder, self.batch_size)

    def names(self) -> list[str]:
        """Return the names of every collection of the client."""
        return [getattr(c, "name", c) for c in self.client.list_collections()]

    def drop(self, name: str) -> None:
        """Delete collection `name` if it exists."""
        try:
            self.client.delete_collection(name)
        except Exception:  # already gone
            pass

    def remove_orphan_folders(self) -> list[str]:
        """Delete the embedded store's segment folders that no collection uses any more (Chroma
        leaves them behind when a collection is deleted); return their names."""
        if self.embedded_path is None:
            return []
        import re
        import shutil
        import sqlite3

        folder = Path(self.embedded_path)
        uuid = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
        candidates = [p for p in folder.iterdir() if p.is_dir() and uuid.match(p.name)]
        if not candidates:
            return []
        db = sqlite3.connect(f"file:{folder / 'chroma.sqlite3'}?mode=ro", uri=True, timeout=30)
        try:
            live = {row[0] for row in db.execute("SELECT id FROM segments")}
        finally:
            db.close()
        removed = [p.name for p in candidates if p.name not in live]
        for name in removed:
            shutil.rmtree(folder / name, ignore_errors=True)
        return removed
