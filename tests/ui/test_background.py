"""Background loading of the chat model, and the lock that serialises its use."""
from __future__ import annotations

import threading
import time

from ui.background import LOADING, READY, UNAVAILABLE, BackgroundLoad, SerialGenerator


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


def test_serial_generator_lets_one_stream_run_at_a_time():
    running = []
    overlaps = []

    class Slow:
        def stream(self, question, passages):
            running.append(question)
            if len(running) > 1:
                overlaps.append(tuple(running))
            for piece in ("甲", "乙"):
                time.sleep(0.02)
                yield piece
            running.remove(question)

    gen = SerialGenerator(Slow(), threading.Lock())
    out: dict[str, str] = {}
    threads = [threading.Thread(target=lambda q=q: out.__setitem__(q, "".join(gen.stream(q, []))))
               for q in ("一", "二", "三")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(5)
    assert out == {"一": "甲乙", "二": "甲乙", "三": "甲乙"}
    assert overlaps == []
