"""The generated (llm) answer: what a generator promises, reading its stream, and checking it
sentence by sentence before it may replace the quotes."""
from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from qa.citation_check import MARKER, check_citations, claims_citing
from qa.evidence import TokenizerLike, pinpoint
from qa.structured import AnswerReader, render_sentence
from vectorstore.errors import GenerationFailed
from vectorstore.records import Chunk, Citation


class AnswerGenerator(Protocol):
    """Writes an answer to the question from numbered passages, streamed as text pieces;
    raises GenerationFailed when it cannot."""

    def stream(self, question: str, passages: Sequence[str]) -> Iterator[str]: ...


def read_generation(pieces: Iterable[str], reader: AnswerReader,
                    timings_ms: dict[str, float]) -> Iterator[str]:
    """Feed the generated pieces to reader and yield the text each makes final ("" while a
    sentence is still being written), recording in timings_ms when the first token and the
    first sentence came and how long the generation took."""
    t = time.perf_counter()

    def since() -> float:
        return round((time.perf_counter() - t) * 1000, 1)

    try:
        for piece in pieces:
            if "first_token" not in timings_ms and piece.strip():
                timings_ms["first_token"] = since()
            shown = reader.feed(piece)
            if shown:
                timings_ms.setdefault("first_sentence", since())
            yield shown
    finally:
        timings_ms["generate"] = since()


@dataclass
class CheckedGeneration:
    """A generated answer after the citation check."""

    text: str
    used: list[int] = field(default_factory=list)  # passage numbers still cited, first first
    notes: list[str] = field(default_factory=list)  # why markers or sentences went
    dropped: int = 0  # sentences left out because no passage supports them
    removed: int = 0  # markers taken out

    def shown_text(self) -> str:
        """Return the text to show: the checked answer, with a line saying what was removed."""
        if self.dropped:
            return self.text + f"\n（已删除 {self.dropped} 句无法在来源中核实的话）"
        if self.removed:
            return self.text + f"\n（已删除 {self.removed} 处无法在来源中核实的引用）"
        return self.text

    def citations(self, chunks: Sequence[Chunk], question: str,
                  tokenizer: TokenizerLike) -> list[Citation]:
        """Return a citation for each passage still cited (chunks[n - 1] for marker n), in
        marker order, highlighting the sentences the answer's claims about it come from (else
        those matching the question)."""
        out = []
        for n in sorted(self.used):
            chunk = chunks[n - 1]
            claims = claims_citing(self.text, n)
            highlights = pinpoint(claims or question, chunk.text, tokenizer) or pinpoint(
                question, chunk.text, tokenizer)
            out.append(Citation(n=n, chunk=chunk, highlights=highlights))
        return out


def check_generated(reader: AnswerReader, passages: Sequence[str], tokenizer: TokenizerLike,
                    min_support: float, question: str = "") -> CheckedGeneration:
    """Return the answer the reader holds with its citations checked (qa.citation_check).

    A JSON answer is checked one sentence at a time. A sentence whose named passages do not
    support it gets the first given passage that does (a small model often copies a fact right
    and its number wrong); failing that it is dropped. Plain text is checked as a whole and
    keeps its unmarked words."""
    sentences = reader.sentences()
    pieces = [reader.text()] if sentences is None else [render_sentence(s) for s in sentences]
    out = CheckedGeneration(text="")
    kept: list[str] = []
    for piece in filter(None, pieces):
        checked = check_citations(piece, passages, tokenizer, min_support, question)
        reasons = [reason for _, reason in checked.removed]
        if sentences is not None and not checked.used:
            recited = _recited(piece, passages, tokenizer, min_support, question)
            if recited is None:
                out.dropped += 1
                out.notes.extend(reasons)
                continue
            checked = recited
            out.notes.append(f"一句话的来源编号有误，已改为实际支持它的来源[{checked.used[0]}]")
        else:
            out.notes.extend(reasons)
            out.removed += len(reasons)
        kept.append(checked.text)
        out.used.extend(n for n in checked.used if n not in out.used)
    out.text = "".join(kept).strip()
    return out


def _recited(sentence: str, passages: Sequence[str], tokenizer: TokenizerLike,
             min_support: float, question: str):
    """Return the check of sentence cited to the first passage supporting it, or None."""
    bare = MARKER.sub("", sentence).strip()
    if not bare:
        return None
    for n in range(1, len(passages) + 1):
        checked = check_citations(f"{bare}[{n}]", passages, tokenizer, min_support, question)
        if checked.used:
            return checked
    return None
