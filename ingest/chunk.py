"""Heading-aware chunking of one speech into Chunks whose offsets index the cleaned text."""
from __future__ import annotations

import re
from dataclasses import dataclass

from vectorstore.records import Chunk, SpeechDocument, stable_id
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
_ITEM_RANK = 4.5  # "一是…" items, which also follow one another inside a paragraph
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
    found = _marker(paragraph)
    return None if found is None else found[1:]


def _marker(paragraph: str) -> tuple[float, int, str] | None:
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


def _is_heading_only(paragraph: str) -> bool:
    """Whether the paragraph is a bare heading line (a marker plus one short sentence)."""
    p = paragraph.strip()
    return (
        len(p) <= HEADING_MAX
        and any(rx.match(p) for _, lv, rx in _MARKERS if lv < 4)
        and _is_single_sentence(p)
    )


@dataclass
class _Unit:
    """A piece a chunk is packed from: a sentence of a long paragraph or a whole short one."""

    start: int
    end: int
    paragraph: int
    whole: bool  # a whole short paragraph (packed forward with what follows)
    rank: float | None = None  # marker rank when the short paragraph opens with a marker
    heading_only: bool = False


@dataclass
class _Para:
    index: int
    start: int
    end: int
    heading: tuple[float, int, str] | None  # (rank, level, label)


def _paragraphs(text: str) -> list[_Para]:
    """Return the non-blank paragraphs with offsets counted while splitting on newlines."""
    paras: list[_Para] = []
    pos = 0
    for i, line in enumerate(text.split("\n")):
        if line.strip():
            paras.append(_Para(i, pos, pos + len(line), _marker(line)))
        pos += len(line) + 1
    return paras


