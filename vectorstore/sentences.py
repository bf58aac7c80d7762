"""Sentence spans of cleaned Chinese text, found with a running offset (no str.find)."""
from __future__ import annotations

import re

# A sentence ends after 。！？； or an ellipsis, plus any closing quotes/brackets right after
# (“……。”) or further terminators (“！？”), or at a newline. The newline belongs to no sentence.
_BOUNDARY = re.compile(r"(?:[。！？；]|…{2,})(?:[。！？；”’」』）》]|…+)*|\n")
# Where an over-long sentence is best cut: after a clause mark, so the pieces still read.
_SOFT_CUT = "，、："


def sentence_spans(
    text: str, start: int = 0, end: int | None = None, max_chars: int = 500
) -> list[tuple[int, int]]:
    """Return (start, end) offsets of the sentences of text[start:end], in order.

    The spans cover the range with no gaps except the newlines, which belong to no span; a
    span never contains "\\n". A stretch with no terminator within max_chars is cut into pieces
    of at most max_chars, preferably after a comma in the second half of the window.
    """
    if max_chars < 1:
        raise ValueError("max_chars must be at least 1")
    end = len(text) if end is None else min(end, len(text))
    spans: list[tuple[int, int]] = []
    pos = start
    for m in _BOUNDARY.finditer(text, start, end):
        if m.group() == "\n":
            _add_piece(text, pos, m.start(), max_chars, spans)
        else:
            _add_piece(text, pos, m.end(), max_chars, spans)
        pos = m.end()
    _add_piece(text, pos, end, max_chars, spans)
    return spans


def _add_piece(text: str, a: int, b: int, max_chars: int, spans: list[tuple[int, int]]) -> None:
    """Append text[a:b] as one span, or as several when it is longer than max_chars."""
    while b - a > max_chars:
        cut = a + max_chars
        # Prefer the last clause mark in the second half of the window.
        window_start = a + max_chars // 2
        best = max(text.rfind(ch, window_start, cut) for ch in _SOFT_CUT)
        if best >= window_start:
            cut = best + 1
        spans.append((a, cut))
        a = cut
    if b > a:
        spans.append((a, b))
