"""Gives every place the speeches use a term: the sentence, its speech and section, the offsets.

    lookup = TermLookup(documents, chunks, term_index)
    result = lookup.lookup("一窗受理")      # mentions grouped by speech, definition first

Matching is exact after full/half-width folding (vectorstore.text.fold_width), over the
cleaned text of every speech, so a passage that several speeches repeat is found in each of
them (the search index keeps such a passage once). Counts are non-overlapping, like str.count.
"""
from __future__ import annotations

import bisect
import difflib
from collections.abc import Sequence
from dataclasses import dataclass

from vectorstore.errors import EmptyTerm
from vectorstore.records import Chunk, SpeechDocument
from vectorstore.sentences import sentence_spans
from vectorstore.term_index import Definition, TermEntry, TermIndex
from vectorstore.text import fold_width

_SEPARATOR = "\x00"  # between speeches in the searched text: no match spans two speeches
_STRIP = " \t\r\n“”\"'「」『』《》〈〉【】()（）"
MAX_SUGGESTIONS = 8


@dataclass(frozen=True)
class Mention:
    """One occurrence of the term in a speech, inside its sentence."""

    doc_id: str
    start: int  # the term: doc.text[start:end]
    end: int
    sentence_start: int  # the sentence holding it: doc.text[sentence_start:sentence_end]
    sentence_end: int
    sentence: str
    section_path: str

    @property
    def highlight(self) -> tuple[int, int]:
        """Return the term's offsets inside the sentence."""
        return self.start - self.sentence_start, self.end - self.sentence_start


@dataclass(frozen=True)
class SpeechMentions:
    """The mentions of the term in one speech, in text order."""

    doc_id: str
    title: str
    date: str | None
    mentions: tuple[Mention, ...]

    @property
    def count(self) -> int:
        return len(self.mentions)


@dataclass(frozen=True)
class LookupResult:
    """What a lookup gives back; `suggestions` is filled when nothing matched."""

    query: str
    term: str  # the query as searched (trimmed of quotes and spaces)
    entry: TermEntry | None  # the glossary entry, when the term is a known one
    definition: Mention | None  # the defining sentence, when a speech defines the term
    speeches: tuple[SpeechMentions, ...]
    suggestions: tuple[str, ...] = ()

    @property
    def total(self) -> int:
        return sum(s.count for s in self.speeches)


