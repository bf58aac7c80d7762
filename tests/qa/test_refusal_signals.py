"""The answerability signals qa.refusal.assess computes from the retrieved passages."""
from __future__ import annotations

import pytest

from qa.fusion import SENTENCES
from qa.refusal import SENTENCE_FLOOR, assess
from qa.rerank import TermWeights
from vectorstore.records import Chunk, ScoredChunk

WEIGHTS = TermWeights(words={"窗口": 1.0}, pairs={})


def hit(cid: str, dense: float, sentence: float | None) -> ScoredChunk:
    chunk = Chunk(id=cid, doc_id="d", title="t", section_path="", paragraph=0,
                  text="窗口工作人员实行AB角制度。", start=0, end=14)
    return ScoredChunk(chunk=chunk, score=1.0, dense=dense,
                       scores={} if sentence is None else {SENTENCES: sentence})


def test_the_nearest_sentence_and_its_shortfall_below_the_floor():
    near = assess("窗口实行什么制度？", [hit("a", 0.88, 0.93), hit("b", 0.89, 0.91)], WEIGHTS)
    assert near.features["sentence_max"] == pytest.approx(0.93)
    assert near.features["sentence_low"] == 0.0
    far = assess("窗口实行什么制度？", [hit("a", 0.86, 0.87)], WEIGHTS)
    assert far.features["sentence_low"] == pytest.approx(SENTENCE_FLOOR - 0.87)


def test_without_sentence_vectors_the_passage_cosine_stands_in():
    a = assess("窗口实行什么制度？", [hit("a", 0.92, None), hit("b", 0.90, None)], WEIGHTS)
    assert a.features["sentence_max"] == pytest.approx(0.92)
    assert a.features["sentence_low"] == 0.0
