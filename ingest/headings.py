"""Section headings of a speech: which paragraph opens a section ("一、" "（一）" "1." "一是"…),
at which level, and the label a citation's section path shows for it."""
from __future__ import annotations

import re

from vectorstore.sentences import sentence_spans

_CN_NUM = "一二三四五六七八九十百零〇两"
# Paragraph-initial markers as (rank, level, pattern). Level 4 markers start a clause, not a
# title; "第一，" lists often hold "一是" items, so those rank below it within level 4.
_MARKERS: list[tuple[float, int, re.Pattern[str]]] = [
    (1, 1, re.compile(rf"[{_CN_NUM}]+[、．.]")),
    (2, 2, re.compile(rf"[（(][{_CN_NUM}]+[）)]")),
    (3, 3, re.compile(r"(?:\d{1,2}[.．、](?!\d)|[（(]\d{1,2}[）)])")),
    (4, 4, re.compile(rf"(?:第[{_CN_NUM}]+|首先|其次|再次)[，、,]")),
    (4.5, 4, re.compile(rf"[{_CN_NUM}]+[是要]")),
]
ITEM_RANK = 4.5  # "一是…" items, which also follow one another inside a paragraph
_CLAUSE_END = re.compile(r"[，；。：！？,;:]")
_SENTENCE_END = "。！？；"
LABEL_MAX = 30  # characters kept of a clause used as a heading label
HEADING_MAX = 80  # a heading-only paragraph is at most this long


def heading_of(paragraph: str) -> tuple[int, str] | None:
    """Return (level, label) when the paragraph opens with a section marker, else None.

    Levels: 1 "一、", 2 "（一）", 3 "1." / "1、" / "（1）", 4 "一是" / "一要" / "第一，" / "首先，".
    A heading-only paragraph (one short sentence) gives its whole text without the final
    terminator. A long paragraph that opens with a marker gives its first sentence when that is
    short (levels 1-3), otherwise the clause up to the first ，；。：, capped at LABEL_MAX.
    """
    found = marker(paragraph)
    return None if found is None else found[1:]


def marker(paragraph: str) -> tuple[float, int, str] | None:
    """Return (rank, level, label) of the paragraph's opening marker, or None."""
    p = paragraph.strip()
    found = next(((rank, lv, rx) for rank, lv, rx in _MARKERS if rx.match(p)), None)
    if found is None:
        return None
    rank, level, rx = found
    return (rank, level, _label(p, level, rx.match(p).end()))


def _label(p: str, level: int, marker_end: int) -> str:
    """Return the heading label of a paragraph that opens with a marker ending at marker_end."""
    if level < 4 and _is_single_sentence(p) and len(p) <= HEADING_MAX:
        return p.rstrip(_SENTENCE_END)
    if level < 4:
        first = p[: sentence_spans(p)[0][1]].rstrip(_SENTENCE_END)
        if len(first) <= 40:
            return first
    # "第一，关于……" says nothing before its comma: the clause then starts after the marker.
    m = _CLAUSE_END.search(p, marker_end)
    clause = p[: m.start()] if m else p
    if len(clause) > LABEL_MAX:
        clause = clause[:LABEL_MAX] + "…"
    return clause


def _is_single_sentence(p: str) -> bool:
    """Whether p holds one sentence (a terminator, if any, only at its end)."""
    return len(sentence_spans(p)) == 1


def is_heading_only(paragraph: str) -> bool:
    """Whether the paragraph is a bare heading line (a marker plus one short sentence)."""
    p = paragraph.strip()
    return (
        len(p) <= HEADING_MAX
        and any(rx.match(p) for _, lv, rx in _MARKERS if lv < 4)
        and _is_single_sentence(p)
    )
