"""Heading-aware chunking of one speech into Chunks whose offsets index the cleaned text."""
from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from ingest.headings import ITEM_RANK, is_heading_only, marker
from vectorstore.records import Chunk, SpeechDocument, stable_id
from vectorstore.sentences import sentence_spans


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
            paras.append(_Para(i, pos, pos + len(line), marker(line)))
        pos += len(line) + 1
    return paras


class _Span(NamedTuple):
    """A chunk of the section being closed: offsets, first paragraph, whole short paragraphs."""

    start: int
    end: int
    paragraph: int
    whole: bool


class _Packer:
    """Packs the units of one speech into chunks: the chunk being packed, the chunks of the open
    section (made Chunks, with its path, when the section closes) and the open headings."""

    def __init__(self, doc: SpeechDocument, limit: int, overlap: int, max_repeat: int):
        self.doc = doc
        self.limit = limit
        self.overlap = overlap
        self.max_repeat = max_repeat
        self.chunks: list[Chunk] = []
        self.current: list[_Unit] = []
        self.section: list[_Span] = []
        self.headings: dict[float, str] = {}  # rank -> label
        self.section_path = ""

    def add(self, unit: _Unit) -> None:
        """Add unit to the chunk being packed, or start the next chunk with it (after the
        overlapping sentences of the one it closes)."""
        if self.current and _fits(self.current, unit, self.limit):
            self.current.append(unit)
            return
        self._end_chunk()
        tail = _overlap(self.current, unit, self.overlap, self.limit, self.max_repeat)
        self.current = tail + [unit]

    def finish_chunk(self) -> None:
        """Close the chunk being packed; the next unit starts a new one."""
        self._end_chunk()
        self.current = []

    def _end_chunk(self) -> None:
        if self.current:
            first, last = self.current[0], self.current[-1]
            self.section.append(_Span(first.start, last.end, first.paragraph,
                                      all(u.whole for u in self.current)))

    def close_section(self) -> None:
        """Make Chunks of the open section's chunks, under the current section path."""
        # A trailing run of short paragraphs joins the chunk before it when they fit.
        if len(self.section) >= 2:
            before, last = self.section[-2], self.section[-1]
            fits = last.end - before.start <= self.limit
            if last.whole and before.end + 1 == last.start and fits:
                self.section[-2:] = [before._replace(end=last.end)]
        doc = self.doc
        self.chunks.extend(
            Chunk(id=stable_id(doc.doc_id, a, b), doc_id=doc.doc_id, title=doc.title,
                  section_path=self.section_path, paragraph=p, start=a, end=b,
                  text=doc.text[a:b], source=doc.source, date=doc.date)
            for a, b, p, _ in self.section
        )
        self.section = []

    def open_heading(self, rank: float, label: str) -> None:
        """Open a heading of rank, closing those of the same or a lower level."""
        self.headings = {r: h for r, h in self.headings.items() if r < rank}
        self.headings[rank] = label
        self.section_path = " > ".join(self.headings[r] for r in sorted(self.headings))

    def forget_headings(self) -> None:
        self.headings = {}
        self.section_path = ""


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
    packer = _Packer(doc, limit, overlap, chunk_size // 2)
    cuts = sorted(doc.truncated_at)
    last_end = 0
    for para in _paragraphs(text):
        if any(last_end <= cut <= para.start for cut in cuts) and para.start > 0:
            # The web source cut the speech here: what follows may sit under headings that
            # were cut away, so no heading seen before the cut applies to it.
            packer.finish_chunk()
            packer.close_section()
            packer.forget_headings()
        last_end = para.end
        if para.heading is not None:
            rank, _, label = para.heading
            if not _carries(packer.current, rank, text):
                packer.finish_chunk()
            packer.close_section()
            packer.open_heading(rank, label)
        units = _units(text, para, chunk_size / 3, limit, max_chars)
        for unit in units:
            item = None if unit.whole or unit.start == para.start else _inline_item(text, unit)
            if item is not None:
                # "二是…" inside a paragraph opened by "一是…" starts the next item: a chunk stays
                # within one item, so its section path names the item its sentences belong to.
                packer.finish_chunk()
                packer.close_section()
                packer.open_heading(*item)
            packer.add(unit)
        # Only whole short paragraphs are packed with what follows; a longer one ends its chunk.
        if not units[-1].whole:
            packer.finish_chunk()
    packer.finish_chunk()
    packer.close_section()
    return packer.chunks


def _units(text: str, para: _Para, short_len: float, limit: int, max_chars: int) -> list[_Unit]:
    """Return what a paragraph is packed from: itself whole when it is short (under short_len)
    or a bare heading, else its sentences (none longer than max_chars)."""
    length = para.end - para.start
    heading_only = para.heading is not None and is_heading_only(text[para.start : para.end])
    if (heading_only or length < short_len) and length <= limit:
        rank = para.heading[0] if para.heading else None
        return [_Unit(para.start, para.end, para.index, True, rank, heading_only)]
    return [_Unit(a, b, para.index, False)
            for a, b in sentence_spans(text, para.start, para.end, max_chars)]


def _inline_item(text: str, unit: _Unit) -> tuple[float, str] | None:
    """Return (rank, label) when a sentence inside a paragraph opens an "N是/N要" item."""
    found = marker(text[unit.start:unit.end])
    if found is None or found[0] != ITEM_RANK:
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