class TermLookup:
    """Finds terms in the speeches of one index generation; safe to share between threads."""

    def __init__(self, documents: Sequence[SpeechDocument], chunks: Sequence[Chunk],
                 term_index: TermIndex):
        self.documents = list(documents)
        self.term_index = term_index
        self._by_id = {d.doc_id: d for d in self.documents}
        self._entries = term_index.by_term()
        self._text = _SEPARATOR.join(fold_width(d.text) for d in self.documents)
        self._doc_starts: list[int] = []
        pos = 0
        for d in self.documents:
            self._doc_starts.append(pos)
            pos += len(d.text) + 1
        # Section of an offset: the last chunk of the speech starting at or before it.
        sections: dict[str, list[tuple[int, str]]] = {}
        for c in chunks:
            sections.setdefault(c.doc_id, []).append((c.start, c.section_path))
        self._sections = {k: sorted(v) for k, v in sections.items()}
        self._sentences: dict[str, list[tuple[int, int]]] = {}

    def document(self, doc_id: str) -> SpeechDocument | None:
        return self._by_id.get(doc_id)

    def lookup(self, query: str) -> LookupResult:
        """Return every mention of the term (raises EmptyTerm for an empty one)."""
        term = query.strip(_STRIP)
        if not term:
            raise EmptyTerm("请输入要查找的术语")
        key = fold_width(term)
        grouped: dict[int, list[Mention]] = {}
        pos = self._text.find(key)
        while pos != -1:
            i = bisect.bisect_right(self._doc_starts, pos) - 1
            start = pos - self._doc_starts[i]
            grouped.setdefault(i, []).append(self._mention(self.documents[i], start, len(key)))
            pos = self._text.find(key, pos + len(key))
        speeches = tuple(
            SpeechMentions(d.doc_id, d.title, d.date, tuple(grouped[i]))
            for i, d in enumerate(self.documents) if i in grouped
        )
        entry = self._entries.get(key)
        definition = self.definition(entry) if entry else None
        suggestions = () if speeches else tuple(self.suggest(term, MAX_SUGGESTIONS, close=True))
        return LookupResult(query, term, entry, definition, speeches, suggestions)

    def definition(self, entry: TermEntry) -> Mention | None:
        """Return the entry's best defining sentence as a Mention, None if it has none."""
        for d in entry.definitions:
            doc = self._by_id.get(d.doc_id)
            if doc is not None:
                return self._definition_mention(doc, d)
        return None

    def suggest(self, text: str, limit: int = MAX_SUGGESTIONS, close: bool = False) -> list[str]:
        """Return glossary terms for what the user typed: terms starting with it, then terms
        containing it (most mentioned first); with `close`, then terms spelt nearly alike."""
        key = fold_width(text.strip(_STRIP))
        if not key:
            return []
        terms = self.term_index.terms
        starts = [t for t in terms if fold_width(t.term).startswith(key)]
        contains = [t for t in terms if key in fold_width(t.term) and t not in starts]
        ranked = [t.term for group in (starts, contains)
                  for t in sorted(group, key=lambda t: (-t.mentions, t.term))]
        if close and len(ranked) < limit:
            names = [t.term for t in terms if t.mentions]
            near = difflib.get_close_matches(text.strip(_STRIP), names, n=limit, cutoff=0.5)
            inside = [t.term for t in sorted(terms, key=lambda t: -t.mentions)
                      if t.mentions and len(t.term) >= 2 and fold_width(t.term) in key]
            ranked += [t for t in (*near, *inside) if t not in ranked]
        return ranked[:limit]

    def glossary(self, defined_only: bool = False) -> list[tuple[TermEntry, Mention | None]]:
        """Return (entry, defining sentence or None) for every term, in term order."""
        rows = [(e, self.definition(e) if e.definitions else None) for e in self.term_index.terms]
        return [r for r in rows if r[1] is not None] if defined_only else rows

    # -- offsets → sentences and sections ----------------------------------------------------

    def _sentence_of(self, doc: SpeechDocument, start: int, end: int) -> tuple[int, int]:
        spans = self._sentences.get(doc.doc_id)
        if spans is None:
            spans = self._sentences[doc.doc_id] = sentence_spans(doc.text)
        i = max(0, bisect.bisect_right(spans, (start, len(doc.text) + 1)) - 1)
        s, e = spans[i] if spans else (start, end)
        # A term may straddle a sentence end (rare: a term holding “。”): widen to cover it.
        while e < end and i + 1 < len(spans):
            i += 1
            e = spans[i][1]
        return min(s, start), max(e, end)

    def _section_of(self, doc_id: str, offset: int) -> str:
        sections = self._sections.get(doc_id, [])
        i = bisect.bisect_right(sections, (offset, "\uffff")) - 1
        return sections[i][1] if i >= 0 else ""

    def _mention(self, doc: SpeechDocument, start: int, length: int) -> Mention:
        end = start + length
        s, e = self._sentence_of(doc, start, end)
        section = self._section_of(doc.doc_id, start)
        return Mention(doc.doc_id, start, end, s, e, doc.text[s:e], section)

    def _definition_mention(self, doc: SpeechDocument, d: Definition) -> Mention:
        return Mention(doc.doc_id, d.term_start, d.term_end, d.start, d.end,
                       doc.text[d.start:d.end], self._section_of(doc.doc_id, d.term_start))


def mention_to_dict(m: Mention, title: str | None = None) -> dict:
    """Return a mention as a JSON-ready dict; highlight is [start, end] inside sentence."""
    out = {"doc_id": m.doc_id, "section_path": m.section_path, "start": m.start, "end": m.end,
           "sentence": m.sentence, "sentence_start": m.sentence_start,
           "sentence_end": m.sentence_end, "highlight": list(m.highlight)}
    if title is not None:
        out["title"] = title
    return out


def lookup_to_dict(result: LookupResult, lookup: TermLookup) -> dict:
    """Return a lookup result as the JSON `zwqa lookup --json` and GET /v1/lookup give."""
    definition = None
    if result.definition is not None:
        doc = lookup.document(result.definition.doc_id)
        definition = mention_to_dict(result.definition, doc.title if doc else "")
    return {
        "term": result.term,
        "total": result.total,
        "definition": definition,
        "speeches": [
            {"doc_id": s.doc_id, "title": s.title, "date": s.date, "count": s.count,
             "mentions": [mention_to_dict(m) for m in s.mentions]}
            for s in result.speeches
        ],
        "suggestions": list(result.suggestions),
    }


def glossary_row(entry: TermEntry, definition: Mention | None, lookup: TermLookup) -> dict:
    """Return one glossary row as JSON: term, definition sentence, speeches, mention count."""
    doc = lookup.document(definition.doc_id) if definition else None
    return {
        "term": entry.term,
        "kinds": list(entry.kinds),
        "definition": definition.sentence if definition else None,
        "definition_doc_id": definition.doc_id if definition else None,
        "definition_title": doc.title if doc else None,
        "speeches": len(entry.speeches),
        "speech_ids": list(entry.speeches),
        "mentions": entry.mentions,
    }
