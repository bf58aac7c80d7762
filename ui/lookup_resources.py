"""Builds the term lookup of the committed index, for the CLI, the 查政策 page and the API."""
from __future__ import annotations

from pathlib import Path


def build_term_lookup(index=None, index_dir: Path | None = None):
    """Return a qa.lookup.TermLookup over the committed index (opened from index_dir when not
    given). Its glossary is the one ingest saved with the generation; an index written before
    glossaries existed gets one built from its speeches now (not saved: readers never write).

    Raises vectorstore.errors.IndexMissing / IndexCorrupt like the answerer."""
    from ingest.terms import build_term_index
    from qa.lookup import TermLookup
    from vectorstore.catalog import state_dir
    from vectorstore.index import open_committed_index
    from vectorstore.term_index import load_term_index

    if index is None:
        index = open_committed_index(index_dir)
    generation = index.catalog.generation
    documents = index.documents()
    terms = None
    if index_dir is not None:
        terms = load_term_index(state_dir(index_dir, generation))
    if terms is None or terms.generation != generation:
        terms = build_term_index(documents, generation)
    chunks = [c for e in index.catalog.files.values() for c in e.chunks]
    return TermLookup(documents, chunks, terms)
