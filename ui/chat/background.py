"""Loads slow resources (the chat model, the embedding model) in a background thread, so the
page can be drawn and used (extractive mode) while they load; pumps an answer's events so the
page can redraw while the model reads."""
from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

# numpy is imported whole here, in the script's thread, before any load starts: a thread that
# imports chromadb (numpy.typing) while another is half-way through importing numpy (the
# embedding model's warm-up) fails with "cannot import name 'NDArray' from partially
# initialized module 'numpy._typing'", and the chat page showed that error instead of loading.
import numpy  # noqa: F401

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


def pump(events: Iterator[T], interval: float = 0.5,
         on_stop: Callable[[], None] | None = None) -> Iterator[T | None]:
    """Yield the items of events, produced in a daemon thread, and None after every interval
    seconds without one, so the page can redraw (and a click on its stop button take effect)
    while the model is still reading the prompt. An exception of events is raised here.

    Closing the pump asks the thread to close events when its next item arrives: the model
    stops at its next token and releases its lock (SerialGenerator); on_stop is called at once
    when the pump is closed before events ended (SerialGenerator.stop_current)."""
    import queue

    items: queue.Queue = queue.Queue()
    stop = threading.Event()
    end = object()

    def run() -> None:
        try:
            for item in events:
                if stop.is_set():
                    break
                items.put(item)
        except BaseException as e:  # handed to the reader, who raises it
            items.put(e)
        finally:
            close = getattr(events, "close", None)
            if close is not None:
                close()
            items.put(end)

    threading.Thread(target=run, name="zwqa-answer", daemon=True).start()
    try:
        while True:
            try:
                item = items.get(timeout=interval)
            except queue.Empty:
                yield None
                continue
            if item is end:
                on_stop = None  # ended by itself: nothing to stop
                return
            if isinstance(item, BaseException):
                on_stop = None
                raise item
            yield item
    finally:
        stop.set()
        if on_stop is not None:
            on_stop()
