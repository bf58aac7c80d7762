"""Clause binding: the figure must stand next to what the question asks it about (qa.binding)."""
from __future__ import annotations

import pytest

from qa.binding import asked_clause, asked_foreign, clause_binding, clause_weights
from qa.rerank import TermWeights
from qa.slots import asked_slot


def weights_of(question_words: dict[str, float]) -> TermWeights:
    return TermWeights(words=dict(question_words), pairs={})


def test_the_asked_clause_is_the_part_holding_the_asking_word():
    assert asked_clause("群众对窗口工作人员综合评议时，服务态度一项占多少分？") == "服务态度一项占多少分"
    assert asked_clause("派去坐窗口的人，一般要多大岁数、最大不能超过多少岁？") == "一般要多大岁数，最大不能超过多少岁"
    assert asked_clause("321608审批机制") == "321608审批机制"


def test_clause_weights_keep_only_the_asked_clause_words():
    w = weights_of({"窗口": 1.0, "评议": 2.0, "服务态度": 3.0})
    kept = clause_weights("群众对窗口工作人员综合评议时，服务态度一项占多少分？", w)
    assert kept.words == {"服务态度": 3.0}


def test_a_figure_about_another_subject_binds_weakly():
    q = "群众对窗口工作人员综合评议时，服务态度一项占多少分？"
    w = weights_of({"窗口": 1.0, "评议": 2.0, "服务态度": 3.0})
    slot = asked_slot(q)
    near_miss = ["组织群众对窗口工作人员进行综合评议。群众满意度达到85分以上。"]
    answer = ["组织群众对窗口工作人员进行综合评议。其中服务态度一项占30分。"]
    assert clause_binding(q, slot, w, near_miss) == 0.0
    assert clause_binding(q, slot, w, answer) == 1.0


def test_a_question_asking_for_no_value_is_fully_bound():
    q = "“三集中、两到位”管理模式具体指什么？"
    assert clause_binding(q, asked_slot(q), weights_of({"管理模式": 1.0}), ["无关的句子。"]) == 1.0


def test_asked_foreign_is_the_share_of_asked_nouns_no_speech_has():
    corpus = "办理政务服务事项需要的材料"
    # jieba's nouns here: 办理 (vn), 护照, 材料.
    assert asked_foreign("办理护照需要什么材料？", lambda w: w in corpus) == pytest.approx(1 / 3)
    assert asked_foreign("办理政务服务事项需要什么材料？", lambda w: w in corpus) == 0.0
    assert asked_foreign("办理护照需要什么材料？", None) == 0.0
