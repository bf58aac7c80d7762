"""BM25 index: ranking on a tiny fixture, saving and loading, corrupt files."""
import json
from pathlib import Path

import pytest

from vectorstore.bm25 import BM25Index
from vectorstore.errors import IndexCorrupt
from vectorstore.policy_terms import extract_policy_terms
from vectorstore.records import Chunk
from vectorstore.tokenize import Tokenizer

FIXTURE = Path(__file__).resolve().parents[1] / "data" / "vectorstore_bm25_fixture.json"


@pytest.fixture(scope="module")
def chunks():
    return [Chunk.from_dict(d) for d in json.loads(FIXTURE.read_text(encoding="utf-8"))]


@pytest.fixture(scope="module")
def index(chunks):
    return BM25Index.build(chunks, Tokenizer(extract_policy_terms(c.text for c in chunks)))


def test_best_match_ranks_first(index):
    hits = index.search("什么是最多跑一次", 3)
    assert hits[0].chunk.id == "a1"
    assert [h.bm25_rank for h in hits] == list(range(1, len(hits) + 1))
    assert all(h.score == h.bm25 and h.bm25 > 0 for h in hits)
    assert all(h.dense is None and h.dense_rank is None for h in hits)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


@pytest.mark.parametrize(
    "query, expected",
    [("三会一课怎么落实", "a2"), ("一网通办和不见面审批", "b1"), ("政务公开的原则", "c1"),
     ("乡镇便民服务中心建设", "b2")],
)
def test_queries_find_their_passage(index, query, expected):
    assert index.search(query, 1)[0].chunk.id == expected


def test_zero_scores_are_skipped(index):
    assert index.search("量子计算机", 5) == []
    assert index.search("，。！", 5) == []
    hits = index.search("一网通办", 5)
    assert [h.chunk.id for h in hits] == ["b1"]


def test_allowed_restricts_results_and_ranks(index):
    hits = index.search("政务服务中心", 5, allowed={"b2", "c1"})
    assert {h.chunk.id for h in hits} <= {"b2", "c1"}
    assert hits and hits[0].bm25_rank == 1
    only_db = index.search("政务服务", 5, allowed=lambda c: c.doc_id == "db")
    assert only_db and {h.chunk.doc_id for h in only_db} == {"db"}


def test_results_carry_full_chunks(index, chunks):
    hit = index.search("便民服务中心", 1)[0]
    assert hit.chunk == next(c for c in chunks if c.id == "b2")
    assert hit.chunk.also_in_ids == ("da",)


def test_save_load_round_trip(tmp_path, index, chunks):
    path = tmp_path / "sub" / "bm25.json"
    index.save(path)
    assert [p.name for p in path.parent.iterdir()] == ["bm25.json"]  # no temp file left
    loaded = BM25Index.load(path)
    assert loaded.chunks == chunks
    assert loaded.tokenizer.user_terms == index.tokenizer.user_terms
    for q in ["最多跑一次", "四强党支部", "政务公开"]:
        a, b = index.search(q, 5), loaded.search(q, 5)
        assert [(h.chunk.id, round(h.score, 9)) for h in a] == [(h.chunk.id, round(h.score, 9)) for h in b]


def test_chunk_dict_round_trip():
    c = Chunk(id="x", doc_id="d", title="标题", section_path="一、总体", paragraph=2, start=5, end=9,
              text="文本内容", source="a.txt", date="2024-01-02", also_in=("甲", "乙"), also_in_ids=("1", "2"))
    assert Chunk.from_dict(json.loads(json.dumps(c.to_dict(), ensure_ascii=False))) == c


def test_missing_file_raises_index_corrupt(tmp_path):
    with pytest.raises(IndexCorrupt, match="zwqa ingest --rebuild"):
        BM25Index.load(tmp_path / "nope.json")


@pytest.mark.parametrize(
    "content",
    ["{not json", "", '{"version": 1}', '{"version": 99, "chunks": [], "tokens": []}',
     '{"version": 1, "chunks": [{"id": "x"}], "tokens": [[]]}',
     '{"version": 1, "chunks": [], "tokens": [["a"]]}', "[]"],
)
def test_corrupt_file_raises_index_corrupt(tmp_path, content):
    path = tmp_path / "bm25.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(IndexCorrupt, match="zwqa ingest --rebuild"):
        BM25Index.load(path)


def test_empty_index_finds_nothing(tmp_path):
    idx = BM25Index.build([], Tokenizer())
    assert idx.search("政务服务", 5) == []
    idx.save(tmp_path / "e.json")
    assert len(BM25Index.load(tmp_path / "e.json")) == 0
