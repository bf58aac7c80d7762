"""Chroma store: record round-trips, batches, deletes, and HNSW results equal to exact search."""
import math
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from vectorstore.chroma_client import open_chroma_client, parse_chroma_url
from vectorstore.chroma_store import (
    ChromaStore,
    chunk_from_record,
    chunk_to_metadata,
    hnsw_configuration,
)
from vectorstore.embeddings import Embedder
from vectorstore.records import Chunk, stable_id

CORPUS = Path(__file__).resolve().parents[2] / "data" / "corpus"


def make_chunk(i: int, doc: str, text: str, **kw) -> Chunk:
    return Chunk(id=stable_id(doc, i), doc_id=doc, title=f"{doc}的讲话", section_path="",
                 paragraph=i, start=i * 100, end=i * 100 + len(text), text=text, **kw)


FULL = Chunk(id="c1", doc_id="d1", title="在县政务服务中心工作会议上的讲话",
             section_path="二、总结工作成效 > （三）以激发活力为关键点", paragraph=7, start=120,
             end=140, text="深化“放管服”改革，推行“一窗受理”。", source="004_b7e971c10fc00c3f.txt",
             date="2023-12-20", also_in=("篇二", "篇五"), also_in_ids=("d2", "d5"))


def test_metadata_round_trip_keeps_every_field():
    meta = chunk_to_metadata(FULL)
    assert all(isinstance(v, (str, int, float, bool)) for v in meta.values())
    assert "text" not in meta  # stored once, as the Chroma document
    assert chunk_from_record(FULL.id, FULL.text, meta) == FULL


def test_metadata_omits_none_and_keeps_empty_tuples():
    c = make_chunk(0, "d", "政务公开")
    meta = chunk_to_metadata(c)
    assert "date" not in meta
    assert chunk_from_record(c.id, c.text, meta) == c


def test_chroma_url_parsing():
    assert parse_chroma_url("http://127.0.0.1:8000") == ("127.0.0.1", 8000, False)
    assert parse_chroma_url("https://chroma.example:9443") == ("chroma.example", 9443, True)
    assert parse_chroma_url("localhost:8001") == ("localhost", 8001, False)
    with pytest.raises(ValueError, match="Chroma"):
        parse_chroma_url("ftp://x")


def test_hnsw_configuration_is_cosine():
    assert hnsw_configuration()["hnsw"]["space"] == "cosine"


@pytest.fixture(scope="module")
def embedder():
    return Embedder()


@pytest.mark.slow
def test_persistent_client_from_settings(tmp_path):
    client = open_chroma_client(SimpleNamespace(index_dir=tmp_path, chroma_url=""))
    store = ChromaStore(client, "speeches", embedder=SimpleNamespace(model_name="m3e-small"))
    assert store.count() == 0
    assert (tmp_path / "chroma").is_dir()
    assert store.collection.configuration["hnsw"]["space"] == "cosine"
    assert store.collection.configuration["embedding_function"] is None


