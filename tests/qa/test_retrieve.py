from dataclasses import dataclass, field

import pytest

from qa.fusion import BM25, DENSE, PAIRS
from qa.retrieve import (
    BM25Retriever,
    DenseRetriever,
    Filters,
    HybridRetriever,
    NamedRetriever,
    SentenceRetriever,
    collapse_repeats,
)
from vectorstore.records import Chunk, ScoredChunk


def chunk(cid, text, doc_id="d1", title="在全县政务服务工作会议上的讲话", date="2025-07-02",
          also_in=(), also_in_ids=()):
    return Chunk(id=cid, doc_id=doc_id, title=title, section_path="", paragraph=0, start=0,
                 end=len(text), text=text, date=date, also_in=also_in, also_in_ids=also_in_ids)


A = chunk("a", "推行“321608”审批机制，使企业开办全流程时限压缩至1个工作日。")
B = chunk("b", "设立“党员示范岗”28个、“党员责任区”15个。", doc_id="d2", title="在“四强”党支部建设推进会议上的讲话",
          date="2024-03-01")
C = chunk("c", "深化“一网通办”改革，推动更多事项网上办。", doc_id="d3", title="政务公开工作要点", date=None)
# The same passage as A, copied into another speech with different punctuation.
A_COPY = chunk("a2", "推行“321608”审批机制, 使企业开办全流程时限压缩至1个工作日", doc_id="d4",
               title="另一篇讲话")
# A passage of which A is only a part.
A_LONGER = chunk("a3", "县政务服务中心党员干部带头推行“321608”审批机制，使企业开办全流程时限压缩至1个工作日。二是加强青年党员培养。",
                 doc_id="d5", title="第三篇讲话")
SHARED = chunk("s", "坚持以人民为中心的发展思想。", doc_id="d1", also_in=("政务公开工作要点",),
               also_in_ids=("d3",))


class FakeDenseStore:
    def __init__(self, chunks):
        self.chunks = chunks
        self.calls = []

    def query(self, text, k, where=None):
        self.calls.append(k)
        return [ScoredChunk(c, score=1.0 - i / 10) for i, c in enumerate(self.chunks[:k])]


class FakeBM25:
    def __init__(self, chunks):
        self.chunks = chunks

    def search(self, query, k, allowed=None):
        hits = [c for c in self.chunks if allowed is None or allowed(c)]
        return [ScoredChunk(c, score=5.0 - i) for i, c in enumerate(hits[:k])]


@dataclass
class ListRetriever:
    hits: list

    def retrieve(self, query, k, filters=None):
        return [h for h in self.hits if filters is None or filters.matches(h.chunk)][:k]


# --- Filters -------------------------------------------------------------------------------

def test_empty_filters_match_everything():
    assert not Filters().active
    assert all(Filters().matches(c) for c in (A, B, C))


def test_doc_and_title_filters():
    assert Filters(doc_ids=("d2",)).matches(B)
    assert not Filters(doc_ids=("d2",)).matches(A)
    assert Filters(titles=("四强",)).matches(B)
    assert not Filters(titles=("四强",)).matches(A)
    # doc_ids and titles together name a set of allowed speeches.
    both = Filters(doc_ids=("d1",), titles=("四强",))
    assert both.matches(A) and both.matches(B) and not both.matches(C)


def test_repeated_passage_matches_any_of_its_speeches():
    assert Filters(doc_ids=("d3",)).matches(SHARED)
    assert Filters(titles=("政务公开工作要点",)).matches(SHARED)
    assert not Filters(doc_ids=("d2",)).matches(SHARED)


def test_date_filters_are_inclusive_and_accept_partial_dates():
    assert Filters(date_from="2025-07-02", date_to="2025-07-02").matches(A)
    assert Filters(date_from="2025").matches(A)
    assert Filters(date_to="2025").matches(A)
    assert Filters(date_to="2025-07").matches(A)
    assert not Filters(date_to="2025-06").matches(A)
    assert not Filters(date_from="2025").matches(B)
    # Without a date a chunk cannot be shown to be in range.
    assert not Filters(date_from="2000").matches(C)


# --- adapters ----------------------------------------------------------------------------

def test_dense_retriever_sets_dense_fields_and_filters_by_overfetching():
    store = FakeDenseStore([A, B, C, SHARED] + [chunk(f"x{i}", f"填充段落{i}") for i in range(20)])
    hits = DenseRetriever(store, overfetch=2).retrieve("党员", 1, Filters(doc_ids=("d2",)))
    assert [h.chunk.id for h in hits] == ["b"]
    assert hits[0].dense == hits[0].score and hits[0].dense_rank == 1

    # The wanted chunk lies beyond the first fetch: the fetch widens until it is found.
    store = FakeDenseStore([chunk(f"x{i}", f"填充段落{i}") for i in range(20)] + [B])
    hits = DenseRetriever(store, overfetch=2).retrieve("党员", 1, Filters(doc_ids=("d2",)))
    assert [h.chunk.id for h in hits] == ["b"]
    assert store.calls == [2, 4, 8, 16, 32]


def test_dense_retriever_without_filters_asks_for_k():
    store = FakeDenseStore([A, B, C])
    hits = DenseRetriever(store).retrieve("审批", 2, None)
    assert [(h.chunk.id, h.dense_rank) for h in hits] == [("a", 1), ("b", 2)]
    assert store.calls == [2]


def test_bm25_retriever_passes_filters_as_predicate_and_ranks():
    hits = BM25Retriever(FakeBM25([A, B, C])).retrieve("改革", 5, Filters(doc_ids=("d1", "d3")))
    assert [(h.chunk.id, h.bm25_rank, h.bm25) for h in hits] == [("a", 1, 5.0), ("c", 2, 4.0)]


