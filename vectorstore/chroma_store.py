"""Chunks and their embeddings in a Chroma collection (embedded folder or server)."""
from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from vectorstore.bm25 import REBUILD_HINT, IndexCorrupt
from vectorstore.records import Chunk, ScoredChunk

# HNSW parameters. The corpus is small (1–3k chunks), so search cost is negligible and we buy
# exactness: with search_ef far above k and a dense graph (M=32), top-10 equals brute-force
# cosine search on the bundled corpus (tests/vectorstore/test_chroma_store.py checks it).
HNSW_SPACE = "cosine"
HNSW_CONSTRUCTION_EF = 200
HNSW_SEARCH_EF = 256
HNSW_M = 32

# Chunk fields stored as JSON strings, because Chroma metadata values must be scalars.
_TUPLE_FIELDS = tuple(f.name for f in dataclasses.fields(Chunk) if "tuple" in str(f.type))
_UPSERT_BATCH = 64


class ChromaUnavailable(RuntimeError):
    """The configured Chroma server cannot be reached; str(e) says what to check."""


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


def _setting(obj: Any, name: str, default: Any = None) -> Any:
    if obj is None:
        return default
    if isinstance(obj, dict):
        return obj.get(name, default)
    return getattr(obj, name, default)


def chroma_path(settings_or_args: Any) -> Path:
    """Return the folder of the embedded Chroma store: <index_dir>/chroma."""
    return Path(_setting(settings_or_args, "index_dir")) / "chroma"


def parse_chroma_url(url: str) -> tuple[str, int, bool]:
    """Return (host, port, ssl) of a Chroma server URL such as http://127.0.0.1:8000."""
    parsed = urlparse(url if "://" in url else f"http://{url}")
    try:
        port = parsed.port
    except ValueError:
        port = None
        parsed = parsed._replace(netloc="")
    if not parsed.hostname or parsed.scheme not in ("http", "https"):
        raise ValueError(f"无法解析 Chroma 地址：{url!r}（应形如 http://127.0.0.1:8000）")
    ssl = parsed.scheme == "https"
    return parsed.hostname, port or (443 if ssl else 8000), ssl


