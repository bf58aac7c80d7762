"""The glossary of an index: its policy terms, where speeches define them, how often they occur.

Written by ingest beside the catalog (state/<gen>/terms.json) and read by qa.lookup. Offsets
index into the cleaned text of the speech (SpeechDocument.text), like a Chunk's.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from vectorstore.files import write_atomic
from vectorstore.text import fold_width

FORMAT_VERSION = 1
TERMS_FILE = "terms.json"

@dataclass(frozen=True)
class Definition:
    """A sentence of a speech that defines a term."""

    doc_id: str
    start: int  # the sentence: doc.text[start:end]
    end: int
    term_start: int  # the term inside it: doc.text[term_start:term_end]
    term_end: int
    pattern: str  # the wording that makes it a definition: 是指, 即, 就是, 所谓, 括注, 冒号


@dataclass(frozen=True)
class TermEntry:
    """One glossary term."""

    term: str
    kinds: tuple[str, ...]  # quoted, slogan, formula, defined
    definitions: tuple[Definition, ...]  # best first
    mentions: int  # occurrences in all speeches (folded, non-overlapping, like str.count)
    speeches: tuple[str, ...]  # doc_ids that mention it, corpus order


@dataclass(frozen=True)
class TermIndex:
    """The glossary of one committed generation."""

    generation: int
    terms: tuple[TermEntry, ...]  # sorted by term

    def by_term(self) -> dict[str, TermEntry]:
        """Return folded term → entry."""
        return {fold_width(t.term): t for t in self.terms}


def term_index_to_json(index: TermIndex) -> str:
    """Return the term index as JSON text."""
    return json.dumps(
        {
            "version": FORMAT_VERSION,
            "generation": index.generation,
            "terms": [
                {
                    "term": t.term,
                    "kinds": list(t.kinds),
                    "definitions": [[d.doc_id, d.start, d.end, d.term_start, d.term_end, d.pattern]
                                    for d in t.definitions],
                    "mentions": t.mentions,
                    "speeches": list(t.speeches),
                }
                for t in index.terms
            ],
        },
        ensure_ascii=False,
    )


def term_index_from_json(text: str) -> TermIndex:
    """Return the term index stored by term_index_to_json (ValueError/KeyError if malformed)."""
    data = json.loads(text)
    if data.get("version") != FORMAT_VERSION:
        raise ValueError(f"unknown terms version {data.get('version')!r}")
    terms = tuple(
        TermEntry(
            term=t["term"],
            kinds=tuple(t["kinds"]),
            definitions=tuple(Definition(*d) for d in t["definitions"]),
            mentions=int(t["mentions"]),
            speeches=tuple(t["speeches"]),
        )
        for t in data["terms"]
    )
    return TermIndex(generation=int(data["generation"]), terms=terms)


def save_term_index(folder: Path, index: TermIndex) -> None:
    """Write the term index into a generation's state folder (atomically)."""
    write_atomic(folder / TERMS_FILE, term_index_to_json(index))


def load_term_index(folder: Path) -> TermIndex | None:
    """Return the term index stored in a generation's state folder, None when it has none or
    it cannot be read (the caller rebuilds it from the catalog's speeches)."""
    path = folder / TERMS_FILE
    try:
        return term_index_from_json(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError, TypeError):
        return None
