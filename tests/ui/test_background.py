"""Background loading of the chat model, and the lock that serialises its use."""
from __future__ import annotations

import threading
import time

import pytest

from qa.answer import GenerationBusy
from qa.followup import rewrite_rule_based
from qa.shared_model import SerialGenerator, SerialRewriter
from ui.chat.background import LOADING, READY, UNAVAILABLE, BackgroundLoad, pump


def test_state_goes_from_loading_to_ready():
    gate = threading.Event()
    load = BackgroundLoad(lambda: (gate.wait(5), "模型")[1])
    assert load.state == LOADING and load.value is None
    gate.set()
    assert load.wait(5)
    assert load.state == READY and load.value == "模型"


def test_failure_and_none_mean_unavailable_with_a_reason():
    def boom():
        raise RuntimeError("找不到本地大模型文件")

    failed = BackgroundLoad(boom)
    assert failed.wait(5) and failed.state == UNAVAILABLE
    assert failed.error == "找不到本地大模型文件"
    none = BackgroundLoad(lambda: None, unavailable_message="没有可用的大模型")
    assert none.wait(5) and none.state == UNAVAILABLE and none.error == "没有可用的大模型"


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


def test_pump_passes_items_on_in_order_with_none_while_waiting():
    gate = threading.Event()

    def slow():
        yield "甲"
        gate.wait(5)
        yield "乙"

    out = []
    for item in pump(slow(), interval=0.01):
        out.append(item)
        if item is None:
            gate.set()
    assert [x for x in out if x is not None] == ["甲", "乙"]
    assert None in out[1:-1]


def test_pump_raises_the_error_of_the_stream():
    def failing():
        yield "甲"
        raise ValueError("坏问题")

    with pytest.raises(ValueError, match="坏问题"):
        list(pump(failing(), interval=0.01))


def test_closing_the_pump_closes_the_stream_and_frees_the_model():
    class Endless:
        def stream(self, question, passages):
            while True:
                time.sleep(0.01)
                yield "字"

    lock = threading.Lock()
    reader = pump(SerialGenerator(Endless(), lock).stream("一", []), interval=0.01)
    assert next(reader) in ("字", None)
    reader.close()  # the page's stop button
    assert wait_for(lambda: not lock.locked())


def wait_for(condition, seconds: float = 5) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return False


def test_the_next_question_waits_for_a_stopped_generation_still_reading_its_prompt():
    # The stopped generation lets go only at its next token (the model may still be reading
    # the prompt); the next question waits for that instead of being told the model is busy.
    prompt_read = threading.Event()

    class SlowPrompt:
        def stream(self, question, passages):
            if question == "一":
                prompt_read.wait(5)
            yield question + "甲"

    lock = threading.Lock()
    gen = SerialGenerator(SlowPrompt(), lock, handover_wait=5)
    reader = pump(gen.stream("一", []), interval=0.01, on_stop=gen.stop_current)
    assert next(reader) is None  # still reading the prompt
    assert lock.locked()
    reader.close()  # the page's stop button
    threading.Timer(0.2, prompt_read.set).start()  # the first token arrives a little later
    assert list(gen.stream("二", [])) == ["二甲"]
    assert not lock.locked()


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


def test_a_pump_that_ended_by_itself_stops_nothing():
    calls = []
    reader = pump(iter(["字"]), interval=0.01, on_stop=lambda: calls.append(1))
    assert [x for x in reader if x is not None] == ["字"]
    assert calls == []
