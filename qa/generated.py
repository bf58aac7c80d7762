"""Checks a generated answer sentence by sentence before it may replace the quotes."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from qa.citation_check import MARKER, check_citations
from qa.evidence import TokenizerLike
from qa.structured import AnswerReader, render_sentence


@dataclass
class CheckedGeneration:
    """A generated answer after the citation check."""

    text: str
    used: list[int] = field(default_factory=list)  # passage numbers still cited, first first
    notes: list[str] = field(default_factory=list)  # why markers or sentences went
    dropped: int = 0  # sentences left out because no passage supports them
    removed: int = 0  # markers taken out


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
