import pytest

from qa.fusion import BM25, DENSE, PAIRS, rrf_fuse
from vectorstore.records import Chunk, ScoredChunk


def chunk(cid: str, text: str = "政务服务") -> Chunk:
    return Chunk(id=cid, doc_id="d1", title="讲话", section_path="", paragraph=0,
                 start=0, end=len(text), text=text)


def dense(*ids: str) -> list[ScoredChunk]:
    return [ScoredChunk(chunk(i), score=0.9 - r / 10, dense=0.9 - r / 10, dense_rank=r + 1)
            for r, i in enumerate(ids)]


def bm25(*ids: str) -> list[ScoredChunk]:
    return [ScoredChunk(chunk(i), score=10.0 - r, bm25=10.0 - r, bm25_rank=r + 1)
            for r, i in enumerate(ids)]


def test_chunk_found_by_both_lists_ranks_first_with_fused_score():
    fused = rrf_fuse({DENSE: dense("a", "b"), BM25: bm25("c", "b")}, k=60)
    assert [h.chunk.id for h in fused][0] == "b"
    assert fused[0].score == pytest.approx(1 / 62 + 1 / 62)


def test_keeps_dense_and_bm25_scores_and_ranks_from_their_lists():
    fused = {h.chunk.id: h for h in rrf_fuse({DENSE: dense("a", "b"), BM25: bm25("b", "c")})}
    assert (fused["b"].dense, fused["b"].dense_rank) == (pytest.approx(0.8), 2)
    assert (fused["b"].bm25, fused["b"].bm25_rank) == (10.0, 1)
    assert fused["a"].bm25 is None and fused["a"].bm25_rank is None
    assert fused["c"].dense is None and fused["c"].bm25_rank == 2


def test_every_list_keeps_its_rank_and_score_by_name():
    fused = {h.chunk.id: h for h in rrf_fuse({DENSE: dense("a", "b"), PAIRS: bm25("c", "b")})}
    assert fused["b"].ranks == {DENSE: 2, PAIRS: 2}
    assert fused["b"].scores == {DENSE: pytest.approx(0.8), PAIRS: 9.0}
    assert fused["c"].ranks == {PAIRS: 1} and fused["c"].scores == {PAIRS: 10.0}


def test_character_pair_scores_do_not_pass_for_word_bm25():
    # c is found by the character-pair list only: its BM25 fields stay empty, its pair
    # rank and score are kept under the list's own name.
    fused = {h.chunk.id: h for h in rrf_fuse({BM25: bm25("a"), PAIRS: bm25("c", "a")})}
    assert fused["c"].bm25 is None and fused["c"].bm25_rank is None
    assert fused["c"].ranks[PAIRS] == 1
    assert (fused["a"].bm25, fused["a"].bm25_rank) == (10.0, 1)


def test_ties_keep_a_stable_order():
    # a and c are both rank 1 in one list only: the earlier list wins the tie, every time.
    for _ in range(3):
        fused = rrf_fuse({DENSE: dense("a", "b"), BM25: bm25("c", "d")})
        assert [h.chunk.id for h in fused] == ["a", "c", "b", "d"]


def test_weights_shift_the_ranking():
    fused = rrf_fuse({DENSE: dense("a"), BM25: bm25("c")}, weights={DENSE: 1.0, BM25: 2.0})
    assert [h.chunk.id for h in fused] == ["c", "a"]
    assert fused[0].score == pytest.approx(2 / 61)


def test_repeat_inside_one_list_counts_once():
    fused = rrf_fuse({DENSE: dense("a", "a", "b")})
    assert [h.chunk.id for h in fused] == ["a", "b"]
    assert fused[0].score == pytest.approx(1 / 61)


def test_bad_arguments_are_rejected():
    with pytest.raises(ValueError):
        rrf_fuse({DENSE: dense("a")}, weights={DENSE: 1.0, BM25: 1.0})
    with pytest.raises(ValueError):
        rrf_fuse({DENSE: dense("a")}, weights={DENSE: -1.0})
    with pytest.raises(ValueError):
        rrf_fuse({DENSE: dense("a")}, k=-1)


def test_empty_input_gives_empty_result():
    assert rrf_fuse({}) == []
    assert rrf_fuse({DENSE: [], BM25: []}) == []
