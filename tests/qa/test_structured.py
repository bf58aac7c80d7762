"""Structured answers: rendering JSON sentences to cited text and reading them mid-stream."""
from __future__ import annotations

import json

import pytest

from qa.structured import (
    AnswerReader, Sentence, finished_sentences, parse_answer, render, render_sentence,
)

ANSWER = {"sentences": [
    {"text": "“321608”审批机制要求3个工作日完成企业开办。", "sources": [1]},
    {"text": "企业开办全流程时限压缩至1个工作日", "sources": [1, 2]},
]}
COMPACT = json.dumps(ANSWER, ensure_ascii=False)
PRETTY = json.dumps(ANSWER, ensure_ascii=False, indent=2)


def test_each_sentence_ends_with_its_markers_and_gets_a_sentence_end():
    assert render([Sentence("甲事项已办结。", (1,)), Sentence("乙事项压缩至1天", (1, 2))]) == (
        "甲事项已办结。[1]乙事项压缩至1天。[1][2]")


def test_markers_written_inside_the_text_move_to_the_end_without_repeats():
    assert render_sentence(Sentence("甲事项[2]已办结。[1]", (1,))) == "甲事项已办结。[1][2]"


def test_an_item_of_several_sentences_gives_each_its_sources_and_drops_stray_marks():
    item = Sentence("管理模式是指审批事项向一个科室集中。核心是“转变职能”；要抓紧培训。”,。", (1,))
    assert render_sentence(item) == "管理模式是指审批事项向一个科室集中。[1]核心是“转变职能”；要抓紧培训。[1]"


def test_a_dropped_opening_quote_is_put_back():
    item = Sentence("三集中、两到位”管理模式是指审批科室向政务服务中心集中。", (1,))
    assert render_sentence(item) == "“三集中、两到位”管理模式是指审批科室向政务服务中心集中。[1]"
    assert render_sentence(Sentence("“一窗受理”与“综合窗口”", (2,))) == "“一窗受理”与“综合窗口”[2]"


def test_an_empty_sentence_renders_to_nothing():
    assert render_sentence(Sentence(" [1] ", (1,))) == ""


@pytest.mark.parametrize("raw", [COMPACT, PRETTY])
def test_finished_sentences_grow_as_the_json_arrives(raw):
    counts = [len(finished_sentences(raw[:i])) for i in range(len(raw) + 1)]
    assert counts == sorted(counts)  # never shrinks
    assert counts[-1] == 2
    first_done = counts.index(1)
    # the first sentence counts only once its object has closed
    assert raw[:first_done].rstrip().endswith("}")
    assert finished_sentences(raw[:first_done])[0].text.startswith("“321608”")


def test_text_that_is_not_the_answer_shape_has_no_sentences():
    assert finished_sentences("“321608”审批机制是……[1]") == []
    assert finished_sentences('{"answer": "甲", "sources": [1]}') == []
    assert parse_answer('{"answer": "甲"}') is None


def test_a_cut_off_answer_keeps_its_finished_sentences():
    cut = COMPACT[: COMPACT.index('{"text": "企业开办') + 12]
    assert [s.sources for s in parse_answer(cut)] == [(1,)]


def test_sources_given_as_strings_or_a_single_number_are_read():
    raw = '{"sentences":[{"text":"甲。","sources":["2"]},{"text":"乙。","sources":3}]}'
    assert [s.sources for s in parse_answer(raw)] == [(2,), (3,)]


def split_every(raw: str, n: int) -> list[str]:
    return [raw[i : i + n] for i in range(0, len(raw), n)]


@pytest.mark.parametrize("raw", [COMPACT, PRETTY])
def test_the_reader_gives_out_whole_rendered_sentences_only(raw):
    reader = AnswerReader()
    shown = [s for s in (reader.feed(p) for p in split_every(raw, 4)) if s]
    assert shown == ["“321608”审批机制要求3个工作日完成企业开办。[1]", "企业开办全流程时限压缩至1个工作日。[1][2]"]
    assert reader.text() == "".join(shown)
    assert [s.sources for s in reader.sentences()] == [(1,), (1, 2)]


def test_the_reader_passes_plain_text_through_as_it_comes():
    reader = AnswerReader()
    pieces = ["\n“3216", "08”审批机制", "要求……。[1]"]
    assert list(reader.feed_all(pieces)) == ["“3216", "08”审批机制", "要求……。[1]"]
    assert reader.text() == "“321608”审批机制要求……。[1]"
    assert reader.sentences() is None


def test_invalid_json_is_read_as_plain_text():
    reader = AnswerReader()
    list(reader.feed_all(split_every('{"sentences": 甲乙丙[1]}', 3)))
    assert reader.sentences() is None
    assert reader.text() == '{"sentences": 甲乙丙[1]}'
