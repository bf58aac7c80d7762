"""Gives an up-to-date index: files → speeches → chunks → Chroma + BM25, incrementally.

Only chunks whose ids the store does not hold yet (or whose text changed under the same id) are
embedded, so a re-run over unchanged files embeds nothing. The new state is committed last
(vectorstore.catalog.commit), which makes a run killed at any point harmless: the previous
generation stays the one readers use.
"""
from __future__ import annotations

import datetime as _dt
import fcntl
import hashlib
import os
import signal
import time
from collections.abc import Callable, Iterable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from ingest.chunk import chunk_document
from ingest.load import SUPPORTED_SUFFIXES, UnreadableFile
from ingest.repeats import merge_repeated
from ingest.speeches import load_speeches_counting_removed
from ingest.terms import write_term_index
from vectorstore.bm25 import BM25Index, IndexCorrupt
from vectorstore.catalog import Catalog, FileEntry, commit, load_catalog, state_dir
from vectorstore.cleanup import retire_earlier_generations
from vectorstore.policy_terms import extract_policy_terms
from vectorstore.records import Chunk
from vectorstore.tokenize import Tokenizer

CATALOG_SIGNATURE_VERSION = 1
# A file whose cleaning removed more than this share of its visible characters (and at least
# REMOVED_REPORT_CHARS of them) is named in the report, so a lost speech cannot go unnoticed.
REMOVED_REPORT_SHARE = 0.10
REMOVED_REPORT_CHARS = 200
EMBED_BATCH = 32
# Test hook only (tests/ingest/test_crash_safety.py): "loading", "embedding:0.2", "commit" or
# "committed" makes the run SIGKILL itself at that stage, to prove a killed run harms nothing.
TEST_CRASH_ENV = "ZWQA_TEST_CRASH_AT"


def _test_crash_point(stage: str, fraction: float = 1.0) -> None:
    """Kill this process with SIGKILL if ZWQA_TEST_CRASH_AT names stage (and fraction is
    reached, for "embedding:<fraction>"); return otherwise. Never set outside tests."""
    wanted = os.environ.get(TEST_CRASH_ENV, "")
    name, _, at = wanted.partition(":")
    if name == stage and fraction >= float(at or 0):
        os.kill(os.getpid(), signal.SIGKILL)


@dataclass
class IngestReport:
    """The summary `zwqa ingest` prints."""

    documents: int = 0
    chunks: int = 0
    merged: int = 0
    embedded: int = 0
    deleted: int = 0
    files: int = 0
    unchanged_files: int = 0
    skipped: list[dict] = field(default_factory=list)  # {"file", "reason"}
    pruned: list[str] = field(default_factory=list)
    removed: list[dict] = field(default_factory=list)  # {"file", "chars", "share"}: see REMOVED_REPORT_*
    seconds: float = 0.0
    generation: int = 0
    # a reader still held an earlier generation, so its leftovers stay until it lets go
    cleanup_deferred: bool = False

    def as_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass(frozen=True)
class IngestOptions:
    index_dir: Path
    corpus_dir: Path
    collection: str
    chunk_size: int
    chunk_overlap: int
    prune: bool = False
    rebuild: bool = False


class IngestBusy(RuntimeError):
    """Another ingest holds the index lock."""


