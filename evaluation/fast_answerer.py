"""The zwqa Answerer over cached vectors, for trying weights on the tune split in seconds.

    answerer = fast_answerer(Settings())          # as qa.system.build_answerer builds it
    answerer.retriever.similarity_weight = 0.4    # then change any weight and re-run
    answerer, embedder = fast_answerer(Settings(), expand=("words",))   # build_answerer options

The passage vectors are read from the committed Chroma collection once and kept in a .npz file;
query vectors are kept in a JSON file, so after the first run no embedding model is loaded
(a new query text, e.g. an expanded one, is embedded once and added). Dense search is exact
cosine over all passages (Chroma's HNSW is approximate; on 600 passages the two agree). Used by
evaluation.tune_weights; the product never imports it.
"""
from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np


class CachedQueryEmbedder:
    """An embedder whose query vectors are remembered in a JSON file across runs."""

    def __init__(self, embedder, path: Path):
        self.embedder = embedder
        self.path = Path(path)
        self.vectors: dict[str, list[float]] = {}
        if self.path.is_file():
            self.vectors = json.loads(self.path.read_text(encoding="utf-8"))
        self.added = 0

    @property
    def model_name(self) -> str:
        return self.embedder.model_name

    def embed_query(self, text: str) -> list[float]:
        vec = self.vectors.get(text)
        if vec is None:
            vec = [round(float(x), 6) for x in self.embedder.embed_query(text)]
            self.vectors[text] = vec
            self.added += 1
        return vec

    def save(self) -> None:
        if self.added:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.path.write_text(json.dumps(self.vectors), encoding="utf-8")
            self.added = 0


class MatrixStore:
    """A dense store over a matrix of passage vectors (exact cosine search)."""

    def __init__(self, ids: Sequence[str], matrix: np.ndarray, embedder):
        self.ids = list(ids)
        self.matrix = matrix
        self.row = {i: n for n, i in enumerate(self.ids)}
        self.embedder = embedder

    def count(self) -> int:
        return len(self.ids)

    def nearest_ids(self, text: str, k: int, where: dict | None = None) -> list[tuple[str, float]]:
        sims = self.matrix @ np.asarray(self.embedder.embed_query(text), dtype=np.float32)
        order = np.argsort(-sims, kind="stable")[:k]
        return [(self.ids[i], float(sims[i])) for i in order]

    def get_embeddings(self, ids: Sequence[str]) -> list[list[float]]:
        return [self.matrix[self.row[i]].tolist() for i in ids]


class MatrixStores:
    """Stands in for vectorstore.chroma_store.ChromaStores with one MatrixStore."""

    def __init__(self, store: MatrixStore, embedder):
        self.store = store
        self.embedder = embedder

    def open_existing(self, name: str) -> MatrixStore:
        return self.store


def passage_vectors(settings, embedder, index, cache: Path) -> tuple[list[str], np.ndarray]:
    """Return (ids, matrix) of the committed passages, read from Chroma once then from cache."""
    if cache.is_file():
        data = np.load(cache)
        return [str(i) for i in data["ids"]], data["matrix"]
    from qa.system import build_stores

    store = build_stores(settings, embedder).open_existing(index.catalog.collection)
    ids = [c.id for c in index.chunks]
    matrix = np.asarray(store.get_embeddings(ids), dtype=np.float32)
    cache.parent.mkdir(parents=True, exist_ok=True)
    np.savez(cache, ids=np.asarray(ids), matrix=matrix)
    return ids, matrix


def fast_answerer(settings, cache_dir: Path | None = None, **build_options):
    """Return (Answerer as qa.system.build_answerer makes it over cached vectors, the
    CachedQueryEmbedder to save afterwards)."""
    from qa.system import build_answerer, build_embedder
    from vectorstore.index import open_committed_index

    index = open_committed_index(settings.index_dir)
    base = build_embedder(settings)
    folder = Path(cache_dir or Path.home() / ".cache" / "zwqa" / "eval" / "fast")
    key = f"{base.model_name}-{index.catalog.collection}"
    embedder = CachedQueryEmbedder(base, folder / f"queries-{base.model_name}.json")
    ids, matrix = passage_vectors(settings, base, index, folder / f"passages-{key}.npz")
    stores = MatrixStores(MatrixStore(ids, matrix, embedder), embedder)
    answerer = build_answerer(settings, embedder, stores, index=index, **build_options)
    return answerer, embedder
