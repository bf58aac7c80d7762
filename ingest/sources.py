"""The files of an ingest: which of the given paths are speech files, and each file's speeches
and chunks."""
from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from ingest.chunk import chunk_document
from ingest.load import SUPPORTED_SUFFIXES
from ingest.speeches import load_speeches_counting_removed
from vectorstore.catalog import FileEntry
from vectorstore.errors import UnreadableFile

if TYPE_CHECKING:
    from ingest.pipeline import IngestOptions

# A file whose cleaning removed more than this share of its visible characters (and at least
# REMOVED_REPORT_CHARS of them) is named in the report, so a lost speech cannot go unnoticed.
REMOVED_REPORT_SHARE = 0.10
REMOVED_REPORT_CHARS = 200


def expand_paths(paths: Iterable[Path]) -> tuple[list[Path], list[dict]]:
    """Return (files to ingest, skipped) for files and folders given on the command line."""
    files: list[Path] = []
    skipped: list[dict] = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            files.extend(
                f for f in sorted(p.rglob("*"))
                if f.is_file() and f.suffix.lower() in SUPPORTED_SUFFIXES and not f.name.startswith(".")
            )
        elif p.is_file():
            if p.suffix.lower() in SUPPORTED_SUFFIXES:
                files.append(p)
            else:
                skipped.append({"file": str(p), "reason": f"不支持的文件类型 {p.suffix or '（无扩展名）'}"})
        elif p.exists():
            skipped.append({"file": str(p), "reason": "不是普通文件（如管道或设备），未读取"})
        else:
            skipped.append({"file": str(p), "reason": "文件不存在"})
    seen: set[Path] = set()
    unique = []
    for f in files:
        r = f.resolve()
        if r not in seen:
            seen.add(r)
            unique.append(r)
    return unique, skipped


def read_file_entry(path: Path, sha: str, opts: IngestOptions,
                    removed: list[dict] | None = None) -> FileEntry:
    """Return the speeches and chunks of one file (raises UnreadableFile); appends to removed
    the file's removed characters when they are many (REMOVED_REPORT_*)."""
    docs, chars = load_speeches_counting_removed(path, opts.corpus_dir)
    if not docs:
        raise UnreadableFile(path, "没有可导入的正文")
    visible = chars + sum(len("".join(d.text.split())) + len(d.title) for d in docs)
    share = chars / visible if visible else 0.0
    if removed is not None and chars >= REMOVED_REPORT_CHARS and share >= REMOVED_REPORT_SHARE:
        removed.append({"file": str(path), "chars": chars, "share": round(share, 3)})
    chunks = [c for d in docs for c in chunk_document(d, opts.chunk_size, opts.chunk_overlap)]
    return FileEntry(path=str(path), sha256=sha, documents=docs, chunks=chunks)
