"""Loads slow resources (the chat model, the embedding model) in a background thread, so the
page can be drawn and used (extractive mode) while they load."""
from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Generic, TypeVar

T = TypeVar("T")

LOADING, READY, UNAVAILABLE = "loading", "ready", "unavailable"


class BackgroundLoad(Generic[T]):
    """Runs build() once in a daemon thread; state is LOADING, then READY (value set) or
    UNAVAILABLE (error holds the message to show). build() returning None counts as
    UNAVAILABLE too."""

    def __init__(self, build: Callable[[], T | None], name: str = "zwqa-load",
                 unavailable_message: str = "不可用"):
        self._build = build
        self._unavailable_message = unavailable_message
        self._done = threading.Event()
        self.value: T | None = None
        self.error: str = ""
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self.value = self._build()
            if self.value is None:
                self.error = self._unavailable_message
        except Exception as e:  # any failure only means the feature is off; say why
            self.value = None
            self.error = str(e) or type(e).__name__
        finally:
            self._done.set()

    @property
    def state(self) -> str:
        """Return LOADING, READY or UNAVAILABLE."""
        if not self._done.is_set():
            return LOADING
        return READY if self.value is not None else UNAVAILABLE

    def wait(self, timeout: float | None = None) -> bool:
        """Return True once loading has finished (either way), waiting up to timeout seconds."""
        return self._done.wait(timeout)


class SerialGenerator:
    """An answer generator that lets one caller at a time use the wrapped one (a llama.cpp
    model is not safe to drive from two sessions at once)."""

    def __init__(self, inner, lock: threading.Lock):
        self._inner = inner
        self._lock = lock

    def stream(self, question: str, passages: Sequence[str]) -> Iterator[str]:
        """Yield the wrapped generator's pieces while holding the model lock."""
        with self._lock:
            yield from self._inner.stream(question, passages)


class SerialRewriter:
    """A question rewriter sharing the generator's model lock."""

    def __init__(self, inner, lock: threading.Lock):
        self._inner = inner
        self._lock = lock

    def rewrite(self, question: str, history: Sequence[tuple[str, str]]) -> str:
        """Return the wrapped rewriter's standalone question, computed under the model lock."""
        with self._lock:
            return self._inner.rewrite(question, history)
