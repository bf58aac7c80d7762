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
