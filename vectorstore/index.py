"""Gives the committed index as readers see it: catalog, BM25 and the Chroma collection name."""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from vectorstore.bm25 import BM25Index
from vectorstore.catalog import Catalog, current_generation, load_catalog_of, state_dir
from vectorstore.errors import REBUILD_HINT, IndexCorrupt, IndexMissing
from vectorstore.leases import Lease
from vectorstore.records import Chunk, ScoredChunk, SpeechDocument
from vectorstore.sentence_index import SENTENCE_FILE, SentenceIndex


@dataclass(frozen=True)
class CommittedIndex:
    catalog: Catalog
    bm25: BM25Index
    # The chunks' sentence vectors (vectorstore.sentence_index); None for an index written
    # before they existed, which is then searched without them.
    sentences: SentenceIndex | None = field(default=None, compare=False, repr=False)
    # Keeps an ingest from removing this generation while it is open (vectorstore.leases).
    lease: Lease | None = field(default=None, compare=False, repr=False)

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


def _lease_current(index_dir: Path) -> Lease:
    """Return a lease on the committed generation (IndexMissing / IndexCorrupt without one)."""
    while True:
        gen = current_generation(index_dir)
        if gen is None:
            if any(p.name.isdigit() for p in (index_dir / "state").glob("*")):
                # Generations on disk but no pointer: CURRENT was deleted (or the very first
                # ingest died before committing). Nothing tells which generation is whole.
                raise IndexCorrupt(f"索引指针文件 CURRENT 不存在：{index_dir / 'CURRENT'}。{REBUILD_HINT}")
            raise IndexMissing(f"尚未建立索引：{index_dir}。请先运行 `zwqa ingest`")
        lease = Lease(index_dir, gen)
        if current_generation(index_dir) == gen:
            return lease  # an ingest committing after this point leaves gen while leased
        lease.release()


@dataclass(frozen=True)
class CommittedSummary:
    """The speeches of the committed generation as `zwqa list` shows them (no chunk texts)."""

    generation: int
    collection: str
    chunks: int
    documents: list[dict]  # {"doc_id", "title", "date", "source", "chunks", "truncated"}
    lease: Lease | None = field(default=None, compare=False, repr=False)


def open_committed_summary(index_dir: Path) -> CommittedSummary | None:
    """Return the committed generation's summary, or None when it has none (then use
    open_committed_index); IndexMissing / IndexCorrupt as open_committed_index."""
    from vectorstore.catalog import load_summary
    from vectorstore.files import file_digest

    index_dir = Path(index_dir)
    lease = _lease_current(index_dir)
    data = load_summary(index_dir, lease.generation)
    if data is None:
        return None
    for name, digest in dict(data.get("files") or {}).items():
        path = state_dir(index_dir, lease.generation) / name
        try:
            whole = file_digest(path) == digest
        except OSError:
            whole = False
        if not whole:
            raise IndexCorrupt(f"索引文件已损坏：{path}。{REBUILD_HINT}")
    return CommittedSummary(generation=lease.generation, collection=data["collection"],
                            chunks=int(data["chunks"]), documents=list(data["documents"]),
                            lease=lease)


def check_vectors(stores, collection: str, chunks: int):
    """Return the store of collection; IndexCorrupt when it is missing or holds fewer than
    `chunks` vectors."""
    store = stores.open_existing(collection)
    if store.count() < chunks:
        raise IndexCorrupt(
            f"向量库集合 {collection} 只有 {store.count()} 个向量，"
            f"少于索引的 {chunks} 个段落。{REBUILD_HINT}"
        )
    return store


