"""The record types carried from ingest to the citation on screen.

raw file -> SpeechDocument -> Chunk -> (Chroma + BM25) -> ScoredChunk -> Answer(Citation...)
"""
from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields


def stable_id(*parts: object, length: int = 16) -> str:
    """Return a short hex digest of the parts: the same inputs always give the same id."""
    h = hashlib.sha256("\x1f".join(str(p) for p in parts).encode("utf-8"))
    return h.hexdigest()[:length]


@dataclass(frozen=True)
class SpeechDocument:
    """One speech: cleaned text plus what a citation needs to name it."""

    doc_id: str
    title: str
    text: str  # cleaned text; every Chunk's offsets index into this
    source: str  # source file name (relative to the corpus folder)
    date: str | None = None  # ISO date "2025-07-02" when the source states one
    truncated_at: tuple[int, ...] = ()  # offsets in text where the web source cut the speech short


@dataclass(frozen=True)
class Chunk:
    """A passage of one speech, made once by ingest and shown unchanged in a citation."""

    id: str
    doc_id: str
    title: str
    section_path: str  # "二、总结工作成效 > （三）以激发活力为关键点", "" before the first heading
    paragraph: int  # index of the chunk's first paragraph in the document
    start: int  # doc.text[start:end] == text
    end: int
    text: str
    source: str = ""
    date: str | None = None
    also_in: tuple[str, ...] = ()  # titles of the other speeches this passage is repeated in
    also_in_ids: tuple[str, ...] = ()  # their doc_ids, same order

    def to_dict(self) -> dict:
        """Return the chunk as a JSON-ready dict (tuples become lists)."""
        return {f.name: (list(v) if isinstance(v := getattr(self, f.name), tuple) else v)
                for f in fields(self)}

    @classmethod
    def from_dict(cls, d: dict) -> Chunk:
        """Return the Chunk stored by to_dict (lists back to tuples, unknown keys ignored)."""
        return cls(**{f.name: (tuple(v) if isinstance(v := d[f.name], list) else v)
                      for f in fields(cls) if f.name in d})


@dataclass(frozen=True)
class ScoredChunk:
    """A retrieved chunk with the score of each retriever that found it."""

    chunk: Chunk
    score: float  # the score this result was ranked by (fused for hybrid)
    dense: float | None = None  # cosine similarity
    bm25: float | None = None  # BM25 score (a fused result: the word BM25 list's, qa.fusion)
    dense_rank: int | None = None  # 1-based
    bm25_rank: int | None = None
    # A fused result: each retriever's rank of the chunk and own score for it, by retriever name
    # (qa.fusion); a retriever that missed the chunk is absent.
    ranks: Mapping[str, int] = field(default_factory=dict, hash=False)
    scores: Mapping[str, float] = field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class Citation:
    """A numbered source of an answer: the chunk and the supporting sentences in it."""

    n: int
    chunk: Chunk
    highlights: tuple[tuple[int, int], ...] = ()  # offsets into chunk.text


@dataclass
class Answer:
    """What qa gives back for one question and what the UI draws."""

    question: str
    text: str
    citations: list[Citation] = field(default_factory=list)
    refused: bool = False
    rewritten: str | None = None  # the standalone question, when a follow-up was rewritten
    retrieved: list[ScoredChunk] = field(default_factory=list)
    timings_ms: dict[str, float] = field(default_factory=dict)
    mode: str = "extractive"
    notes: list[str] = field(default_factory=list)  # e.g. "removed 1 unsupported citation"