@contextmanager
def index_lock(index_dir: Path):
    """Hold an exclusive lock on the index folder (released by the OS if the process dies)."""
    index_dir.mkdir(parents=True, exist_ok=True)
    with open(index_dir / ".lock", "w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as e:
            raise IngestBusy(f"另一个导入进程正在写入索引 {index_dir}，请稍后再试") from e
        yield


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


def file_sha256(path: Path) -> str:
    """Return the hex sha256 of the file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def signature(opts: IngestOptions, embed_model: str) -> dict:
    """Return the settings that the stored chunks and vectors depend on."""
    return {
        "version": CATALOG_SIGNATURE_VERSION,
        "chunk_size": opts.chunk_size,
        "chunk_overlap": opts.chunk_overlap,
        "embed_model": embed_model,
    }


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


def run_ingest(
    paths: Sequence[Path],
    opts: IngestOptions,
    embedder,
    stores,
    progress: Callable[[int, int], None] | None = None,
) -> IngestReport:
    """Return the report of bringing the index up to date with the given files and folders.

    `stores` opens, lists and drops Chroma collections (vectorstore.chroma_store.ChromaStores);
    `embedder` embeds passages.
    """
    t0 = time.perf_counter()
    report = IngestReport()
    with index_lock(opts.index_dir):
        try:
            previous = load_catalog(opts.index_dir)
        except IndexCorrupt:
            if not opts.rebuild:
                raise
            previous = None
        old = None if opts.rebuild else previous
        sig = signature(opts, embedder.model_name)
        same_settings = old is not None and old.signature == sig
        files, report.skipped = expand_paths(paths)

        entries: dict[str, FileEntry] = {}
        if old is not None:
            for key, entry in old.files.items():
                if opts.prune and not Path(key).exists():
                    report.pruned.append(key)
                    continue
                entries[key] = entry
        for path in files:
            key = str(path)
            try:
                sha = file_sha256(path)
                prev = entries.get(key)
                if prev is not None and prev.sha256 == sha and same_settings:
                    report.unchanged_files += 1
                    continue
                entries[key] = read_file_entry(path, sha, opts, report.removed)
                _test_crash_point("loading")
            except UnreadableFile as e:
                # The file's earlier version, if any, stays indexed: bad input loses nothing.
                report.skipped.append({"file": key, "reason": e.reason})
            except OSError as e:
                report.skipped.append({"file": key, "reason": f"无法读取：{e.strerror or e}"})
        if not same_settings and old is not None:
            # Chunk settings changed: re-chunk the files we kept from before as well.
            for key, entry in list(entries.items()):
                if Path(key).exists() and entry.sha256 == (old.files.get(key) or entry).sha256:
                    try:
                        entries[key] = read_file_entry(Path(key), entry.sha256, opts)
                    except (UnreadableFile, OSError):
                        pass
        report.files = len(entries)
        # Files in path order whatever the history of runs: which copy of a repeated passage
        # is kept (the first) must not depend on which file happened to be ingested first.
        entries = dict(sorted(entries.items(), key=lambda item: Path(item[0])))

        docs = [d for e in entries.values() for d in e.documents]
        titles = {d.doc_id: d.title for d in docs}
        all_chunks = [c for e in entries.values() for c in e.chunks]
        kept, report.merged = merge_repeated(all_chunks, titles)
        report.documents, report.chunks = len(docs), len(kept)

        new_collection = old is None or old.signature.get("embed_model") != sig["embed_model"]
        generation = (old.generation + 1) if old is not None else _next_generation(opts.index_dir)
        collection = f"{opts.collection}-g{generation}" if new_collection else old.collection
        store = stores.open(collection)

        stored = store.ids()
        old_by_id = {}
        if old is not None and not new_collection:
            old_bm25 = _try_load_bm25(opts.index_dir, old.generation)
            old_by_id = {c.id: c for c in old_bm25.chunks} if old_bm25 else {}
        # An edit that keeps a passage's length keeps its id (document + offsets) but not its
        # text: such a passage needs a new vector too.
        to_embed = [c for c in kept if c.id not in stored
                    or (c.id in old_by_id and old_by_id[c.id].text != c.text)]
        changed = [c for c in kept if c.id in stored and old_by_id.get(c.id) != c]
        _embed_into(store, embedder, to_embed, progress)
        if changed:
            store.update_metadata(changed)  # e.g. a passage found repeated in a new speech
        report.embedded = len(to_embed)

        terms = extract_policy_terms(d.text for d in docs)
        bm25 = BM25Index.build(kept, Tokenizer(terms))
        cat = Catalog(
            generation=generation,
            collection=collection,
            signature=sig,
            files=entries,
            ingested_at=_dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        )
        write_term_index(state_dir(opts.index_dir, generation), docs, generation, terms)
        _test_crash_point("commit")
        commit(opts.index_dir, cat, bm25)  # from here on readers see the new generation
        _test_crash_point("committed")

        # Earlier generations (their files, collections, replaced vectors and the Chroma
        # folders of dropped collections) go once no reader holds them; else the next run or
        # the next reader that moves on removes them.
        deleted = retire_earlier_generations(opts.index_dir, stores, opts.collection, collection,
                                             generation, {c.id for c in kept})
        report.deleted = deleted or 0
        report.cleanup_deferred = deleted is None
        report.generation = generation
    report.seconds = round(time.perf_counter() - t0, 2)
    return report


def _embed_into(store, embedder, chunks: list[Chunk], progress) -> None:
    total = len(chunks)
    done = 0
    if progress:
        progress(0, total)
    for i in range(0, total, EMBED_BATCH):
        batch = chunks[i : i + EMBED_BATCH]
        store.upsert(batch, embedder.embed_documents([c.text for c in batch]))
        done += len(batch)
        if progress:
            progress(done, total)
        _test_crash_point("embedding", done / total)


def _try_load_bm25(index_dir: Path, generation: int) -> BM25Index | None:
    try:
        return BM25Index.load(state_dir(index_dir, generation) / "bm25.json")
    except Exception:  # only an optimisation: without it metadata is simply rewritten
        return None


def _next_generation(index_dir: Path) -> int:
    states = index_dir / "state"
    gens = [int(p.name) for p in states.iterdir() if p.name.isdigit()] if states.exists() else []
    return max(gens, default=0) + 1