# --- hybrid ------------------------------------------------------------------------------

def hybrid(*retrievers, **kwargs):
    return HybridRetriever([NamedRetriever(name, r) for name, r in retrievers], **kwargs)


def test_hybrid_fuses_and_keeps_each_retrievers_scores_by_name():
    dense = DenseRetriever(FakeDenseStore([A, B, C]))
    bm25 = BM25Retriever(FakeBM25([C, B, A]))
    pairs = BM25Retriever(FakeBM25([B, C]))
    hits = hybrid((DENSE, dense), (BM25, bm25), (PAIRS, pairs)).retrieve("审批", 3)
    by_id = {h.chunk.id: h for h in hits}
    assert set(by_id) == {"a", "b", "c"}
    assert by_id["b"].dense_rank == 2 and by_id["b"].bm25_rank == 2
    assert by_id["b"].ranks == {DENSE: 2, BM25: 2, PAIRS: 1}
    assert by_id["a"].scores == {DENSE: 1.0, BM25: 3.0}
    assert hits[0].score >= hits[1].score >= hits[2].score


def test_hybrid_hands_the_filters_to_every_retriever_and_filters_nothing_itself():
    @dataclass
    class Recording:
        hits: list
        seen: list = field(default_factory=list)

        def retrieve(self, query, k, filters=None):
            self.seen.append(filters)
            return self.hits[:k]  # a retriever that ignores its filters is not second-guessed

    wanted = Filters(doc_ids=("d2",))
    dense = Recording([ScoredChunk(A, 1.0), ScoredChunk(B, 0.9)])
    bm25 = Recording([ScoredChunk(B, 3.0)])
    hits = hybrid((DENSE, dense), (BM25, bm25)).retrieve("党员", 5, wanted)
    assert dense.seen == [wanted] and bm25.seen == [wanted]
    assert {h.chunk.id for h in hits} == {"a", "b"}


def test_hybrid_weights_shift_the_ranking():
    dense = ListRetriever([ScoredChunk(A, 0.9)])
    bm25 = ListRetriever([ScoredChunk(C, 9.0)])
    even = HybridRetriever([NamedRetriever(DENSE, dense), NamedRetriever(BM25, bm25)])
    keyword = HybridRetriever([NamedRetriever(DENSE, dense), NamedRetriever(BM25, bm25, 2.0)])
    assert [h.chunk.id for h in even.retrieve("改革", 2)] == ["a", "c"]
    assert [h.chunk.id for h in keyword.retrieve("改革", 2)] == ["c", "a"]


def test_hybrid_collapses_repeats_keeping_the_better_ranked():
    dense = ListRetriever([ScoredChunk(A, 0.9, dense=0.9, dense_rank=1),
                           ScoredChunk(A_COPY, 0.8, dense=0.8, dense_rank=2),
                           ScoredChunk(A_LONGER, 0.7, dense=0.7, dense_rank=3),
                           ScoredChunk(B, 0.6, dense=0.6, dense_rank=4)])
    bm25 = ListRetriever([ScoredChunk(A_LONGER, 9.0, bm25=9.0, bm25_rank=1),
                          ScoredChunk(C, 8.0, bm25=8.0, bm25_rank=2)])
    hits = hybrid((DENSE, dense), (BM25, bm25)).retrieve("321608审批机制", 5)
    ids = [h.chunk.id for h in hits]
    # A_LONGER is found by both and ranks first; A and its copy are contained in it.
    assert ids[0] == "a3"
    assert "a" not in ids and "a2" not in ids
    assert set(ids) == {"a3", "b", "c"}


def test_hybrid_returns_top_k_and_works_with_one_retriever():
    only_bm25 = hybrid((BM25, BM25Retriever(FakeBM25([A, B, C]))))
    assert [h.chunk.id for h in only_bm25.retrieve("改革", 2)] == ["a", "b"]
    assert only_bm25.retrieve("改革", 0) == []
    with pytest.raises(ValueError):
        HybridRetriever([])
    with pytest.raises(ValueError):
        hybrid((BM25, only_bm25), (BM25, only_bm25))


def test_collapse_repeats_identical_after_normalising():
    hits = [ScoredChunk(A, 1.0), ScoredChunk(A_COPY, 0.9), ScoredChunk(B, 0.8)]
    assert [h.chunk.id for h in collapse_repeats(hits)] == ["a", "b"]


# --- sentence search -----------------------------------------------------------------------


class FakeSentences:
    """Nearest chunks in a fixed order, whatever the query vector."""

    def __init__(self, ranked):
        self.ranked = ranked
        self.queries = []

    def nearest(self, query, k, keep=None):
        self.queries.append(query)
        return [(cid, 0.9 - i / 10) for i, cid in enumerate(
            [c for c in self.ranked if keep is None or keep(c)][:k])]


def test_sentence_retriever_embeds_the_query_and_applies_filters():
    sentences = FakeSentences(["b", "a", "gone", "c"])  # "gone": not committed, skipped
    embedded = []
    retriever = SentenceRetriever(sentences, [A, B, C], lambda q: embedded.append(q) or [1.0])
    hits = retriever.retrieve("党员示范岗有多少个？", 2)
    assert [h.chunk.id for h in hits] == ["b", "a"] and hits[0].score == pytest.approx(0.9)
    assert embedded == ["党员示范岗有多少个？"] and sentences.queries == [[1.0]]
    only_d3 = Filters(doc_ids=("d3",))
    assert [h.chunk.id for h in retriever.retrieve("q", 5, only_d3)] == ["c"]
    assert retriever.retrieve("q", 0) == []
