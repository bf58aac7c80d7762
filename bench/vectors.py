"""Stand-in vectors for indexes too large to embed within the benchmark's time.

A VectorTable returns, for a passage embedded for real earlier in the run, that real vector,
and for any other passage a "perturbed" vector: a real vector of a sampled added-text passage
(picked by the passage's hash) plus seeded Gaussian noise, renormalised (cosine ≈ 0.9 to its
parent). The index then has its real size and a realistic spread of vectors, but the dense
ranking of added text is synthetic; the report labels every figure built this way.
"""
from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

from langchain_core.embeddings import Embeddings

NOISE = 0.5  # norm of the noise relative to the unit parent vector


def text_key(text: str) -> str:
    """Return the hex sha1 of a passage's text (the table's key)."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def save_vectors(path: Path, texts: Sequence[str], vectors) -> None:
    """Write texts' keys and their vectors (float32) to an .npz file."""
    import numpy as np

    np.savez(path, keys=np.array([text_key(t) for t in texts]),
             vectors=np.asarray(vectors, dtype="float32"))


def load_vectors(path: Path) -> tuple[list[str], "np.ndarray"]:
    """Return (keys, vectors) saved by save_vectors."""
    import numpy as np

    data = np.load(path)
    return [str(k) for k in data["keys"]], data["vectors"]


class VectorTable(Embeddings):
    """Embeddings from a table of real vectors, perturbed pool vectors for unknown texts."""

    def __init__(self, known: dict, pool, model_name: str, noise: float = NOISE):
        import numpy as np

        self.known = known  # text_key -> np.ndarray (unit length)
        self.pool = np.asarray(pool, dtype="float32")
        self.model_name = model_name
        self.noise = noise
        self.real = 0
        self.perturbed = 0

    @classmethod
    def from_files(cls, known_files: Sequence[Path], pool_files: Sequence[Path], model_name: str):
        """Return a table knowing every vector of known_files, perturbing those of pool_files."""
        import numpy as np

        known = {}
        for f in known_files:
            keys, vecs = load_vectors(f)
            known.update(zip(keys, vecs))
        pool = np.concatenate([load_vectors(f)[1] for f in pool_files])
        return cls(known, pool, model_name)

    def _vector(self, text: str):
        import numpy as np

        key = text_key(text)
        vec = self.known.get(key)
        if vec is not None:
            self.real += 1
            return vec
        self.perturbed += 1
        seed = int(key[:12], 16)
        parent = self.pool[seed % len(self.pool)]
        noise = np.random.default_rng(seed).standard_normal(parent.shape[0]).astype("float32")
        v = parent + self.noise * noise / np.sqrt(parent.shape[0])
        return v / np.linalg.norm(v)

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        """Return the table's vector of each text (real if known, else perturbed)."""
        return [self._vector(t).tolist() for t in texts]

    def embed_query(self, text: str) -> list[float]:
        """Return the table's vector of one text."""
        return self._vector(text).tolist()


class TimedEmbedder(Embeddings):
    """Wraps an embedder and adds up the seconds spent in embed_documents."""

    def __init__(self, inner):
        self.inner = inner
        self.seconds = 0.0
        self.passages = 0

    @property
    def model_name(self) -> str:
        return self.inner.model_name

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        """Return the inner embedder's vectors, timing the call."""
        import time

        t = time.perf_counter()
        out = self.inner.embed_documents(texts)
        self.seconds += time.perf_counter() - t
        self.passages += len(texts)
        return out

    def embed_query(self, text: str) -> list[float]:
        """Return the inner embedder's query vector."""
        return self.inner.embed_query(text)