def open_committed_index(index_dir: Path) -> CommittedIndex:
    """Return the committed index, holding a lease on its generation; IndexMissing when there
    is none, IndexCorrupt when unreadable."""
    index_dir = Path(index_dir)
    lease = _lease_current(index_dir)
    gen = lease.generation
    catalog = load_catalog_of(index_dir, gen)
    bm25 = BM25Index.load(state_dir(index_dir, catalog.generation) / "bm25.json")
    if not catalog.files and bm25.chunks:
        raise IndexCorrupt(f"索引目录与 BM25 索引不一致。{REBUILD_HINT}")
    return CommittedIndex(catalog=catalog, bm25=bm25, lease=lease,
                          sentences=_load_sentences(state_dir(index_dir, gen), bm25.chunks))


def _load_sentences(folder: Path, chunks: list[Chunk]) -> SentenceIndex | None:
    """Return the generation's sentence index, None when it has none; IndexCorrupt when the
    file is unreadable or names chunks the generation lacks."""
    path = folder / SENTENCE_FILE
    if not path.exists():
        return None
    try:
        sentences = SentenceIndex.load(path)
    except (OSError, ValueError, KeyError) as e:
        raise IndexCorrupt(f"索引文件已损坏：{path}（{e}）。{REBUILD_HINT}") from e
    if not set(sentences.chunk_ids) <= {c.id for c in chunks}:
        raise IndexCorrupt(f"句子向量与 BM25 索引不一致：{path}。{REBUILD_HINT}")
    return sentences


class CommittedStore:
    """A dense store narrowed to the committed index: vectors that a killed ingest added are
    skipped, and each hit carries the committed Chunk (its metadata as BM25 has it)."""

    def __init__(self, store, chunks: list[Chunk], lease: Lease | None = None):
        self.store = store
        self._by_id = {c.id: c for c in chunks}
        self.lease = lease  # held as long as this store is in use

    def _nearest(self, text: str, k: int) -> list[ScoredChunk]:
        nearest_ids = getattr(self.store, "nearest_ids", None)
        if nearest_ids is None:
            return self.store.query(text, k)
        # Only ids and distances are read: the committed chunks stand in for the records, so
        # an ingest rewriting records (or adding new ones) meanwhile is never seen.
        return [ScoredChunk(chunk=self._by_id.get(i) or _placeholder(i), score=s, dense=s)
                for i, s in nearest_ids(text, k)]

    def query(self, text: str, k: int) -> list[ScoredChunk]:
        """Return the k committed chunks nearest to text, best first, dense_rank 1-based."""
        fetch = k
        while True:
            raw = self._nearest(text, fetch)
            hits = [h for h in raw if h.chunk.id in self._by_id]
            if len(hits) >= k or len(raw) < fetch:
                break
            fetch *= 2  # only after a killed ingest are there uncommitted vectors to skip
        return [replace(h, chunk=self._by_id[h.chunk.id], dense_rank=rank)
                for rank, h in enumerate(hits[:k], start=1)]

    def get_embeddings(self, ids: list[str]) -> list[list[float]]:
        """Return the vectors of committed ids, in the same order.

        An ingest in another process writing the embedded store can leave this process unable
        to read stored vectors back ("Error finding id") until it is done; the vectors are then
        computed again from the committed texts by the store's embedder (the same vectors)."""
        try:
            return self.store.get_embeddings(ids)
        except _store_read_errors():
            embedder = getattr(self.store, "embedder", None)
            if embedder is None or any(i not in self._by_id for i in ids):
                raise
            return [list(map(float, v))
                    for v in embedder.embed_documents([self._by_id[i].text for i in ids])]


def _store_read_errors() -> tuple[type[BaseException], ...]:
    """Return the errors of reading vectors that another process is writing."""
    try:
        from chromadb.errors import InternalError
    except ImportError:
        return (KeyError,)
    return (KeyError, InternalError)


def _placeholder(id: str) -> Chunk:
    """Return a stand-in for a record that is not committed (it is filtered out next)."""
    return Chunk(id=id, doc_id="", title="", section_path="", paragraph=0, start=0, end=0, text="")


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
    store = check_vectors(stores, index.catalog.collection, len(index.chunks))
    return CommittedStore(store, index.chunks, lease=index.lease)
