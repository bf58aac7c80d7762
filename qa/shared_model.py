"""One chat model shared by several sessions (the chat page, the HTTP API): the generator and
the rewriter take turns on one lock, and a session that finds the model busy keeps its quotes
(or rule-based rewriting) instead of queueing."""
from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence

BUSY_MESSAGE = "模型正在为其他用户生成回答，先显示原文摘录"


class SerialGenerator:
    """An answer generator that lets one caller at a time use the wrapped one: the local server
    has one slot, so a second session would only queue behind the first. That session is not
    kept waiting: it gets qa.answer.GenerationBusy at once and keeps its quotes.

    A generation its reader has stopped (stop_current) lets go of the model only at its next
    token, which can be seconds away while the model reads a prompt; the next caller then
    waits for that hand-over (up to handover_wait seconds) instead of being told the model
    serves someone else."""

    def __init__(self, inner, lock: threading.Lock, handover_wait: float = 120.0):
        self._inner = inner
        self._lock = lock
        self._handover_wait = handover_wait
        self._stopping = threading.Event()

    def stop_current(self) -> None:
        """Mark the generation holding the model as stopped by its reader."""
        if self._lock.locked():
            self._stopping.set()

    def stream(self, question: str, passages: Sequence[str]) -> Iterator[str]:
        """Yield the wrapped generator's pieces while holding the model lock; raise
        GenerationBusy when another caller holds it and has not been stopped."""
        from vectorstore.errors import GenerationBusy

        if not self._lock.acquire(blocking=False):
            handed_over = self._stopping.is_set() and self._lock.acquire(
                timeout=self._handover_wait)
            if not handed_over:
                raise GenerationBusy(BUSY_MESSAGE)
        self._stopping.clear()
        try:
            yield from self._inner.stream(question, passages)
        finally:
            self._lock.release()


class SerialRewriter:
    """A question rewriter sharing the generator's model lock; while the model is busy the
    follow-up is rewritten by the rules instead of waiting."""

    def __init__(self, inner, lock: threading.Lock):
        self._inner = inner
        self._lock = lock

    def rewrite(self, question: str, history: Sequence[tuple[str, str]]) -> str:
        """Return the wrapped rewriter's standalone question, or the rule-based one when the
        model is busy."""
        from qa.followup import rewrite_rule_based

        if not self._lock.acquire(blocking=False):
            return rewrite_rule_based(question, history)
        try:
            return self._inner.rewrite(question, history)
        finally:
            self._lock.release()


def share_model(generator, rewriter) -> tuple[SerialGenerator, SerialRewriter]:
    """Return the generator and rewriter of one chat model wrapped to take turns on one lock."""
    lock = threading.Lock()
    return SerialGenerator(generator, lock), SerialRewriter(rewriter, lock)
