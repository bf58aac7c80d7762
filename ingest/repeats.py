"""Merging passages that the corpus repeats across speeches into one chunk that names them all."""
from __future__ import annotations

from dataclasses import replace

from vectorstore.records import Chunk
from vectorstore.text import copy_key

# Length of the probe taken from a chunk to find the longer chunks that may contain it; a
# shorter chunk ("同志们：") is merged only when identical, never as contained.
_PROBE = 12


def merge_repeated(
    chunks: list[Chunk], titles: dict[str, str], contained: bool = True
) -> tuple[list[Chunk], int]:
    """Return (chunks kept, number merged away) after merging repeated passages.

    Chunks with the same copy key (vectorstore.text.copy_key: the text without whitespace,
    punctuation and differences in placeholder figures) are kept once, the first in input
    order. With `contained`, a chunk whose key lies wholly inside that of a longer kept chunk
    of another speech is merged into that chunk too (copies of a speech are paragraphed
    differently, so their chunk boundaries differ). A kept chunk's also_in / also_in_ids name the other speeches (titles
    from `titles`, else the merged chunk's own title) that repeat the passage or part of it,
    without duplicates and never its own speech; entries it already carried stay first.
    Kept chunks stay in input order and are otherwise unchanged.
    """
    keys = [copy_key(c.text) for c in chunks]
    # into[i] = index of the kept chunk that chunk i is merged into (i itself when kept)
    into = list(range(len(chunks)))
    first: dict[str, int] = {}
    for i, key in enumerate(keys):
        if key:  # a chunk of bare punctuation repeats nothing
            into[i] = first.setdefault(key, i)

    if contained:
        _merge_contained(chunks, keys, into)

    others: dict[int, dict[str, str]] = {i: {} for i in range(len(chunks)) if into[i] == i}
    for i, target in enumerate(into):
        if target != i:
            _add_doc(others[target], chunks[target], chunks[i].doc_id, chunks[i].title, titles)
            for doc_id, title in zip(chunks[i].also_in_ids, chunks[i].also_in):
                _add_doc(others[target], chunks[target], doc_id, title, titles)

    kept: list[Chunk] = []
    for i, chunk in enumerate(chunks):
        if into[i] != i:
            continue
        extra = others[i]
        if extra:
            ids = dict(zip(chunk.also_in_ids, chunk.also_in))
            for doc_id, title in extra.items():
                ids.setdefault(doc_id, title)
            chunk = replace(chunk, also_in=tuple(ids.values()), also_in_ids=tuple(ids))
        kept.append(chunk)
    return kept, len(chunks) - len(kept)


def _add_doc(
    found: dict[str, str], target: Chunk, doc_id: str, title: str, titles: dict[str, str]
) -> None:
    if doc_id != target.doc_id and doc_id not in found:
        found[doc_id] = titles.get(doc_id, title)


def _merge_contained(chunks: list[Chunk], keys: list[str], into: list[int]) -> None:
    """Point each kept chunk lying inside a longer kept chunk of another speech at that chunk.

    Longer chunks are decided first, so a chunk is only ever merged into one that stays.
    """
    kept = [i for i in range(len(chunks)) if into[i] == i and len(keys[i]) >= _PROBE]
    # Probe index: every substring of length _PROBE of every kept chunk -> chunks holding it.
    holders: dict[str, list[int]] = {}
    for i in kept:
        key = keys[i]
        for probe in {key[j : j + _PROBE] for j in range(len(key) - _PROBE + 1)}:
            holders.setdefault(probe, []).append(i)
    for i in sorted(kept, key=lambda i: (-len(keys[i]), i)):
        key = keys[i]
        for j in holders.get(key[:_PROBE], ()):
            if (
                into[j] == j
                and len(keys[j]) > len(key)
                and chunks[j].doc_id != chunks[i].doc_id
                and key in keys[j]
            ):
                into[i] = j
                break
    # Chunks identical to i follow it into j; j itself was decided earlier and stays kept.
    for k, target in enumerate(into):
        into[k] = into[target]
