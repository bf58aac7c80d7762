"""Query expansion: everyday wording -> the policy wording the speeches use (qa.expansion)."""
from __future__ import annotations

from qa.expansion import (EVERYDAY_TO_POLICY, ExpandedWeights, QueryExpander, bracketed_meanings,
                          policy_expander)
from qa.rerank import TermWeights

CORPUS = ("窗口工作人员年龄以35周岁为主，上限不超40周岁。企业通过线上平台申领扶持资金。"
          "实现群众和企业凭“一证一码”（身份证和社会信用代码）可办理多项事。")


def corpus_has(word: str) -> bool:
    return word in CORPUS


def test_everyday_phrases_get_the_policy_words_a_speech_uses():
    expander = QueryExpander(EVERYDAY_TO_POLICY, corpus_has)
    expanded = expander.expand("派去政务中心坐窗口的人，一般要多大岁数？")
    assert expanded.startswith("派去政务中心坐窗口的人，一般要多大岁数？ ")
    added = expanded.split(" ", 1)[1].split()
    assert {"窗口工作人员", "年龄", "周岁"} <= set(added)
    # Alternatives no speech uses are never added ("常驻窗口" is not in CORPUS).
    assert "常驻窗口" not in added


def test_a_question_in_policy_words_is_left_as_it_is():
    expander = QueryExpander(EVERYDAY_TO_POLICY, corpus_has)
    assert expander.expand("窗口工作人员的年龄上限是多少？") == "窗口工作人员的年龄上限是多少？"


def test_the_longest_everyday_phrase_wins_over_a_phrase_inside_it():
    expander = QueryExpander({"开公司": ("企业开办",), "公司": ("企业",)}, lambda w: True)
    assert expander.matches("开公司要多久") == [("开公司", ("企业开办",))]
    assert expander.matches("公司要交什么") == [("公司", ("企业",))]


def test_bracketed_meanings_of_quoted_terms_are_mined_from_the_speeches():
    found = bracketed_meanings([CORPUS, "“四强”党支部（政治功能强、支部班子强）建设"])
    assert found["一证一码"] == ("身份证和社会信用代码",)
    assert found["四强"] == ("政治功能强、支部班子强",)
    expander = policy_expander([CORPUS], corpus_has)
    assert "身份证和社会信用代码" in expander.expand("“一证一码”能办什么？")


def test_expanded_weights_count_a_word_found_through_its_alternative():
    weights = TermWeights(words={"岁数": 3.0, "窗口": 1.0}, pairs={"岁数": 3.0, "窗口": 1.0})
    expander = QueryExpander(EVERYDAY_TO_POLICY, corpus_has)
    expanded = expander.expand_weights("坐窗口的人要多大岁数", weights)
    assert isinstance(expanded, ExpandedWeights)
    sentence = "窗口工作人员年龄以35周岁为主"
    assert weights.coverage(sentence) == 0.25
    assert expanded.coverage(sentence) == 1.0
    # A text with neither the word nor an alternative gains nothing.
    assert expanded.coverage("窗口") == weights.coverage("窗口")


def test_weights_of_a_question_without_everyday_phrases_are_returned_unchanged():
    weights = TermWeights(words={"321608": 5.0}, pairs={"32": 1.0})
    expander = QueryExpander(EVERYDAY_TO_POLICY, corpus_has)
    assert expander.expand_weights("321608审批机制是什么？", weights) is weights


def test_a_phrase_the_speeches_use_often_is_not_expanded():
    speeches = ["单位" * 25 + "部门", CORPUS]
    expander = policy_expander(speeches, lambda w: any(w in t for t in speeches))
    assert "单位" not in expander.table
    assert "坐窗口" in expander.table
