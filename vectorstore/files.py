"""Writing a file so that a reader sees the old one or the new one, and the digest of a file."""
from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

_READ_BLOCK = 1 << 20  # bytes hashed per read: a large file is never held in memory whole


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write text (UTF-8) or bytes to path so that a reader sees the old or the new file, never
    half of one, even after a crash: a temporary file beside it, flushed to disk, then renamed.

    The temporary name starts with a dot and ends in .tmp, so a folder scan (an ingest of the
    folder, say) passes it over."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data.encode("utf-8") if isinstance(data, str) else data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def file_digest(path: Path) -> str:
    """Return the hex sha256 of a file's bytes (about 2 ms per MB)."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(_READ_BLOCK):
            h.update(block)
    return h.hexdigest()
