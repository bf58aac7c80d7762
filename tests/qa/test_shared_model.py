"""One chat model shared by sessions: a busy model is said at once (never queued), a stopped
generation frees it, the rewriter falls back to the rules meanwhile."""
from __future__ import annotations

import threading
import time

import pytest

from qa.followup import rewrite_rule_based
from qa.shared_model import SerialGenerator, SerialRewriter
from vectorstore.errors import GenerationBusy


def test_a_second_stream_while_the_model_is_busy_is_told_at_once_not_queued():
    class TwoPieces:
        def stream(self, question, passages):
            yield question + "甲"
            yield question + "乙"

    gen = SerialGenerator(TwoPieces(), threading.Lock())
    first = gen.stream("一", [])
    assert next(first) == "一甲"  # the first session holds the model now
    with pytest.raises(GenerationBusy, match="模型正在为其他用户生成回答"):
        next(gen.stream("二", []))
    assert list(first) == ["一乙"]
    assert list(gen.stream("二", [])) == ["二甲", "二乙"]  # free again once the first ended


def test_a_stopped_stream_frees_the_model():
    class Endless:
        def stream(self, question, passages):
            while True:
                yield "字"

    gen = SerialGenerator(Endless(), threading.Lock())
    stopped = gen.stream("一", [])
    next(stopped)
    stopped.close()  # the reader stopped (the page's stop button)
    assert next(gen.stream("二", [])) == "字"


def test_the_rewriter_falls_back_to_the_rules_while_the_model_is_busy():
    class ModelRewriter:
        def rewrite(self, question, history):
            return "模型改写的问题？"

    lock = threading.Lock()
    rewriter = SerialRewriter(ModelRewriter(), lock)
    history = [("321608审批机制是什么？", "3个工作日完成企业开办。[1]")]
    assert rewriter.rewrite("那它的时限呢？", history) == "模型改写的问题？"
    with lock:
        assert rewriter.rewrite("那它的时限呢？", history) == rewrite_rule_based("那它的时限呢？", history)


def test_a_generation_nobody_stopped_still_makes_the_next_question_busy_at_once():
    class Waiting:
        def stream(self, question, passages):
            yield question + "甲"
            yield question + "乙"

    gen = SerialGenerator(Waiting(), threading.Lock(), handover_wait=60)
    first = gen.stream("一", [])
    next(first)
    gen.stop_current()  # the page of another session may call this only for its own stream;
    first.close()  # here the first holder ended, so the mark must not outlive it
    second = gen.stream("二", [])
    assert next(second) == "二甲"
    third = gen.stream("三", [])
    started = time.monotonic()
    with pytest.raises(GenerationBusy):
        next(third)
    assert time.monotonic() - started < 1  # told at once, not after handover_wait