@pytest.mark.slow
def test_upsert_query_delete_round_trip(tmp_path, embedder):
    # Batches of three: the four chunks take two calls, each reported to progress.
    store = ChromaStore(open_chroma_client(path=tmp_path), "speeches", embedder, batch_size=3)
    chunks = [
        FULL,
        make_chunk(1, "d2", "加快推进政务服务“一网通办”，让数据多跑路、群众少跑腿。"),
        make_chunk(2, "d2", "严格落实“三会一课”制度，建设“四强”党支部。"),
        make_chunk(3, "d3", "秋收时节，农民在田间收割水稻，粮食喜获丰收。", date="2024-09-01"),
    ]
    reported = []
    store.upsert(chunks, progress=lambda done, total: reported.append((done, total)))
    assert reported == [(3, 4), (4, 4)]
    store.upsert(chunks[:2])  # same ids: replaced, not duplicated
    assert store.count() == 4
    assert sorted(store.all_chunks(), key=lambda c: c.id) == sorted(chunks, key=lambda c: c.id)

    hits = store.query("怎样推进一网通办", 4)
    assert hits[0].chunk == chunks[1]
    assert [h.dense_rank for h in hits] == [1, 2, 3, 4]
    assert all(h.score == h.dense and -1.0 <= h.dense <= 1.0 for h in hits)
    assert [h.dense for h in hits] == sorted((h.dense for h in hits), reverse=True)
    # dense is the cosine similarity of our own vectors.
    q = np.array(embedder.embed_query("怎样推进一网通办"))
    v = np.array(store.get_embeddings([chunks[1].id])[0])
    assert math.isclose(hits[0].dense, float(q @ v), abs_tol=1e-4)

    with pytest.raises(KeyError):
        store.get_embeddings(["no-such-id"])

    store.delete_ids([c.id for c in chunks if c.doc_id == "d2"] + ["no-such-id"])
    assert store.count() == 2
    assert {c.doc_id for c in store.all_chunks()} == {"d1", "d3"}
    assert store.ids() == {chunks[0].id, chunks[3].id}

    # Reopening the folder sees the same records.
    again = ChromaStore(open_chroma_client(path=tmp_path), "speeches", embedder)
    assert again.count() == 2
    assert {h.chunk.id for h in again.query("政务服务", 3)} == {chunks[0].id, chunks[3].id}


def corpus_pieces(size: int) -> list[Chunk]:
    """Split the corpus files into fixed-size pieces (a stand-in for the real chunker)."""
    chunks = []
    for path in sorted(CORPUS.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        for i, lo in enumerate(range(0, len(text), size)):
            piece = text[lo:lo + size]
            if piece.strip():
                chunks.append(Chunk(id=stable_id(path.name, lo), doc_id=path.stem, title=path.stem,
                                    section_path="", paragraph=i, start=lo, end=lo + len(piece),
                                    text=piece, source=path.name))
    return chunks


QUERIES = [
    "什么是最多跑一次改革", "如何推进一网通办", "放管服改革取得了哪些成效", "一窗受理是怎么实行的",
    "不见面审批", "四强党支部建设的要求", "三会一课制度落实情况", "政务服务中心窗口工作人员纪律",
    "如何优化营商环境", "跨省通办工作进展", "证照分离改革", "政务公开工作要求",
    "12345热线", "便民服务中心建设", "行政审批制度改革", "一枚印章管审批",
    "干部作风问题", "窗口服务态度不好怎么办", "企业开办时间压缩到多少天", "互联网+政务服务平台",
    "党风廉政建设", "今年工作的主要任务", "存在的问题和不足", "下一步工作打算",
    "群众满意度", "审批时限压缩", "帮办代办服务", "一件事一次办", "数据共享和信息孤岛",
    "考核评价和奖惩机制",
]


@pytest.mark.slow
def test_hnsw_top10_equals_exact_search_on_corpus(tmp_path, embedder):
    # ~80-char pieces give ~1.5k vectors, the size of the real index, for the cost of
    # embedding the corpus once.
    chunks = corpus_pieces(80)
    assert 1000 <= len(chunks) <= 3000
    store = ChromaStore(open_chroma_client(path=tmp_path), "hnsw-check", embedder)
    store.upsert(chunks)
    assert store.count() == len(chunks)

    ids = [c.id for c in chunks]
    matrix = np.array(store.get_embeddings(ids), dtype=np.float64)
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
    qvecs = embedder.embed_documents(QUERIES)
    for query, qv in zip(QUERIES, qvecs):
        sims = matrix @ np.asarray(qv, dtype=np.float64)
        exact = np.argsort(-sims, kind="stable")[:10]
        hits = store.query_vector(qv, 10)
        got_sims = [h.dense for h in hits]
        # Same similarities in the same order: the same top-10 up to exact ties.
        assert np.allclose(got_sims, sims[exact], atol=1e-4), query
        tenth = sims[exact[-1]]
        strict = {ids[i] for i in exact if sims[i] > tenth + 1e-4}
        assert strict <= {h.chunk.id for h in hits}, query
