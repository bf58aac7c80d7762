"""Structured LLM answers: the JSON schema the model is held to, rendering it to cited text, and
reading it while it streams.

The model writes {"sentences": [{"text": "…", "sources": [1]}, …]}. Each sentence becomes
"…。[1]" in the answer text, so the citation check (qa.citation_check) reads one claim per
sentence with the passages the model named for it. A model or endpoint that ignores the schema
and writes plain text is read as plain text.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from qa.citation_check import MARKER, answer_sentences, marker_numbers
from vectorstore.text import has_word

ANSWER_SCHEMA = {
    "type": "object",
    "properties": {
        "sentences": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "text": {"type": "string"},
                    "sources": {"type": "array", "items": {"type": "integer"}},
                },
                "required": ["text", "sources"],
            },
        }
    },
    "required": ["sentences"],
}
RESPONSE_FORMAT = {"type": "json_schema", "json_schema": {"name": "cited_answer", "schema": ANSWER_SCHEMA}}

_LIST_START = re.compile(r'^\s*\{\s*"sentences"\s*:\s*\[')
_SENTENCE_ENDS = "。！？；!?;…"
_DECODER = json.JSONDecoder()


@dataclass(frozen=True)
class Sentence:
    """One sentence of a structured answer and the passage numbers it rests on."""

    text: str
    sources: tuple[int, ...]


def render_sentence(sentence: Sentence) -> str:
    """Return the sentence as answer text: its words, a sentence end, then [n] per source.

    Markers the model also wrote inside the text are moved to the end and merged with sources.
    An item holding several sentences is rendered as several, each with the item's sources
    (the citation check reads one sentence at a time); pieces without a word (a stray "”,。")
    are left out."""
    named = [n for m in MARKER.finditer(sentence.text) for n in marker_numbers(m)]
    text = MARKER.sub("", sentence.text).strip()
    markers = "".join(f"[{n}]" for n in dict.fromkeys([*sentence.sources, *named]))
    out = []
    for piece in answer_sentences(text):  # split as the citation check splits
        piece = piece.strip()
        if not has_word(piece):
            continue
        piece = _balance_quotes(piece)
        if piece[-1] not in _SENTENCE_ENDS and piece[-1] not in "”’」』）)":
            piece += "。"
        out.append(piece + markers)
    return "".join(out)


def _balance_quotes(piece: str) -> str:
    """Return piece with the quotation marks a small model drops or leaves over mended: a
    closing ” with no opening one gets one at the start (三集中、两到位”管理模式 ->
    “三集中、两到位”管理模式) unless it only trails the sentence end, where it goes."""
    depth = 0
    for i, ch in enumerate(piece):
        if ch == "“":
            depth += 1
        elif ch == "”" and depth:
            depth -= 1
        elif ch == "”":
            if not has_word(piece[i:]):
                return piece[:i] + piece[i + 1:]
            return _balance_quotes("“" + piece)
    return piece


def render(sentences: Iterable[Sentence]) -> str:
    """Return the sentences rendered one after another (qa.structured.render_sentence)."""
    return "".join(render_sentence(s) for s in sentences)


def _sentence_of(value) -> Sentence | None:
    if not isinstance(value, dict) or not isinstance(value.get("text"), str):
        return None
    sources = value.get("sources") or []
    if not isinstance(sources, list):
        sources = [sources]
    numbers = tuple(int(n) for n in sources if isinstance(n, int) or (isinstance(n, str) and n.isdigit()))
    return Sentence(value["text"], numbers)


def finished_sentences(partial: str) -> list[Sentence]:
    """Return the sentence objects already complete in a partial JSON answer (none when the
    text is not, or not yet, the start of {"sentences": [ … )."""
    start = _LIST_START.match(partial)
    if not start:
        return []
    out: list[Sentence] = []
    pos = start.end()
    while True:
        while pos < len(partial) and partial[pos] in " \t\r\n,":
            pos += 1
        if pos >= len(partial) or partial[pos] != "{":
            return out
        try:
            value, pos = _DECODER.raw_decode(partial, pos)
        except json.JSONDecodeError:
            return out  # this object is still being written
        sentence = _sentence_of(value)
        if sentence is not None:
            out.append(sentence)


def parse_answer(raw: str) -> list[Sentence] | None:
    """Return the sentences of a complete JSON answer; None when raw is not JSON of that shape
    (the caller then reads raw as plain text). An answer cut off mid-way (the token limit)
    keeps the sentences finished before the cut."""
    try:
        value = json.loads(raw)
    except json.JSONDecodeError:
        done = finished_sentences(raw)
        return done or None
    if not isinstance(value, dict) or not isinstance(value.get("sentences"), list):
        return None
    return [s for s in map(_sentence_of, value["sentences"]) if s is not None]


def looks_structured(raw: str) -> bool:
    """Return True if the output so far opens like a JSON object (not plain text)."""
    return raw.lstrip().startswith("{")


class AnswerReader:
    """Reads a streamed answer, JSON or plain text, and gives back the text to show as it
    becomes final: whole rendered sentences for JSON, the pieces themselves for plain text."""

    def __init__(self) -> None:
        self.raw = ""
        self._shown = 0  # sentences of a JSON answer already given out

    def feed(self, piece: str) -> str:
        """Return the newly final text after piece arrives ("" when nothing new is final)."""
        before = self.raw
        self.raw += piece
        if not self.raw.strip():
            return ""
        if not looks_structured(self.raw):
            return self.raw.lstrip() if not before.strip() else piece
        done = finished_sentences(self.raw)
        new = done[self._shown:]
        self._shown = len(done)
        return render(new)

    def text(self) -> str:
        """Return the whole answer as cited text once the stream has ended."""
        raw = self.raw.strip()
        if not looks_structured(raw):
            return raw
        sentences = parse_answer(raw)
        return raw if sentences is None else render(sentences)

    def sentences(self) -> list[Sentence] | None:
        """Return the sentences of a finished JSON answer; None when it is plain text."""
        raw = self.raw.strip()
        return parse_answer(raw) if looks_structured(raw) else None

    def feed_all(self, pieces: Iterable[str]) -> Iterator[str]:
        """Yield the newly final text for each piece (empty strings left out)."""
        for piece in pieces:
            if shown := self.feed(piece):
                yield shown
