"""Sentence vectors of the indexed chunks, one generation's derived index like its BM25 file:
a question is compared with each sentence, and a chunk scores as its best sentence.

    sentences = SentencePlan(chunks, previous).embed(embedder.embed_documents)
    sentences.save(state_dir / SENTENCE_FILE)
    SentenceIndex.load(path).nearest(embedder.embed_query(question), k)  # [(chunk id, cosine)]

A chunk's vector mixes everything its ~400 characters say; a question worded in everyday
language matches the one sentence that answers it much better (on the tune split, the best
sentence ranked the relevant chunk in the top 5 for 0.86 of the questions, the chunk vector
for 0.76). The vectors of sentences an earlier generation already embedded are reused.
"""
from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from vectorstore.files import write_atomic
from vectorstore.records import Chunk
from vectorstore.sentences import sentence_spans

SENTENCE_FILE = "sentences.npz"
MIN_SENTENCE_CHARS = 6  # shorter pieces (headings' numbers, "同志们：") match anything
EMBED_BATCH = 64


def chunk_sentences(chunk: Chunk) -> list[str]:
    """Return the sentences of a chunk worth a vector, in order: not the headings the chunk
    repeats from its section path (a heading names a topic and would match every question on
    it; the passage under it says what the speech says)."""
    headings = {h.strip() for h in chunk.section_path.split(" > ")}
    out = []
    for a, b in sentence_spans(chunk.text):
        s = chunk.text[a:b].strip()
        if len(s) >= MIN_SENTENCE_CHARS and s not in headings:
            out.append(s)
    return out


def _key(chunk_id: str, sentence: str) -> str:
    return hashlib.sha256(f"{chunk_id}\n{sentence}".encode()).hexdigest()[:24]


@dataclass(frozen=True)
class SentenceIndex:
    """Row i: the sentence with key keys[i] of chunk chunk_ids[i], its unit vector vectors[i]."""

    chunk_ids: tuple[str, ...]
    keys: tuple[str, ...]
    vectors: np.ndarray  # (rows, dim) float32

    def __len__(self) -> int:
        return len(self.keys)

    def nearest(self, query: Sequence[float], k: int,
                keep: Callable[[str], bool] | None = None) -> list[tuple[str, float]]:
        """Return up to k (chunk id, cosine of its best sentence), best first; keep filters
        chunk ids."""
        if k <= 0 or not len(self):
            return []
        sims = self.vectors @ np.asarray(query, dtype=np.float32)
        best: dict[str, float] = {}
        for row in np.argsort(-sims, kind="stable"):
            cid = self.chunk_ids[row]
            if cid in best or (keep is not None and not keep(cid)):
                continue
            best[cid] = float(sims[row])
            if len(best) >= k:
                break
        return list(best.items())

    def best_of(self, query: Sequence[float], chunk_ids: Sequence[str]) -> list[float | None]:
        """Return the cosine of each chunk's sentence nearest to query (None: no sentence)."""
        if not len(self):
            return [None] * len(chunk_ids)
        sims = self.vectors @ np.asarray(query, dtype=np.float32)
        rows = self._rows
        return [float(sims[rows[c]].max()) if c in rows else None for c in chunk_ids]

    @cached_property
    def _rows(self) -> dict[str, list[int]]:
        """Return chunk id → its rows."""
        rows: dict[str, list[int]] = {}
        for i, c in enumerate(self.chunk_ids):
            rows.setdefault(c, []).append(i)
        return rows

    def save(self, path: Path) -> None:
        buffer = io.BytesIO()
        np.savez(buffer, vectors=self.vectors.astype(np.float32),
                 chunk_ids=np.array(self.chunk_ids, dtype=str), keys=np.array(self.keys, dtype=str))
        write_atomic(Path(path), buffer.getvalue())

    @classmethod
    def load(cls, path: Path) -> SentenceIndex:
        """Return the index saved at path (OSError / ValueError when missing or unreadable)."""
        try:
            with np.load(Path(path), allow_pickle=False) as data:
                vectors = np.asarray(data["vectors"], dtype=np.float32)
                chunk_ids = tuple(str(c) for c in data["chunk_ids"])
                keys = tuple(str(k) for k in data["keys"])
        except (KeyError, EOFError, zipfile.BadZipFile) as e:  # a damaged or foreign file
            raise ValueError(f"{path}: {e}") from e
        if not (len(vectors) == len(chunk_ids) == len(keys)):
            raise ValueError(f"{path}: rows do not match")
        return cls(chunk_ids, keys, vectors)

    @classmethod
    def load_reusable(cls, path: Path) -> SentenceIndex | None:
        """Return the index saved at path for its vectors to be reused, or None when it is
        missing or unreadable (reuse is only an optimisation: every sentence is then embedded)."""
        try:
            return cls.load(path)
        except (OSError, ValueError, KeyError):
            return None


class SentencePlan:
    """The sentences of chunks and which of them need a vector: those previous (an earlier
    generation's index, same embedding model) does not hold under the same chunk id and text."""

    def __init__(self, chunks: Sequence[Chunk], previous: SentenceIndex | None = None):
        self.chunk_ids: list[str] = []
        self.keys: list[str] = []
        self.texts: list[str] = []
        for c in chunks:
            for sentence in chunk_sentences(c):
                self.chunk_ids.append(c.id)
                self.keys.append(_key(c.id, sentence))
                self.texts.append(sentence)
        self.previous = previous
        self._old = {k: i for i, k in enumerate(previous.keys)} if previous is not None else {}
        # Longest first, so each batch pads its texts to similar lengths.
        self.todo = sorted((i for i, k in enumerate(self.keys) if k not in self._old),
                           key=lambda i: -len(self.texts[i]))

    @property
    def pending(self) -> int:
        """Return how many sentences embed() computes a vector for."""
        return len(self.todo)

    def embed(self, embed_documents: Callable[[list[str]], list[list[float]]],
              progress: Callable[[int, int], None] | None = None) -> SentenceIndex:
        """Return the sentence index: pending sentences embedded in batches (progress(done,
        total) after each), the others' vectors taken from previous."""
        fresh: dict[int, np.ndarray] = {}
        for start in range(0, len(self.todo), EMBED_BATCH):
            batch = self.todo[start:start + EMBED_BATCH]
            for i, v in zip(batch, embed_documents([self.texts[i] for i in batch])):
                fresh[i] = np.asarray(v, dtype=np.float32)
            if progress:
                progress(min(start + EMBED_BATCH, len(self.todo)), len(self.todo))
        rows = [fresh[i] if i in fresh else self.previous.vectors[self._old[k]]
                for i, k in enumerate(self.keys)]
        dim = len(rows[0]) if rows else 0
        vectors = np.stack(rows).astype(np.float32) if rows else np.zeros((0, dim), np.float32)
        return SentenceIndex(tuple(self.chunk_ids), tuple(self.keys), vectors)
