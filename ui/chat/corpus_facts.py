"""What the chat page shows about the corpus: its figures, short titles for the speech filter,
the range of publication dates and example questions (no Streamlit)."""
from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ui.chat.render import format_ingested_at
from vectorstore.records import Chunk, SpeechDocument

MAX_EXAMPLES = 5


@dataclass(frozen=True)
class CorpusFigures:
    speeches: int
    chunks: int
    last_ingest: str  # formatted


def corpus_figures(documents: Sequence[SpeechDocument], chunks: Sequence[Chunk],
                   ingested_at: str) -> CorpusFigures:
    """Return the sidebar's corpus figures."""
    return CorpusFigures(len(documents), len(chunks), format_ingested_at(ingested_at))


FILTER_TITLE_CHARS = 16  # what the sidebar's speech filter shows of a title without cutting
_TITLE_SUFFIX = re.compile(r"[（(][^（）()]{1,8}[)）]$")  # "（篇十一）" tells same-named speeches apart
_TITLE_FRAME = re.compile(r"^在|(?:上的|上|的)?讲话$")  # "在…上的讲话" says nothing in a list of speeches


def short_title(title: str, limit: int = FILTER_TITLE_CHARS) -> str:
    """Return title cut to about limit characters for a narrow list, keeping what tells it apart:
    a closing "（篇N）" stays whole, "在…上的讲话" goes first, then the end of the rest."""
    if len(title) <= limit:
        return title
    m = _TITLE_SUFFIX.search(title)
    suffix = m.group(0) if m else ""
    head = _TITLE_FRAME.sub("", title[: len(title) - len(suffix)]) or title
    room = max(4, limit - len(suffix))
    if len(head) > room:
        head = head[: room - 1] + "…"
    return head + suffix


def speech_options(documents: Sequence[SpeechDocument]) -> dict[str, str]:
    """Return doc_id → short label for the speech filter, in corpus order."""
    return {d.doc_id: short_title(d.title) for d in documents}


def date_bounds(documents: Sequence[SpeechDocument]) -> tuple[str, str] | None:
    """Return the earliest and latest date among the speeches, or None when fewer than two
    different dates are known (a range over one day selects nothing a user could want).

    The dates are the web pages' publication dates (qa.clean reads "发表时间"), not when the
    speeches were given; the page labels them so."""
    dates = sorted({d.date for d in documents
                    if d.date and re.fullmatch(r"\d{4}-\d{2}-\d{2}", d.date)})
    return (dates[0], dates[-1]) if len(dates) >= 2 else None


def load_dev_questions(path: Path) -> list[dict]:
    """Return the rows of a dev-set JSONL file ([] when it is missing)."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError:
        return []
    return [json.loads(line) for line in lines if line.strip()]


def example_questions(rows: Sequence[dict], indexed_sources: Iterable[str],
                      n: int = MAX_EXAMPLES) -> list[str]:
    """Return up to n example questions: answerable dev questions about indexed files, taking
    the question types in turn so the examples show different kinds of asking."""
    sources = set(indexed_sources)
    by_type: dict[str, list[str]] = {}
    for r in rows:
        if r.get("type") == "unanswerable" or r.get("source_file") not in sources:
            continue
        by_type.setdefault(r.get("type", ""), []).append(r["question"])
    out: list[str] = []
    queues = [list(qs) for qs in by_type.values()]
    while len(out) < n and any(queues):
        for q in queues:
            if q and len(out) < n:
                out.append(q.pop(0))
    return out
