"""Baseline retrievers: their chunking, offsets, BM25 ranking, and (slow) dense and fused search."""
import pytest

from evaluation.baselines import (
    BM25,
    CHATCHAT,
    TUTORIAL,
    BM25Baseline,
    build_baselines,
    chatchat_splitter,
    split_documents,
    tutorial_splitter,
)
from vectorstore.records import SpeechDocument

SENTENCES = [
    "各进驻单位要在金融机构代办点设立单一收费账户，决不允许另设其他账户。",
    "窗口工作人员不转行政、工资关系，只转党团组织关系。",
    "推行“321608”审批机制，使企业开办全流程时限压缩至1个工作日，较2022年缩短80%。",
    "坚持以人民为中心的发展思想；把群众满意作为第一标准。",
    "对申报材料不全的“补办件”，受理窗口要出具一次性告知通知书，请申请人补正。",
]
# Ordinary sentences that share none of the test queries' words, to make the speech long.
FILLER = [f"第{i}批事项要按照“一窗受理”的要求梳理到位，确保群众少跑腿。" for i in range(1, 36)]
# A speech that repeats a paragraph word for word: offsets must point at each copy in turn.
REPEATED = "坚持以人民为中心的发展思想，深化“放管服”改革。"
DOCS = [
    SpeechDocument(doc_id="d1", title="在县政务服务中心工作会议上讲话（篇一）", source="a.txt",
                   text="\n".join(FILLER[:12] + SENTENCES + FILLER[12:])),
    SpeechDocument(doc_id="d2", title="在县政务服务中心工作会议上讲话（篇二）", source="a.txt",
                   text="\n".join([REPEATED] * 15 + ["全县政务服务系统共有党支部若干个，党员若干名。"])),
    SpeechDocument(doc_id="d3", title="学习党的二十大精神心得体会", source="b.txt",
                   text="通过推广使用“青松办”手机APP，在更大范围内推广便民服务事项。"),
]


@pytest.mark.parametrize("splitter,tag,limit", [(tutorial_splitter, TUTORIAL, 1000),
                                                (chatchat_splitter, CHATCHAT, 250)])
def test_chunks_carry_exact_offsets(splitter, tag, limit):
    chunks = split_documents(DOCS, splitter(), tag)
    by_doc = {d.doc_id: d for d in DOCS}
    assert {c.doc_id for c in chunks} == {"d1", "d2", "d3"}
    for c in chunks:
        doc = by_doc[c.doc_id]
        assert doc.text[c.start:c.end] == c.text
        assert len(c.text) <= limit
        assert c.title == doc.title and c.paragraph == doc.text.count("\n", 0, c.start)
    assert len({c.id for c in chunks}) == len(chunks)
    # Chunks of one document advance through it; the repeated paragraph is not pinned to its
    # first copy.
    d2 = [c for c in chunks if c.doc_id == "d2"]
    assert all(a.start < b.start for a, b in zip(d2, d2[1:]))
    assert d2[-1].end == len(by_doc["d2"].text)


def test_chatchat_chunks_are_smaller_and_end_at_sentence_marks():
    tutorial = split_documents(DOCS, tutorial_splitter(), TUTORIAL)
    chatchat = split_documents(DOCS, chatchat_splitter(), CHATCHAT)
    assert len(chatchat) > len(tutorial)
    # keep_separator="end": a piece keeps its closing mark, so chunks end on one.
    assert all(c.text[-1] in "。！？；，" for c in chatchat)


def test_bm25_baseline_ranks_the_passage_with_the_query_words_first():
    chunks = split_documents(DOCS, chatchat_splitter(), CHATCHAT)
    bm25 = BM25Baseline(chunks)
    hits = bm25.retrieve("青松办手机APP", 5)
    assert hits[0].chunk.doc_id == "d3"
    assert [h.bm25_rank for h in hits] == [1, 2, 3, 4, 5]
    assert all(a.score >= b.score for a, b in zip(hits, hits[1:]))
    # The same order as LangChain's own BM25Retriever.
    lc = bm25.retriever.model_copy(update={"k": 5}).invoke("青松办手机APP")
    assert [d.metadata["chunk_id"] for d in lc] == [h.chunk.id for h in hits]
    assert bm25.retrieve("青松办", 0) == []


@pytest.mark.slow
def test_baselines_retrieve_and_reuse_their_vectors(tmp_path, embedder):
    from vectorstore.chroma_client import open_chroma_client

    client = open_chroma_client(path=tmp_path / "chroma")
    built = build_baselines(DOCS, embedder, client, key="t1")
    assert list(built.retrievers) == [TUTORIAL, CHATCHAT, BM25]
    assert built.embedded == built.chunks[TUTORIAL] + built.chunks[CHATCHAT]
    for name, retriever in built.retrievers.items():
        hits = retriever.retrieve("怎么用青松办手机APP办事", 3)
        assert len(hits) == 3, name
        assert hits[0].chunk.doc_id == "d3", name
    # Small chunks find a sentence inside a long speech; (a)'s 1000-character chunks dilute it.
    query = "进驻单位可以另外开收费账户吗"
    for name in (CHATCHAT, BM25):
        assert "单一收费账户" in built.retrievers[name].retrieve(query, 3)[0].chunk.text, name

    dense = built.retrievers[TUTORIAL].retrieve(query, 3)
    assert [h.dense_rank for h in dense] == [1, 2, 3]
    assert all(-1.0 <= h.score <= 1.0 for h in dense)

    # (b) ranks exactly as LangChain's EnsembleRetriever does when asked for the same k.
    from langchain_classic.retrievers import EnsembleRetriever

    ens = built.retrievers[CHATCHAT]
    reference = EnsembleRetriever(
        retrievers=[ens.bm25.retriever.model_copy(update={"k": 4}),
                    ens.dense.vectorstore.as_retriever(search_kwargs={"k": 4})],
        weights=[0.5, 0.5],
    ).invoke(query)
    ours = ens.retrieve(query, 4)
    assert [h.chunk.text for h in ours] == [d.page_content for d in reference[:4]]
    assert all(a.score >= b.score for a, b in zip(ours, ours[1:]))

    again = build_baselines(DOCS, embedder, client, key="t1")
    assert again.embedded == 0