def chunk_document(
    doc: SpeechDocument, chunk_size: int = 300, overlap: int = 1, max_chars: int = 500
) -> list[Chunk]:
    """Return the chunks of a speech, in text order, each lying within one section.

    Whole sentences are packed up to chunk_size characters (never more than max_chars); only
    a single sentence longer than max_chars is cut. Up to `overlap` trailing sentences (at most
    chunk_size/2 characters) of a chunk are repeated at the start of the next chunk of the same
    paragraph. Paragraphs shorter than chunk_size/3 and bare headings are packed with the
    following paragraphs of their section; a chunk never continues past the end of a longer
    paragraph, and short paragraphs closing a section join the chunk before them when they
    fit. A bare heading followed directly by a deeper heading is carried into that subsection
    (it has no body of its own), as are "第一，…" lines and "…：" lead-ins before "一是…" items.
    At a doc.truncated_at offset between paragraphs the open headings are closed.
    The result depends only on the paragraphs of each section, so a speech repeated inside
    another one gives the same chunk texts and section paths.
    """
    text = doc.text
    limit = min(chunk_size, max_chars)
    short_len = chunk_size / 3
    chunks: list[Chunk] = []
    open_headings: dict[float, str] = {}  # rank -> label
    section_path = ""
    # (start, end, first paragraph, only short paragraphs) of the chunks of this section
    section_chunks: list[tuple[int, int, int, bool]] = []
    current: list[_Unit] = []

    def emit() -> None:
        if current:
            whole = all(u.whole for u in current)
            section_chunks.append((current[0].start, current[-1].end, current[0].paragraph, whole))

    def close_section() -> None:
        # A trailing run of short paragraphs joins the chunk before it when they fit.
        if len(section_chunks) >= 2:
            (a0, b0, p0, w0), (a1, b1, _, w1) = section_chunks[-2], section_chunks[-1]
            if w1 and b0 + 1 == a1 and b1 - a0 <= limit:
                section_chunks[-2:] = [(a0, b1, p0, w0)]
        for a, b, p, _ in section_chunks:
            chunks.append(
                Chunk(
                    id=stable_id(doc.doc_id, a, b),
                    doc_id=doc.doc_id,
                    title=doc.title,
                    section_path=section_path,
                    paragraph=p,
                    start=a,
                    end=b,
                    text=text[a:b],
                    source=doc.source,
                    date=doc.date,
                )
            )
        section_chunks.clear()

    cuts = sorted(doc.truncated_at)
    last_end = 0
    for para in _paragraphs(text):
        if any(last_end <= cut <= para.start for cut in cuts) and para.start > 0:
            # The web source cut the speech here: what follows may sit under headings that
            # were cut away, so no heading seen before the cut applies to it.
            emit()
            current = []
            close_section()
            open_headings.clear()
            section_path = ""
        last_end = para.end
        if para.heading is not None:
            rank, _, label = para.heading
            if not _carries(current, rank, text):
                emit()
                current = []
            close_section()
            for r in [r for r in open_headings if r >= rank]:
                del open_headings[r]
            open_headings[rank] = label
            section_path = " > ".join(open_headings[r] for r in sorted(open_headings))

        length = para.end - para.start
        heading_only = para.heading is not None and _is_heading_only(text[para.start : para.end])
        if (heading_only or length < short_len) and length <= limit:
            rank = para.heading[0] if para.heading else None
            units = [_Unit(para.start, para.end, para.index, True, rank, heading_only)]
        else:
            units = [
                _Unit(a, b, para.index, False)
                for a, b in sentence_spans(text, para.start, para.end, max_chars)
            ]

        for unit in units:
            item = None if unit.whole or unit.start == para.start else _inline_item(text, unit)
            if item is not None:
                # "二是…" inside a paragraph opened by "一是…" starts the next item: a chunk stays
                # within one item, so its section path names the item its sentences belong to.
                emit()
                current = []
                close_section()
                for r in [r for r in open_headings if r >= item[0]]:
                    del open_headings[r]
                open_headings[item[0]] = item[1]
                section_path = " > ".join(open_headings[r] for r in sorted(open_headings))
            if current and _fits(current, unit, limit):
                current.append(unit)
                continue
            emit()
            current = _overlap(current, unit, overlap, limit, chunk_size // 2) + [unit]
        # Only whole short paragraphs are packed with what follows; a longer one ends its chunk.
        if not units[-1].whole:
            emit()
            current = []
    emit()
    close_section()
    return chunks


def _inline_item(text: str, unit: _Unit) -> tuple[float, str] | None:
    """Return (rank, label) when a sentence inside a paragraph opens an "N是/N要" item."""
    found = _marker(text[unit.start:unit.end])
    if found is None or found[0] != _ITEM_RANK:
        return None
    return found[0], found[2]


def _carries(current: list[_Unit], rank: float, text: str) -> bool:
    """Whether the chunk being packed continues into the section a heading of rank opens.

    Bare parent headings ("一、…" right before "（一）…") have no body of their own; a short
    "第一，…" line or a lead-in ending in "：" ("主要表现在：") belongs with the "一是…" items
    that follow it.
    """
    if not current or not all(u.whole for u in current):
        return False
    if any(u.rank is not None and u.rank >= rank for u in current):
        return False
    if rank < 4:
        return all(u.heading_only for u in current)
    lead_in = text[current[-1].end - 1] == "："
    return lead_in or all(u.rank is not None for u in current)


def _fits(current: list[_Unit], unit: _Unit, limit: int) -> bool:
    """Whether unit may be added to the chunk being packed."""
    last = current[-1]
    if last.paragraph != unit.paragraph and not all(u.whole for u in current):
        return False
    return unit.end - current[0].start <= limit


def _overlap(
    previous: list[_Unit], unit: _Unit, overlap: int, limit: int, max_repeat: int
) -> list[_Unit]:
    """Return the trailing sentences of the previous chunk to repeat before unit.

    At most `overlap` sentences of unit's paragraph, together at most max_repeat characters
    (a long sentence repeated would mostly duplicate the previous chunk), and only as many as
    leave room for unit within limit.
    """
    if overlap <= 0:
        return []
    tail = previous[-overlap:]
    if not tail or tail[-1].end != unit.start:
        return []  # the previous chunk ended at a paragraph end
    tail = [u for u in tail if u.paragraph == unit.paragraph and not u.whole]
    while tail and (unit.end - tail[0].start > limit or unit.start - tail[0].start > max_repeat):
        tail = tail[1:]
    return tail
