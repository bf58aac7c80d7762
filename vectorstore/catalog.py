"""The committed state of an index: which files and speeches it holds, in which collection.

Layout under the index folder:
    CURRENT               name of the committed generation (written last, atomically)
    state/<gen>/catalog.json  files → speeches and their chunks (before repeats were merged)
    state/<gen>/bm25.json     the BM25 index over the kept chunks
    chroma/               the embedded Chroma store (unless a Chroma server is configured)

A reader only trusts what CURRENT names, so an ingest killed at any point leaves the previous
generation usable; vectors the killed run added to Chroma are ignored (they are not among the
committed chunk ids) and cleaned up by the next run.
"""
from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path

from vectorstore.errors import REBUILD_HINT, IndexCorrupt
from vectorstore.files import file_digest, write_atomic
from vectorstore.records import Chunk, SpeechDocument

FORMAT_VERSION = 1


@dataclass
class FileEntry:
    """One ingested file: its content hash, its speeches and their chunks."""

    path: str  # absolute path
    sha256: str
    documents: list[SpeechDocument]
    chunks: list[Chunk]  # before merging repeats across speeches


@dataclass
class Catalog:
    """The committed generation of the index."""

    generation: int = 0
    collection: str = ""
    signature: dict = field(default_factory=dict)  # settings the chunks and vectors depend on
    files: dict[str, FileEntry] = field(default_factory=dict)  # key: absolute path
    ingested_at: str = ""

    def documents(self) -> list[SpeechDocument]:
        """Return every speech in the index, in file order."""
        return [d for e in self.files.values() for d in e.documents]


def _doc_to_dict(d: SpeechDocument) -> dict:
    out = dataclasses.asdict(d)
    out["truncated_at"] = list(d.truncated_at)
    return out


def _doc_from_dict(d: dict) -> SpeechDocument:
    return SpeechDocument(**{**d, "truncated_at": tuple(d.get("truncated_at", ()))})


def catalog_to_json(cat: Catalog) -> str:
    """Return the catalog as JSON text."""
    return json.dumps(
        {
            "version": FORMAT_VERSION,
            "generation": cat.generation,
            "collection": cat.collection,
            "signature": cat.signature,
            "ingested_at": cat.ingested_at,
            "files": [
                {
                    "path": e.path,
                    "sha256": e.sha256,
                    "documents": [_doc_to_dict(d) for d in e.documents],
                    "chunks": [c.to_dict() for c in e.chunks],
                }
                for e in cat.files.values()
            ],
        },
        ensure_ascii=False,
    )


def catalog_from_json(text: str) -> Catalog:
    """Return the catalog stored by catalog_to_json."""
    data = json.loads(text)
    if data.get("version") != FORMAT_VERSION:
        raise ValueError(f"unknown catalog version {data.get('version')!r}")
    files = {}
    for f in data["files"]:
        files[f["path"]] = FileEntry(
            path=f["path"],
            sha256=f["sha256"],
            documents=[_doc_from_dict(d) for d in f["documents"]],
            chunks=[Chunk.from_dict(c) for c in f["chunks"]],
        )
    return Catalog(
        generation=int(data["generation"]),
        collection=data["collection"],
        signature=data.get("signature", {}),
        files=files,
        ingested_at=data.get("ingested_at", ""),
    )


def state_dir(index_dir: Path, generation: int) -> Path:
    """Return the folder of one generation's files."""
    return index_dir / "state" / str(generation)


def current_generation(index_dir: Path) -> int | None:
    """Return the committed generation, or None when nothing was ever committed."""
    current = index_dir / "CURRENT"
    if not current.exists():
        return None
    try:
        return int(current.read_text().strip())
    except ValueError as e:
        raise IndexCorrupt(f"索引指针文件已损坏：{current}。{REBUILD_HINT}") from e


def load_catalog(index_dir: Path) -> Catalog | None:
    """Return the committed catalog, None when there is no index yet; IndexCorrupt if unreadable."""
    gen = current_generation(index_dir)
    if gen is None:
        return None
    return load_catalog_of(index_dir, gen)


def load_catalog_of(index_dir: Path, gen: int) -> Catalog:
    """Return the catalog of generation gen; IndexCorrupt if unreadable."""
    path = state_dir(index_dir, gen) / "catalog.json"
    try:
        return catalog_from_json(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise IndexCorrupt(f"索引目录文件已损坏：{path}（{e}）。{REBUILD_HINT}") from e


def commit(index_dir: Path, cat: Catalog, bm25) -> None:
    """Write the catalog and BM25 index of cat.generation, then make it the committed one."""
    folder = state_dir(index_dir, cat.generation)
    bm25.save(folder / "bm25.json")
    write_atomic(folder / "catalog.json", catalog_to_json(cat))
    digests = {name: file_digest(folder / name) for name in ("bm25.json", "catalog.json")}
    write_atomic(folder / SUMMARY, summary_to_json(cat, bm25.chunks, digests))
    write_atomic(index_dir / "CURRENT", str(cat.generation))


SUMMARY = "documents.json"  # what `zwqa list` shows, so it need not read the whole catalog


def summary_to_json(cat: Catalog, chunks: list[Chunk], digests: dict[str, str]) -> str:
    """Return the list of speeches (with their chunk counts) of a generation as JSON text,
    with the sha256 of the generation's files so a reader of the summary alone still notices
    a damaged index."""
    counts: dict[str, int] = {}
    for c in chunks:
        for doc_id in (c.doc_id, *c.also_in_ids):
            counts[doc_id] = counts.get(doc_id, 0) + 1
    rows = [{"doc_id": d.doc_id, "title": d.title, "date": d.date, "source": d.source,
             "chunks": counts.get(d.doc_id, 0), "truncated": bool(d.truncated_at)}
            for d in cat.documents()]
    return json.dumps({"version": FORMAT_VERSION, "generation": cat.generation,
                       "collection": cat.collection, "chunks": len(chunks), "files": digests,
                       "documents": rows},
                      ensure_ascii=False)


def load_summary(index_dir: Path, gen: int) -> dict | None:
    """Return the summary written by commit for generation gen, or None when there is none
    (an index committed before summaries existed) or it cannot be read."""
    try:
        data = json.loads((state_dir(index_dir, gen) / SUMMARY).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("generation") != gen:
        return None
    return data