def open_chroma_client(settings_or_args: Any = None, *, path: str | Path | None = None,
                       url: str | None = None):
    """Return a Chroma client: an HttpClient when a server URL is set
    (`chroma_url`, e.g. http://127.0.0.1:8000), else a PersistentClient on
    `path` or <index_dir>/chroma. Telemetry is off.

    Raises ChromaUnavailable when the server does not answer and IndexCorrupt when the
    embedded store's files cannot be opened (`zwqa ingest --rebuild` replaces them)."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    url = url if url is not None else _setting(settings_or_args, "chroma_url", "")
    if url:
        host, port, ssl = parse_chroma_url(url)
        try:
            return chromadb.HttpClient(host=host, port=port, ssl=ssl, settings=chroma_settings)
        except Exception as e:  # chromadb raises ValueError / httpx errors when nobody answers
            raise ChromaUnavailable(
                f"无法连接 Chroma 服务器 {url}（{e}）。请确认服务器已启动"
                f"（chroma run --path <数据目录> --host <地址> --port <端口>），"
                "并检查 ZWQA_CHROMA_URL"
            ) from e
    if path is None:
        if _setting(settings_or_args, "index_dir") is None:
            raise ValueError("需要 index_dir、path 或 chroma_url 之一")
        path = chroma_path(settings_or_args)
    Path(path).mkdir(parents=True, exist_ok=True)
    try:
        return chromadb.PersistentClient(path=str(path), settings=chroma_settings)
    except Exception as e:  # e.g. chroma.sqlite3 overwritten: "file is not a database"
        _forget_failed_client(str(path))
        raise IndexCorrupt(f"Chroma 向量库无法打开，文件可能已损坏：{path}（{e}）。{REBUILD_HINT}") from e


def _forget_failed_client(path: str) -> None:
    # chromadb caches one System per folder before starting it; a start that failed would
    # otherwise be handed out again, so a later open in this process (after the folder was
    # replaced) could never succeed.
    try:
        from chromadb.api.shared_system_client import SharedSystemClient

        SharedSystemClient._identifier_to_system.pop(path, None)
    except (ImportError, AttributeError):
        pass


def embedded_store_damage(path: str | Path) -> str | None:
    """Return why the embedded store's database is damaged (sqlite's own words), or None when
    it reads whole or does not exist. Reads every page: about 5 ms per MB."""
    import sqlite3

    db_file = Path(path) / "chroma.sqlite3"
    if not db_file.exists():
        return None
    try:
        db = sqlite3.connect(f"file:{db_file}?mode=ro", uri=True, timeout=30)
        try:
            rows = db.execute("PRAGMA quick_check").fetchall()
        finally:
            db.close()
    except sqlite3.DatabaseError as e:
        return str(e)
    problems = [r[0] for r in rows if r and r[0] != "ok"]
    return "；".join(problems[:3]) or None


def move_aside(path: str | Path) -> Path:
    """Rename a damaged embedded store to chroma.corrupt-<time> beside it; return the new path."""
    import time

    path = Path(path)
    _forget_failed_client(str(path))
    target = path.with_name(f"{path.name}.corrupt-{time.strftime('%Y%m%d-%H%M%S')}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}.corrupt-{time.strftime('%Y%m%d-%H%M%S')}-{n}")
    path.rename(target)
    return target


def discard_embedded_store(path: str | Path) -> None:
    """Delete an embedded Chroma folder that cannot be opened (for `ingest --rebuild`)."""
    import shutil

    _forget_failed_client(str(path))
    shutil.rmtree(path, ignore_errors=True)


def chunk_to_metadata(chunk: Chunk) -> dict:
    """Return the Chroma metadata of a chunk: every field but text (stored as the document);
    tuples as JSON strings, None values omitted."""
    meta: dict[str, Any] = {}
    for f in dataclasses.fields(Chunk):
        if f.name == "text":
            continue
        value = getattr(chunk, f.name)
        if value is None:
            continue
        if f.name in _TUPLE_FIELDS:
            value = json.dumps(list(value), ensure_ascii=False)
        meta[f.name] = value
    return meta


def chunk_from_record(id: str, document: str, metadata: dict | None) -> Chunk:
    """Return the Chunk stored as one Chroma record (inverse of chunk_to_metadata)."""
    meta = dict(metadata or {})
    kwargs: dict[str, Any] = {}
    for f in dataclasses.fields(Chunk):
        if f.name == "id":
            kwargs["id"] = id
        elif f.name == "text":
            kwargs["text"] = document or ""
        elif f.name in meta:
            value = meta[f.name]
            if f.name in _TUPLE_FIELDS:
                value = tuple(json.loads(value)) if isinstance(value, str) else tuple(value)
            kwargs[f.name] = value
    return Chunk(**kwargs)


def normalise_where(where: dict | None) -> dict | None:
    """Return a Chroma `where` filter: several plain keys are joined with $and and a list
    value becomes $in, so callers may write {"doc_id": [a, b], "source": s}."""
    if not where:
        return None
    clauses = []
    for key, value in where.items():
        if key.startswith("$"):
            clauses.append({key: value})
        elif isinstance(value, (list, tuple, set, frozenset)):
            clauses.append({key: {"$in": list(value)}})
        else:
            clauses.append({key: value})
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


class ChromaStore:
    """One Chroma collection of chunks; vectors come from our embedder, never Chroma's."""

    def __init__(self, client, collection_name: str, embedder):
        self.client = client
        self.collection_name = collection_name
        self.embedder = embedder
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

    def reset(self) -> None:
        """Drop every record: delete and recreate the collection (for `ingest --rebuild`)."""
        try:
            self.client.delete_collection(self.collection_name)
        except Exception:  # not there yet: nothing to drop
            pass
        self.collection = self._open()

    def count(self) -> int:
        """Return the number of stored chunks."""
        return self.collection.count()

    def upsert(self, chunks: Sequence[Chunk], embeddings: Sequence[Sequence[float]] | None = None,
               progress: Callable[[int, int], None] | None = None) -> None:
        """Store chunks (replacing same ids), embedding them in batches unless vectors are given.

        progress(done, total) is called after each batch."""
        chunks = list(chunks)
        if embeddings is not None and len(embeddings) != len(chunks):
            raise ValueError("embeddings and chunks differ in length")
        total = len(chunks)
        for lo in range(0, total, _UPSERT_BATCH):
            batch = chunks[lo:lo + _UPSERT_BATCH]
            if embeddings is None:
                vecs = self.embedder.embed_documents([c.text for c in batch])
            else:
                vecs = [list(map(float, v)) for v in embeddings[lo:lo + _UPSERT_BATCH]]
            self.collection.upsert(
                ids=[c.id for c in batch],
                documents=[c.text for c in batch],
                metadatas=[chunk_to_metadata(c) for c in batch],
                embeddings=vecs,
            )
            if progress:
                progress(min(lo + _UPSERT_BATCH, total), total)

    def ids(self) -> set[str]:
        """Return the ids of every stored chunk."""
        out: set[str] = set()
        offset, page = 0, 5000
        while True:
            got = self.collection.get(include=[], limit=page, offset=offset)
            out.update(got["ids"])
            if len(got["ids"]) < page:
                return out
            offset += page

    def update_metadata(self, chunks: Sequence[Chunk]) -> None:
        """Rewrite the stored metadata of chunks already present, keeping vectors and texts.

        Only metadata: Chroma would re-embed updated documents, and we never let it embed. A
        changed text needs a new vector, so such chunks go through upsert instead."""
        chunks = list(chunks)
        # Chroma merges updated metadata into the stored one; None deletes a key (a date the
        # speech no longer has).
        unset = [f.name for f in dataclasses.fields(Chunk) if f.name != "text"]
        for lo in range(0, len(chunks), _UPSERT_BATCH):
            batch = chunks[lo:lo + _UPSERT_BATCH]
            self.collection.update(
                ids=[c.id for c in batch],
                metadatas=[{**dict.fromkeys(unset), **chunk_to_metadata(c)} for c in batch],
            )

    def delete_ids(self, ids: Iterable[str]) -> None:
        """Delete the chunks with these ids (unknown ids are ignored)."""
        ids = list(ids)
        for lo in range(0, len(ids), 5000):
            self.collection.delete(ids=ids[lo:lo + 5000])

    def delete_docs(self, doc_ids: Iterable[str]) -> None:
        """Delete every chunk of the given documents."""
        doc_ids = list(doc_ids)
        if doc_ids:
            self.collection.delete(where={"doc_id": {"$in": doc_ids}})

    def all_chunks(self, page_size: int = 1000) -> list[Chunk]:
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

    def query(self, text: str, k: int, where: dict | None = None) -> list[ScoredChunk]:
        """Return the k chunks nearest to text, best first: score = dense = cosine similarity,
        dense_rank 1-based. where: metadata filter (see normalise_where)."""
        return self.query_vector(self.embedder.embed_query(text), k, where)

    def nearest_ids(self, text: str, k: int, where: dict | None = None) -> list[tuple[str, float]]:
        """Return (id, cosine similarity) of the k records nearest to text, best first.

        Reads no metadata: a reader maps ids to its own committed chunks, so records an ingest
        is rewriting at that moment cannot break it."""
        n = min(k, self.count())
        if n <= 0:
            return []
        res = self.collection.query(
            query_embeddings=[list(map(float, self.embedder.embed_query(text)))],
            n_results=n,
            where=normalise_where(where),
            include=["distances"],
        )
        return [(i, 1.0 - float(d)) for i, d in zip(res["ids"][0], res["distances"][0])]

    def query_vector(self, vector: Sequence[float], k: int,
                     where: dict | None = None) -> list[ScoredChunk]:
        """Return the k chunks nearest to a query vector, as in query()."""
        n = min(k, self.count())
        if n <= 0:
            return []
        res = self.collection.query(
            query_embeddings=[list(map(float, vector))],
            n_results=n,
            where=normalise_where(where),
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

    def __init__(self, client, embedder, location: str = "", embedded_path: Path | None = None):
        self.client = client
        self.embedder = embedder
        self.location = location  # the folder or server URL, for messages
        self.embedded_path = embedded_path  # the embedded store's folder; None for a server

    def open(self, name: str) -> ChromaStore:
        """Return the store of collection `name`, created if missing."""
        return ChromaStore(self.client, name, self.embedder)

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
        return ChromaStore(self.client, name, self.embedder)

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
