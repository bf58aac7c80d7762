"""Saves uploaded speech files safely under the data folder and ingests them into the index."""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ingest.load import SUPPORTED_SUFFIXES
from vectorstore.files import write_atomic

MAX_UPLOAD_MB = 20
MAX_UPLOAD_BYTES = MAX_UPLOAD_MB * 1024 * 1024
MAX_STEM_CHARS = 80
FALLBACK_STEM = "上传文件"

# Path separators, including the full-width ones some input methods produce.
_SEPARATORS = re.compile(r"[/\\／＼]")
# Characters no file name should carry: shell/Windows reserved ones and quotes.
_RESERVED = set('<>:"|?*\'`$&;')
_WINDOWS_DEVICES = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)),
                    *(f"LPT{i}" for i in range(1, 10))}


def sanitize_filename(name: str) -> str:
    """Return a safe file name for an upload: the base name only, without control, format
    (e.g. bidi override) or reserved characters, no leading dots, stem cut to MAX_STEM_CHARS,
    lower-case suffix. A name left empty becomes FALLBACK_STEM."""
    base = _SEPARATORS.split(name or "")[-1]
    kept = "".join(
        " " if ch.isspace() else ch
        for ch in base
        if not unicodedata.category(ch).startswith("C") and ch not in _RESERVED
    )
    kept = re.sub(r"\s+", " ", kept).strip(" .")
    stem, dot, suffix = kept.rpartition(".")
    if not dot:
        stem, suffix = kept, ""
    stem = stem.strip(" .") or FALLBACK_STEM
    if stem.split(".")[0].upper() in _WINDOWS_DEVICES:
        stem = "_" + stem
    stem = stem[:MAX_STEM_CHARS].rstrip(" .") or FALLBACK_STEM
    suffix = re.sub(r"[^0-9A-Za-z]", "", suffix).lower()[:10]
    return f"{stem}.{suffix}" if suffix else stem


def upload_problem(name: str, size: int) -> str | None:
    """Return why a (sanitised) upload is refused before ingest, or None if it may be saved."""
    suffix = Path(name).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        shown = suffix or "（无扩展名）"
        return f"不支持的文件类型 {shown}，支持：.txt .md .html .docx .pdf"
    if size <= 0:
        return "空文件"
    if size > MAX_UPLOAD_BYTES:
        return f"文件太大（{size / 1024 / 1024:.1f} MB），上限 {MAX_UPLOAD_MB} MB"
    return None


@dataclass(frozen=True)
class SavedUpload:
    """One uploaded file: where it was saved, or why it was refused."""

    original: str  # the name the browser sent
    name: str  # the sanitised name
    path: Path | None = None
    problem: str | None = None
    replaced: bool = False  # a file of that name was uploaded before and is now replaced


def save_upload(original: str, data: bytes, folder: Path) -> SavedUpload:
    """Return the outcome of saving one upload under folder (written atomically; an earlier
    upload of the same name is replaced, so re-uploading a file updates its speeches)."""
    name = sanitize_filename(original)
    problem = upload_problem(name, len(data))
    if problem:
        return SavedUpload(original, name, problem=problem)
    folder = Path(folder).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    path = (folder / name).resolve()
    if path.parent != folder:  # cannot happen after sanitising; refuse rather than trust it
        return SavedUpload(original, name, problem="文件名不安全")
    replaced = path.exists()
    write_atomic(path, data)
    return SavedUpload(original, name, path=path, replaced=replaced)


def ingest_uploads(saved: Sequence[SavedUpload], settings, embedder, stores,
                   progress: Callable[[int, int], None] | None = None):
    """Return the ingest report after adding the saved uploads to the index (nothing else in the
    index changes). Raises vectorstore.errors.IngestBusy while another ingest runs."""
    from ingest.pipeline import run_ingest
    from ingest.options import ingest_options

    paths = [s.path for s in saved if s.path is not None]
    return run_ingest(paths, ingest_options(settings), embedder, stores, progress)


def result_lines(saved: Sequence[SavedUpload], report, catalog) -> list[tuple[bool, str]]:
    """Return one (ok, Chinese line) per uploaded file: what was indexed, or why not."""
    skipped = {str(Path(s["file"]).resolve()): s["reason"]
               for s in (report.skipped if report else [])}
    files = catalog.files if catalog is not None else {}
    lines: list[tuple[bool, str]] = []
    for s in saved:
        shown = s.name if s.name == s.original else f"{s.name}（原名 {s.original}）"
        if s.problem:
            lines.append((False, f"{shown}：未导入，{s.problem}"))
            continue
        key = str(s.path.resolve())
        if key in skipped:
            lines.append((False, f"{shown}：未导入，{skipped[key]}"))
            continue
        entry = files.get(key)
        if entry is None:
            lines.append((False, f"{shown}：未导入，原因不明"))
            continue
        titles = "、".join(f"《{d.title}》" for d in entry.documents[:3])
        more = f"等 {len(entry.documents)} 篇" if len(entry.documents) > 3 else ""
        verb = "已更新" if s.replaced else "已导入"
        lines.append((True, f"{shown}：{verb} {titles}{more}，{len(entry.chunks)} 段"))
    return lines


def discard_rejected(saved: Sequence[SavedUpload], report) -> list[Path]:
    """Return the saved files deleted because ingest could not read them. A file that replaced
    an earlier upload stays: the index keeps the earlier version under that path, and removing
    the file would let a later `zwqa ingest --prune` drop it."""
    skipped = {str(Path(s["file"]).resolve()) for s in (report.skipped if report else [])}
    removed = []
    for s in saved:
        if s.path is not None and not s.replaced and str(s.path.resolve()) in skipped:
            s.path.unlink(missing_ok=True)
            removed.append(s.path)
    return removed
