"""LLM mode's order of events: the quotes first ("draft"), then the generated answer sentence by
sentence, replacing the quotes only after the citation check; failures keep the quotes."""
from __future__ import annotations

import json
import threading

from qa.llm_answer import LLMAnswerGenerator
from qa.llm_model import build_chat_model
from vectorstore.errors import GenerationFailed
from tests.qa.test_answer import ScriptedGenerator, make_answerer, words_index  # noqa: F401
from qa.shared_model import SerialGenerator
from vectorstore.errors import GenerationFailed
from vectorstore.settings import Settings

QUESTION = "321608审批机制是什么？"
QUOTE = "3个工作日完成企业开办"


def json_reply(*sentences: tuple[str, list[int]]) -> str:
    return json.dumps({"sentences": [{"text": t, "sources": s} for t, s in sentences]},
                      ensure_ascii=False)


def events_of(words_index, generator):
    return list(make_answerer(words_index, generator).stream(QUESTION, mode="llm"))


def test_quotes_come_first_then_whole_sentences_then_the_checked_answer(words_index):
    gen = ScriptedGenerator(json_reply(
        ("“321608”审批机制要求3个工作日完成企业开办。", [1]),
        ("企业开办全流程时限压缩至1个工作日。", [1])))
    events = events_of(words_index, gen)
    kinds = [e.kind for e in events]
    assert kinds[:2] == ["retrieved", "draft"] and kinds[-1] == "done"
    assert set(kinds[2:-1]) == {"token", "progress"}
    assert kinds.index("token") > kinds.index("progress")  # nothing shown mid-sentence
    draft = events[1].answer
    assert QUOTE in draft.text and draft.citations[0].chunk.id == "a" and draft.mode == "extractive"
    tokens = [e.text for e in events if e.kind == "token"]
    assert tokens == ["“321608”审批机制要求3个工作日完成企业开办。[1]", "企业开办全流程时限压缩至1个工作日。[1]"]
    final = events[-1].answer
    assert final.mode == "llm" and final.text == "".join(tokens)
    assert [c.n for c in final.citations] == [1] and final.notes == []
    assert final.timings_ms["first_sentence"] >= final.timings_ms["first_token"]


def test_an_unsupported_sentence_is_dropped_and_the_answer_says_so(words_index):
    gen = ScriptedGenerator(json_reply(
        ("“321608”审批机制要求3个工作日完成企业开办。", [1]),
        ("该机制由省政府统一拨款十亿元。", [1])))
    final = events_of(words_index, gen)[-1].answer
    assert "十亿" not in final.text and QUOTE in final.text
    assert "已删除 1 句" in final.text


def test_a_sentence_with_the_wrong_passage_number_gets_the_passage_that_supports_it(words_index):
    gen = ScriptedGenerator(json_reply(("“321608”审批机制要求3个工作日完成企业开办。", [3])))
    final = events_of(words_index, gen)[-1].answer
    assert final.text == "“321608”审批机制要求3个工作日完成企业开办。[1]"
    assert final.citations[0].chunk.id == "a"
    assert any("来源编号有误" in n for n in final.notes)


def test_output_that_is_not_json_is_checked_as_plain_text(words_index):
    gen = ScriptedGenerator('{321608审批机制要求3个工作日完成企业开办[1]。')  # opens like JSON, is not
    final = events_of(words_index, gen)[-1].answer
    assert final.mode == "llm" and final.citations[0].chunk.id == "a"
    assert "321608审批机制要求3个工作日完成企业开办[1]" in final.text


class FailingAfter:
    def __init__(self, pieces):
        self.pieces = pieces

    def stream(self, question, passages):
        yield from self.pieces
        raise GenerationFailed("大模型服务不可用（APIConnectionError）")


def test_a_generation_that_fails_midway_leaves_the_quotes_with_a_note(words_index):
    events = events_of(words_index, FailingAfter(['{"sentences":[{"text":"半句']))
    final = events[-1].answer
    assert final.text == events[1].answer.text and QUOTE in final.text
    assert any("大模型服务不可用" in n and "原文摘录" in n for n in final.notes)


def test_an_unreachable_endpoint_does_not_crash_the_answer(words_index):
    # Port 9 (discard) on the loopback: nothing listens, the connection is refused at once.
    chat = build_chat_model(Settings(llm_base_url="http://127.0.0.1:9/v1", llm_model="qwen"))
    final = events_of(words_index, LLMAnswerGenerator(chat))[-1].answer
    assert QUOTE in final.text and final.citations
    assert any("大模型服务不可用" in n for n in final.notes)


def test_while_another_session_holds_the_model_the_quotes_stand_with_a_busy_note(words_index):
    lock = threading.Lock()
    gen = SerialGenerator(ScriptedGenerator(json_reply(("不应被调用。", [1]))), lock)
    with lock:
        final = events_of(words_index, gen)[-1].answer
    assert QUOTE in final.text
    assert final.notes == ["模型正在为其他用户生成回答，先显示原文摘录"]
