"""ui.cli.reader.CurrentAnswerer: follows CURRENT to a new generation, lets go of the old one (so
it is removed), and retries a question once when its collection vanished mid-question (pure
logic: real committed files, fake answerers and Chroma)."""
import pytest
from chromadb.errors import NotFoundError

from tests.vectorstore.test_leases import FakeStores
from ui.cli.reader import CurrentAnswerer
from vectorstore.bm25 import BM25Index
from vectorstore.catalog import Catalog, FileEntry, commit
from vectorstore.records import Chunk, SpeechDocument
from vectorstore.settings import Settings
from vectorstore.tokenize import CharBigramTokenizer


def commit_generation(index_dir, gen: int) -> None:
    text = f"第{gen}代的段落。"
    doc = SpeechDocument(doc_id="d", title="讲话", text=text, source="a.txt")
    chunk = Chunk(id=f"c{gen}", doc_id="d", title="讲话", section_path="", paragraph=0, start=0,
                  end=len(text), text=text, source="a.txt")
    tok = CharBigramTokenizer()
    bm25 = BM25Index([chunk], [tok.tokens(text)], tok)
    files = {"/a.txt": FileEntry(path="/a.txt", sha256="x", documents=[doc], chunks=[chunk])}
    commit(index_dir, Catalog(generation=gen, collection=f"speeches-g{gen}", files=files), bm25)


class FakeAnswerer:
    def __init__(self, index, failures: list):
        self.index = index  # holds the generation's lease, as a real answerer's store does
        self.failures = failures

    def answer(self, question, **kwargs):
        if self.failures:
            raise self.failures.pop(0)
        return (self.index.catalog.generation, question, kwargs)


@pytest.fixture
def world(tmp_path):
    commit_generation(tmp_path, 1)
    failures: list = []
    built: list[int] = []

    def build(settings, embedder, stores, generator=None, rewriter=None, index=None):
        built.append(index.catalog.generation)
        return FakeAnswerer(index, failures)

    stores = FakeStores({"speeches-g1": ["c1"], "speeches-g2": ["c2"]})  # g2: a rebuild writing
    reader = CurrentAnswerer(Settings(index_dir=tmp_path, chroma_url=""), None, stores, build=build)
    return tmp_path, reader, stores, failures, built


def test_new_generation_is_opened_and_the_old_one_removed(world):
    index_dir, reader, stores, _, built = world
    assert reader.answer("问题", k=3) == (1, "问题", {"k": 3})
    commit_generation(index_dir, 2)  # a rebuild committed next to the reader
    assert reader.answer("问题")[0] == 2
    assert built == [1, 2] and reader.reopened == 1
    # The reader let go of generation 1 and removed what was left of it.
    assert sorted(p.name for p in (index_dir / "state").iterdir()) == ["2"]
    assert stores.names() == ["speeches-g2"]


def test_question_whose_collection_vanished_is_retried_once(world):
    index_dir, reader, _, failures, built = world
    failures.append(NotFoundError("Collection does not exist"))
    assert reader.answer("问题")[0] == 1
    assert built == [1, 1]  # re-opened on the current generation, then answered
    failures.extend([NotFoundError("gone"), NotFoundError("gone again")])
    with pytest.raises(NotFoundError):
        reader.answer("问题")  # only once: a store that keeps failing is a real error
