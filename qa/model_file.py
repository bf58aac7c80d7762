"""Where the local chat model's GGUF file lies once set-up has joined it (install.chat_model)."""
from __future__ import annotations

from pathlib import Path

MODEL_FILE = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"


def default_model_path(cache_dir: Path) -> Path:
    """Return where the joined GGUF lives inside the cache folder."""
    return cache_dir / "models" / MODEL_FILE
