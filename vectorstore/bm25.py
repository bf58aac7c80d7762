"""A BM25 index over chunks, saved as one JSON file next to the Chroma store."""
from __future__ import annotations

import json
from collections.abc import Callable, Collection, Sequence
from pathlib import Path

import numpy as np

from vectorstore.errors import REBUILD_HINT, IndexCorrupt
from vectorstore.files import write_atomic
from vectorstore.records import Chunk, ScoredChunk
from vectorstore.tokenize import Tokenizer

FORMAT_VERSION = 1

Allowed = Collection[str] | Callable[[Chunk], bool] | None


def _is_allowed(allowed: Allowed) -> Callable[[Chunk], bool]:
    if allowed is None:
        return lambda c: True
    if callable(allowed):
        return allowed
    ids = allowed if isinstance(allowed, (set, frozenset, dict)) else set(allowed)
    return lambda c: c.id in ids


class OkapiScorer:
    """Okapi BM25 scores from an inverted index: the same figures as rank_bm25.BM25Okapi
    (k1 1.5, b 0.75, negative IDF floored at 0.25 × the mean IDF), but a query costs time in
    the postings of its tokens, not in the size of the corpus (rank_bm25 walks every
    document for every query token, ~1 s per question at 60k chunks)."""

    def __init__(self, corpus: Sequence[list[str]], k1: float = 1.5, b: float = 0.75,
                 epsilon: float = 0.25):
        import math
        from collections import Counter

        n = len(corpus)
        lengths = np.array([len(doc) for doc in corpus], dtype=np.float64)
        avgdl = lengths.sum() / n
        rows: dict[str, list[int]] = {}
        freqs: dict[str, list[int]] = {}
        for i, doc in enumerate(corpus):
            for token, tf in Counter(doc).items():
                rows.setdefault(token, []).append(i)
                freqs.setdefault(token, []).append(tf)
        self.k1 = k1
        self.size = n
        self.norm = k1 * (1 - b + b * lengths / avgdl)
        self.postings = {t: (np.array(rows[t], dtype=np.int64), np.array(freqs[t], dtype=np.float64))
                         for t in rows}
        idf = {t: math.log(n - len(r) + 0.5) - math.log(len(r) + 0.5) for t, r in rows.items()}
        floor = epsilon * (sum(idf.values()) / len(idf)) if idf else 0.0
        self.idf = {t: (v if v >= 0 else floor) for t, v in idf.items()}

    def get_scores(self, query: Sequence[str]) -> np.ndarray:
        """Return the BM25 score of every document for the query tokens (repeats count)."""
        scores = np.zeros(self.size)
        for token in query:
            posting = self.postings.get(token)
            if posting is None:
                continue
            rows, tf = posting
            scores[rows] += self.idf[token] * tf * (self.k1 + 1) / (tf + self.norm[rows])
        return scores


class BM25Index:
    """Okapi BM25 over chunk texts; results carry the full Chunk."""

    def __init__(self, chunks: Sequence[Chunk], tokens: Sequence[list[str]], tokenizer: Tokenizer):
        if len(chunks) != len(tokens):
            raise ValueError("chunks and tokens differ in length")
        self.chunks = list(chunks)
        self.tokens = [list(t) for t in tokens]
        self.tokenizer = tokenizer
        # An empty index simply finds nothing.
        self._bm25 = OkapiScorer(self.tokens) if self.chunks else None

    @classmethod
    def build(cls, chunks: Sequence[Chunk], tokenizer: Tokenizer) -> BM25Index:
        """Return an index of the chunks, tokenised with tokenizer."""
        return cls(chunks, [tokenizer.tokens(c.text) for c in chunks], tokenizer)

    def __len__(self) -> int:
        return len(self.chunks)

    def document_frequency(self, token: str) -> int:
        """Return how many chunks contain the token (0 for a token the corpus never uses)."""
        if getattr(self, "_df", None) is None:
            df: dict[str, int] = {}
            for toks in self.tokens:
                for t in set(toks):
                    df[t] = df.get(t, 0) + 1
            self._df = df
        return self._df.get(token, 0)

    def search(self, query: str, k: int, allowed: Allowed = None) -> list[ScoredChunk]:
        """Return up to k chunks with a positive BM25 score, best first, bm25_rank 1-based.

        allowed: chunk ids (or a predicate on Chunk) to restrict the results to; ranks count
        only the allowed chunks."""
        if self._bm25 is None or k <= 0:
            return []
        q = self.tokenizer.tokens(query)
        if not q:
            return []
        scores = self._bm25.get_scores(q)
        keep = _is_allowed(allowed)
        # Best first, ties by corpus order; only chunks that score at all are sorted.
        hit = np.flatnonzero(scores > 0.0)
        order = hit[np.lexsort((hit, -scores[hit]))]
        out: list[ScoredChunk] = []
        for i in order:
            s = float(scores[i])
            if s <= 0.0:
                break
            c = self.chunks[i]
            if not keep(c):
                continue
            out.append(ScoredChunk(chunk=c, score=s, bm25=s, bm25_rank=len(out) + 1))
            if len(out) >= k:
                break
        return out

    def save(self, path: str | Path) -> None:
        """Write the index to path as JSON, atomically (a reader never sees half a file)."""
        data = {
            "version": FORMAT_VERSION,
            "user_terms": list(self.tokenizer.user_terms),
            "chunks": [c.to_dict() for c in self.chunks],
            "tokens": self.tokens,
        }
        write_atomic(path, json.dumps(data, ensure_ascii=False))

    @classmethod
    def load(cls, path: str | Path, tokenizer: Tokenizer | None = None) -> BM25Index:
        """Return the index saved at path; its tokenizer is rebuilt from the saved user terms
        unless one is given. Raises IndexCorrupt when the file is missing or unreadable."""
        path = Path(path)
        if not path.is_file():
            raise IndexCorrupt(f"BM25 索引文件不存在：{path}。{REBUILD_HINT}")
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("version") != FORMAT_VERSION:
                raise ValueError(f"unknown format version {data.get('version')!r}")
            chunks = [Chunk.from_dict(d) for d in data["chunks"]]
            tokens = data["tokens"]
            if len(tokens) != len(chunks) or not all(isinstance(t, list) for t in tokens):
                raise ValueError("tokens do not match chunks")
            terms = data.get("user_terms", [])
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as e:
            raise IndexCorrupt(f"BM25 索引文件已损坏：{path}（{e}）。{REBUILD_HINT}") from e
        return cls(chunks, tokens, tokenizer or Tokenizer(terms))
