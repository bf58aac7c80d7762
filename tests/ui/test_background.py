"""Background loading of the chat model, and the pump that lets the page redraw (and stop)
while an answer is written."""
from __future__ import annotations

import threading
import time

import pytest

from qa.shared_model import SerialGenerator
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


def test_a_pump_that_ended_by_itself_stops_nothing():
    calls = []
    reader = pump(iter(["字"]), interval=0.01, on_stop=lambda: calls.append(1))
    assert [x for x in reader if x is not None] == ["字"]
    assert calls == []
