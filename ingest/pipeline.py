"""Gives an up-to-date index: files → speeches → chunks → Chroma + BM25, incrementally.

A run plans (reads the files that changed, merges repeated passages), embeds (only chunks whose
ids the store does not hold yet, or whose text changed under the same id, so a re-run over
unchanged files embeds nothing; likewise the chunks' sentences, vectorstore.sentence_index), commits (vectorstore.catalog.commit, last) and cleans up
earlier generations. A run killed at any point is harmless: until the commit the previous
generation stays the one readers use.
"""
from __future__ import annotations

import datetime as _dt
import fcntl
import time
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from ingest.embed import embed_stage
from ingest.repeats import merge_repeated
from ingest.sources import expand_paths, read_file_entry
from ingest.terms import write_term_index
from vectorstore.bm25 import BM25Index
from vectorstore.catalog import Catalog, FileEntry, commit, load_catalog, state_dir
from vectorstore.cleanup import retire_earlier_generations
from vectorstore.errors import IndexCorrupt, IngestBusy, UnreadableFile
from vectorstore.files import file_digest
from vectorstore.policy_terms import extract_policy_terms
from vectorstore.records import Chunk, SpeechDocument
from vectorstore.sentence_index import SENTENCE_FILE, SentenceIndex
from vectorstore.tokenize import Tokenizer

CATALOG_SIGNATURE_VERSION = 1

# Called as checkpoint(stage, done) when a run reaches a stage: "loading" after each file read,
# "embedding" after each batch of vectors (done = the share embedded so far), "commit" when
# everything but the pointer to the new generation is written, "committed" right after it.
Checkpoint = Callable[[str, float], None]


def no_checkpoint(stage: str, done: float) -> None:
    """The checkpoint of an ordinary run: nothing happens between stages."""


@dataclass
class IngestReport:
    """The summary `zwqa ingest` prints."""

    documents: int = 0
    chunks: int = 0
    merged: int = 0
    embedded: int = 0
    sentences_embedded: int = 0  # sentence vectors computed (the others reused)
    deleted: int = 0
    files: int = 0
    unchanged_files: int = 0
    skipped: list[dict] = field(default_factory=list)  # {"file", "reason"}
    pruned: list[str] = field(default_factory=list)
    # {"file", "chars", "share"} of files that lost many characters (ingest.sources.REMOVED_*)
    removed: list[dict] = field(default_factory=list)
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


def signature(opts: IngestOptions, embed_model: str) -> dict:
    """Return the settings that the stored chunks and vectors depend on."""
    return {
        "version": CATALOG_SIGNATURE_VERSION,
        "chunk_size": opts.chunk_size,
        "chunk_overlap": opts.chunk_overlap,
        "embed_model": embed_model,
    }


@dataclass(frozen=True)
class IngestPlan:
    """What a run commits: every file's speeches and chunks, the chunks kept once repeats are
    merged, and where they go."""

    previous: Catalog | None  # the committed catalog the run builds on (None when rebuilding)
    signature: dict
    entries: dict[str, FileEntry]  # in path order
    documents: list[SpeechDocument]
    chunks: list[Chunk]  # repeats merged
    generation: int
    collection: str
    new_collection: bool  # no vectors of the previous generation can be reused


def run_ingest(
    paths: Sequence[Path],
    opts: IngestOptions,
    embedder,
    stores,
    progress: Callable[[int, int], None] | None = None,
    checkpoint: Checkpoint = no_checkpoint,
) -> IngestReport:
    """Return the report of bringing the index up to date with the given files and folders.

    `stores` opens, lists and drops Chroma collections (vectorstore.chroma_store.ChromaStores)
    and embeds with its embedder; `embedder.model_name` is recorded in the signature.
    progress(done, total) follows the embedding; checkpoint sees each stage (see Checkpoint)."""
    t0 = time.perf_counter()
    report = IngestReport()
    with index_lock(opts.index_dir):
        plan = plan_ingest(paths, opts, embedder.model_name, report, checkpoint)
        store = stores.open(plan.collection)
        report.embedded, report.sentences_embedded, sentence_index = embed_stage(
            store, embedder, plan, opts.index_dir, progress, checkpoint)
        commit_plan(plan, opts.index_dir, checkpoint, sentence_index)
        # Earlier generations (their files, collections, replaced vectors and the Chroma
        # folders of dropped collections) go once no reader holds them; else the next run or
        # the next reader that moves on removes them.
        deleted = retire_earlier_generations(opts.index_dir, stores, opts.collection,
                                             plan.collection, plan.generation,
                                             {c.id for c in plan.chunks})
        report.deleted = deleted or 0
        report.cleanup_deferred = deleted is None
        report.generation = plan.generation
    report.seconds = round(time.perf_counter() - t0, 2)
    return report


