"""The committed index as readers see it: a missing pointer, a missing or short collection, a
model mismatch, and vectors a killed ingest left behind (pure logic, fake Chroma)."""
from types import SimpleNamespace

import pytest

from vectorstore.bm25 import BM25Index
from vectorstore.catalog import Catalog
from vectorstore.chroma_store import ChromaStores
from vectorstore.errors import REBUILD_HINT, IndexCorrupt, IndexMissing
from vectorstore.index import (CommittedIndex, CommittedStore, open_committed_index,
                               open_committed_store)
from vectorstore.records import Chunk, ScoredChunk
from vectorstore.tokenize import CharBigramTokenizer


def chunk(i: int, text: str = "", **kw) -> Chunk:
    text = text or f"第{i}段"
    return Chunk(id=f"c{i}", doc_id="d", title="讲话", section_path="", paragraph=i, start=i * 10,
                 end=i * 10 + len(text), text=text, **kw)


COMMITTED = [chunk(1), chunk(2), chunk(3)]


def committed_index(embed_model: str | None = "m3e-small") -> CommittedIndex:
    tok = CharBigramTokenizer()
    bm25 = BM25Index(COMMITTED, [tok.tokens(c.text) for c in COMMITTED], tok)
    signature = {"embed_model": embed_model} if embed_model else {}
    return CommittedIndex(catalog=Catalog(generation=1, collection="speeches-g1",
                                          signature=signature), bm25=bm25)


class FakeStore:
    """Returns its chunks in the given order as the nearest, whatever the query."""

    def __init__(self, ranked: list[Chunk]):
        self.ranked = ranked
        self.calls: list[int] = []

    def query(self, text, k):
        self.calls.append(k)
        return [ScoredChunk(chunk=c, score=1 - r / 10, dense=1 - r / 10, dense_rank=r + 1)
                for r, c in enumerate(self.ranked[:k])]

    def count(self):
        return len(self.ranked)


class FakeClient:
    def __init__(self, names):
        self.collections = {n: SimpleNamespace(name=n) for n in names}

    def list_collections(self):
        return list(self.collections.values())

    def get_or_create_collection(self, name, **kw):
        return self.collections.setdefault(name, SimpleNamespace(name=name))


def test_missing_current_pointer_with_generations_on_disk_is_corrupt(tmp_path):
    (tmp_path / "state" / "3").mkdir(parents=True)
    with pytest.raises(IndexCorrupt, match="CURRENT") as err:
        open_committed_index(tmp_path)
    assert REBUILD_HINT in str(err.value)


def test_empty_folder_is_missing_not_corrupt(tmp_path):
    with pytest.raises(IndexMissing, match="zwqa ingest"):
        open_committed_index(tmp_path)


def test_uncommitted_vectors_are_skipped_and_ranks_renumbered():
    leftover = chunk(9, "被杀死的导入写入的段落")
    stale_copy = chunk(2, also_in=("另一篇",))  # Chroma's metadata ran ahead of the commit
    store = CommittedStore(FakeStore([leftover, stale_copy, chunk(1), chunk(3)]), COMMITTED)
    hits = store.query("问题", 2)
    assert [h.chunk for h in hits] == [COMMITTED[1], COMMITTED[0]]  # the committed copies
    assert [h.dense_rank for h in hits] == [1, 2]


def test_query_fetches_more_when_leftovers_crowd_the_top():
    leftovers = [chunk(10 + i) for i in range(5)]
    fake = FakeStore([*leftovers, *COMMITTED])
    hits = CommittedStore(fake, COMMITTED).query("问题", 2)
    assert [h.chunk.id for h in hits] == ["c1", "c2"]
    assert fake.calls == [2, 4, 8]


class UnreadableVectors(FakeStore):
    """A store whose vectors cannot be read back (another process is writing it)."""

    def __init__(self, ranked):
        super().__init__(ranked)
        self.embedder = SimpleNamespace(
            embed_documents=lambda texts: [[float(len(t)), 1.0] for t in texts])

    def get_embeddings(self, ids):
        raise KeyError(ids[0])


def test_unreadable_vectors_of_committed_chunks_are_embedded_again():
    store = CommittedStore(UnreadableVectors(COMMITTED), COMMITTED)
    long = CommittedStore(UnreadableVectors([chunk(9, "较长的一段正文")]), [chunk(9, "较长的一段正文")])
    assert store.get_embeddings(["c2", "c1"]) == [[3.0, 1.0], [3.0, 1.0]]
    assert long.get_embeddings(["c9"]) == [[7.0, 1.0]]
    with pytest.raises(KeyError):  # an id outside the committed index has no text to embed
        store.get_embeddings(["c1", "leftover"])


def test_reader_does_not_create_a_missing_collection():
    client = FakeClient(["other-g1"])
    stores = ChromaStores(client, SimpleNamespace(model_name="m3e-small"),
                          location="http://127.0.0.1:8000")
    with pytest.raises(IndexCorrupt) as err:
        open_committed_store(committed_index(), stores)
    assert "speeches-g1" in str(err.value) and "http://127.0.0.1:8000" in str(err.value)
    assert REBUILD_HINT in str(err.value)
    assert sorted(client.collections) == ["other-g1"]


def test_collection_with_fewer_vectors_than_chunks_is_corrupt():
    stores = SimpleNamespace(embedder=None, open_existing=lambda name: FakeStore(COMMITTED[:1]))
    with pytest.raises(IndexCorrupt, match="zwqa ingest --rebuild"):
        open_committed_store(committed_index(), stores)


def test_other_embedding_model_is_refused():
    stores = SimpleNamespace(embedder=SimpleNamespace(model_name="bge-small-zh"),
                             open_existing=lambda name: FakeStore(COMMITTED))
    with pytest.raises(IndexCorrupt, match="ZWQA_EMBED_MODEL"):
        open_committed_store(committed_index("m3e-small"), stores)
    # An index that does not record its model (e.g. an eval cache) is taken as it is.
    assert open_committed_store(committed_index(None), stores).query("问题", 3)


def _committed_on_disk(index_dir, chunks) -> None:
    from vectorstore.catalog import FileEntry, commit

    tok = CharBigramTokenizer()
    bm25 = BM25Index(chunks, [tok.tokens(c.text) for c in chunks], tok)
    entry = FileEntry(path="/讲话.txt", sha256="0" * 64, documents=[], chunks=list(chunks))
    commit(index_dir, Catalog(generation=1, collection="speeches-g1",
                              files={entry.path: entry}), bm25)


def test_sentence_vectors_are_read_with_the_index_and_a_damaged_file_is_corrupt(tmp_path):
    import numpy as np

    from vectorstore.catalog import state_dir
    from vectorstore.sentence_index import SENTENCE_FILE, SentenceIndex

    _committed_on_disk(tmp_path, COMMITTED)
    assert open_committed_index(tmp_path).sentences is None  # an index from before sentences
    path = state_dir(tmp_path, 1) / SENTENCE_FILE
    SentenceIndex(("c1", "c2"), ("k1", "k2"), np.eye(2, dtype=np.float32)).save(path)
    assert open_committed_index(tmp_path).sentences.chunk_ids == ("c1", "c2")
    SentenceIndex(("c1", "c9"), ("k1", "k9"), np.eye(2, dtype=np.float32)).save(path)
    with pytest.raises(IndexCorrupt, match="句子向量"):  # names a chunk the index lacks
        open_committed_index(tmp_path)
    path.write_bytes(b"PK\x03\x04 damaged")
    with pytest.raises(IndexCorrupt, match="损坏") as err:
        open_committed_index(tmp_path)
    assert REBUILD_HINT in str(err.value)
