"""evaluation.tune_weights imports and sets the settings it names on the retriever stack."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from evaluation.tune_weights import apply
from qa.retrieve import HybridRetriever, NamedRetriever


class _Nothing:
    def retrieve(self, query, k, filters=None):
        return []


def _answerer():
    hybrid = HybridRetriever([NamedRetriever("dense", _Nothing()), NamedRetriever("bm25", _Nothing()),
                              NamedRetriever("sentences", _Nothing(), 3.0)])
    return SimpleNamespace(retriever=SimpleNamespace(base=hybrid, weight=0.8, similarity_weight=8.0,
                                                     candidates=30))


def test_settings_land_on_the_reranker_and_the_hybrid():
    answerer = _answerer()
    apply(answerer, "similarity_weight", "12")
    apply(answerer, "rrf", "1,0.5,2")
    apply(answerer, "candidates", "40")
    assert answerer.retriever.similarity_weight == 12.0
    assert [r.weight for r in answerer.retriever.base.retrievers] == [1.0, 0.5, 2.0]
    assert answerer.retriever.candidates == answerer.retriever.base.candidates == 40


def test_rrf_needs_one_weight_per_retriever_and_unknown_settings_are_refused():
    with pytest.raises(SystemExit, match="dense, bm25, sentences"):
        apply(_answerer(), "rrf", "1,1")
    with pytest.raises(SystemExit, match="unknown setting"):
        apply(_answerer(), "threshold", "0.5")


class _Recorder:
    def __init__(self):
        self.asked = []

    def search(self, question, history, k):
        self.asked.append((question, tuple(history), k))
        return list(range(20))


def test_a_follow_up_is_searched_rewritten_by_rule_and_in_its_conversation():
    from evaluation.tune_weights import RewrittenRetriever

    answerer = _Recorder()
    retriever = RewrittenRetriever(answerer)
    history = (("“321608”审批机制是什么？", "3个工作日完成企业开办……"),)
    retriever.history = {"它的时限呢？": history}
    assert retriever.retrieve("它的时限呢？", 5) == [0, 1, 2, 3, 4]
    question, asked_history, k = answerer.asked[0]
    assert question != "它的时限呢？" and "321608" in question
    assert asked_history == history and k == 10
    retriever.retrieve("青松办是什么？", 3)  # no history: asked as it is
    assert answerer.asked[1] == ("青松办是什么？", (), 10)