def plan_ingest(paths: Sequence[Path], opts: IngestOptions, embed_model: str,
                report: IngestReport, checkpoint: Checkpoint = no_checkpoint) -> IngestPlan:
    """Return what this run commits: changed files read again, the others taken from the
    committed catalog (all of them chunked again when the settings changed); fills in the
    report's file, skip and chunk counts."""
    previous = _previous_catalog(opts)
    sig = signature(opts, embed_model)
    same_settings = previous is not None and previous.signature == sig
    files, report.skipped = expand_paths(paths)
    entries = {}
    for key, entry in (previous.files if previous is not None else {}).items():
        if opts.prune and not Path(key).exists():
            report.pruned.append(key)
        else:
            entries[key] = entry
    entries.update(_read_changed(files, entries, opts, same_settings, report, checkpoint))
    if not same_settings and previous is not None:
        entries = _chunked_again(entries, previous, opts)
    report.files = len(entries)
    # Files in path order whatever the history of runs: which copy of a repeated passage
    # is kept (the first) must not depend on which file happened to be ingested first.
    entries = dict(sorted(entries.items(), key=lambda item: Path(item[0])))
    docs = [d for e in entries.values() for d in e.documents]
    kept, report.merged = merge_repeated([c for e in entries.values() for c in e.chunks],
                                         {d.doc_id: d.title for d in docs})
    report.documents, report.chunks = len(docs), len(kept)
    new_collection = previous is None or previous.signature.get("embed_model") != sig["embed_model"]
    if previous is None:
        generation = _next_generation(opts.index_dir)
    else:
        generation = previous.generation + 1
    collection = f"{opts.collection}-g{generation}" if new_collection else previous.collection
    return IngestPlan(previous, sig, entries, docs, kept, generation, collection, new_collection)


def _previous_catalog(opts: IngestOptions) -> Catalog | None:
    """Return the committed catalog a run builds on: None for a first run or a rebuild (which
    also replaces an index too damaged to read: IndexCorrupt otherwise)."""
    try:
        previous = load_catalog(opts.index_dir)
    except IndexCorrupt:
        if not opts.rebuild:
            raise
        return None
    return None if opts.rebuild else previous


def _read_changed(files: list[Path], known: dict[str, FileEntry], opts: IngestOptions,
                  same_settings: bool, report: IngestReport,
                  checkpoint: Checkpoint) -> dict[str, FileEntry]:
    """Return the entries of the files that are new or changed since known; the unreadable
    ones are named in report.skipped, and their earlier version, if any, stays indexed."""
    read: dict[str, FileEntry] = {}
    for path in files:
        key = str(path)
        try:
            sha = file_digest(path)
            prev = known.get(key)
            if prev is not None and prev.sha256 == sha and same_settings:
                report.unchanged_files += 1
                continue
            read[key] = read_file_entry(path, sha, opts, report.removed)
            checkpoint("loading", 1.0)
        except UnreadableFile as e:
            report.skipped.append({"file": key, "reason": e.reason})
        except OSError as e:
            report.skipped.append({"file": key, "reason": f"无法读取：{e.strerror or e}"})
    return read


def _chunked_again(entries: dict[str, FileEntry], previous: Catalog,
                   opts: IngestOptions) -> dict[str, FileEntry]:
    """Return entries with the files kept from before chunked again (the chunk settings
    changed); a file that can no longer be read keeps its earlier entry."""
    out = dict(entries)
    for key, entry in entries.items():
        if Path(key).exists() and entry.sha256 == (previous.files.get(key) or entry).sha256:
            try:
                out[key] = read_file_entry(Path(key), entry.sha256, opts)
            except (UnreadableFile, OSError):
                pass
    return out


def commit_plan(plan: IngestPlan, index_dir: Path, checkpoint: Checkpoint = no_checkpoint,
                sentences: SentenceIndex | None = None) -> None:
    """Write the plan's generation (BM25 index, glossary, sentence vectors, catalog) and make
    it the committed one: from then on readers see it."""
    terms = extract_policy_terms(d.text for d in plan.documents)
    bm25 = BM25Index.build(plan.chunks, Tokenizer(terms))
    cat = Catalog(
        generation=plan.generation,
        collection=plan.collection,
        signature=plan.signature,
        files=plan.entries,
        ingested_at=_dt.datetime.now().astimezone().isoformat(timespec="seconds"),
    )
    write_term_index(state_dir(index_dir, plan.generation), plan.documents, plan.generation, terms)
    if sentences is not None:
        sentences.save(state_dir(index_dir, plan.generation) / SENTENCE_FILE)
    checkpoint("commit", 1.0)
    commit(index_dir, cat, bm25)
    checkpoint("committed", 1.0)


def _next_generation(index_dir: Path) -> int:
    states = index_dir / "state"
    gens = [int(p.name) for p in states.iterdir() if p.name.isdigit()] if states.exists() else []
    return max(gens, default=0) + 1
