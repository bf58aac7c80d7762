"""External evaluation data (CMRC 2018, NCP policy QA, any contexts.jsonl) as documents and an index.

The contexts are read where they lie and indexed into a cache folder of their own (Chroma
collection, BM25, sentence vectors: what `zwqa ingest` makes of a corpus), never into data/index
and never copied into the repository:

    docs = load_contexts(path)                       # one SpeechDocument per context
    folder = context_cache_dir(cache_root, path, 300, 1, "m3e-small")
    index = index_contexts(docs, stores, folder, 300, 1)   # resumable, cached
"""
from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ingest.chunk import chunk_document
from ingest.repeats import merge_repeated
from vectorstore.bm25 import BM25Index
from vectorstore.catalog import Catalog, FileEntry
from vectorstore.errors import ContextsUnreadable, IndexCorrupt
from vectorstore.files import file_digest
from vectorstore.index import CommittedIndex
from vectorstore.policy_terms import extract_policy_terms
from vectorstore.records import Chunk, SpeechDocument, stable_id
from vectorstore.sentence_index import SENTENCE_FILE, SentenceIndex, SentencePlan
from vectorstore.text import normalize_text
from vectorstore.tokenize import Tokenizer

CACHE_VERSION = 1  # bump when the adapters or the chunk records change
_ID_KEYS = ("context_id", "doc_id", "docid", "id")
_TEXT_KEYS = ("text", "context", "content", "document")
_TITLE_MAX = 60
_SENTENCE_THEN_SPACE = re.compile(r"[。！？]\s")
# A whitespace run between two ASCII letters or digits is a word gap ("Windows 10"); any other
# run in a one-line document stands for a lost line break.
_LOST_BREAK = re.compile(r"(?<![A-Za-z0-9])\s+|\s+(?![A-Za-z0-9])")


def context_text(raw: str) -> str:
    """Return a context's text cleaned like speech text, one paragraph a line.

    Some sources (NCP) kept each document on one line with every line break collapsed into a
    space; when a one-line text has a sentence end followed by whitespace, those
    whitespace runs are turned back into paragraph breaks."""
    if "\n" not in raw and _SENTENCE_THEN_SPACE.search(raw):
        raw = _LOST_BREAK.sub("\n", raw)
    return normalize_text(raw)


def _title(given: str, text: str, context_id: str) -> str:
    if given.strip():
        return given.strip()
    first = text.split("\n", 1)[0]
    if first and len(first) <= _TITLE_MAX:
        return first
    return first[:30] + "…" if first else context_id


def _first(obj: dict, keys: Sequence[str]):
    return next((obj[k] for k in keys if isinstance(obj.get(k), (str, int)) and str(obj[k]).strip()),
                None)


def load_contexts(path: Path) -> list[SpeechDocument]:
    """Return one SpeechDocument per line of a contexts JSON Lines file; doc_id = context_id.

    A line needs an id ("context_id", "doc_id", "docid" or "id") and a text ("text",
    "context", "content" or "document"); "title" is optional (else the first line when
    short). Lines without them, and repeated ids, are skipped. Raises ContextsUnreadable
    when no line is usable."""
    path = Path(path)
    docs: list[SpeechDocument] = []
    seen: set[str] = set()
    with open(path, encoding="utf-8") as f:
        for line in f:
            try:
                obj = json.loads(line)
            except json.JSONDecodeError:
                continue
            if not isinstance(obj, dict):
                continue
            cid, raw = _first(obj, _ID_KEYS), _first(obj, _TEXT_KEYS)
            if cid is None or raw is None or str(cid) in seen:
                continue
            text = context_text(str(raw))
            if not text:
                continue
            cid = str(cid)
            seen.add(cid)
            title = _title(str(obj.get("title") or ""), text, cid)
            docs.append(SpeechDocument(doc_id=cid, title=title, text=text,
                                       source=f"{path.parent.name}/{path.name}"))
    if not docs:
        raise ContextsUnreadable(f"{path} 中没有可用的段落（每行需要 context_id 和 text 字段）")
    return docs


def documents_digest(docs: Iterable[SpeechDocument]) -> str:
    """Return a hex digest of the documents' ids, titles and texts (for cache keys)."""
    h = hashlib.sha256()
    for d in docs:
        for part in (d.doc_id, d.title, d.text):
            h.update(part.encode("utf-8"))
            h.update(b"\x1f")
    return h.hexdigest()


def context_cache_dir(cache_root: Path, contexts_path: Path, chunk_size: int, chunk_overlap: int,
                      embed_model: str) -> Path:
    """Return the cache folder of a contexts file's index: named by the file's name and a key
    made of its content hash, the chunk settings and the embedding model."""
    key = stable_id(file_digest(contexts_path), chunk_size, chunk_overlap, embed_model,
                    CACHE_VERSION, length=12)
    stem = re.sub(r"[^0-9A-Za-z_-]+", "-", f"{Path(contexts_path).parent.name}-{Path(contexts_path).stem}")
    return Path(cache_root) / f"{stem}-{key}"


@dataclass
class ContextIndex:
    """The index of a set of contexts: what build_answerer needs, plus how it was made."""

    index: CommittedIndex
    documents: list[SpeechDocument]
    embedded: int  # chunks embedded by this call (0 when the cache was complete)
    sentences_embedded: int  # sentences embedded by this call
    seconds: float


def chunk_contexts(docs: Sequence[SpeechDocument], chunk_size: int,
                   chunk_overlap: int) -> list[Chunk]:
    """Return the chunks of the contexts as ingest makes them, repeated passages merged."""
    chunks = [c for d in docs for c in chunk_document(d, chunk_size, chunk_overlap)]
    kept, _ = merge_repeated(chunks, {d.doc_id: d.title for d in docs})
    return kept


def index_contexts(
    docs: Sequence[SpeechDocument],
    stores,
    folder: Path,
    chunk_size: int,
    chunk_overlap: int,
    progress: Callable[[int, int], None] | None = None,
    collection: str | None = None,
) -> ContextIndex:
    """Return the index of the contexts, embedding only the chunks and sentences the cache lacks.

    `stores` (vectorstore.chroma_store.ChromaStores) holds the collection, named after the
    folder unless given, and embeds with its embedder; the BM25 index is kept in
    folder/bm25.json, the sentence vectors in folder/sentences.npz, so the questions are
    answered as over an ingested corpus (sentence search, the gate's sentence cosine). An
    interrupted run resumes where it stopped, since only missing chunk ids are embedded.
    progress(done, total) runs over chunks, then sentences."""
    t0 = time.perf_counter()
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    chunks = chunk_contexts(docs, chunk_size, chunk_overlap)
    name = collection or f"ctx-{folder.name}"[-63:].lstrip("-_")
    store = stores.open(name)
    stored = store.ids()
    missing = [c for c in chunks if c.id not in stored]
    plan = SentencePlan(chunks, SentenceIndex.load_reusable(folder / SENTENCE_FILE))
    total = len(missing) + plan.pending
    if progress:
        progress(0, total)
    store.upsert(missing, progress=progress and (lambda done, _: progress(done, total)))
    # Vectors of chunks the current chunker no longer makes would come back from dense search.
    stale = stored - {c.id for c in chunks}
    if stale:
        store.delete_ids(stale)
    bm25 = _load_or_build_bm25(folder / "bm25.json", chunks, docs)
    sentences = plan.embed(stores.embedder.embed_documents,
                           progress and (lambda done, _: progress(len(missing) + done, total)))
    if plan.pending or not (folder / SENTENCE_FILE).is_file():
        sentences.save(folder / SENTENCE_FILE)
    # One catalog entry holding every context, so readers see the documents as for speeches.
    source = docs[0].source if docs else "contexts"
    entry = FileEntry(path=source, sha256=documents_digest(docs), documents=list(docs),
                      chunks=chunks)
    return ContextIndex(
        index=CommittedIndex(catalog=Catalog(collection=name, files={source: entry}), bm25=bm25,
                             sentences=sentences),
        documents=list(docs),
        embedded=len(missing),
        sentences_embedded=plan.pending,
        seconds=round(time.perf_counter() - t0, 1),
    )


def _load_or_build_bm25(path: Path, chunks: Sequence[Chunk],
                        docs: Sequence[SpeechDocument]) -> BM25Index:
    if path.is_file():
        try:
            bm25 = BM25Index.load(path)
            if [c.id for c in bm25.chunks] == [c.id for c in chunks]:
                return bm25
        except IndexCorrupt:
            pass
    bm25 = BM25Index.build(chunks, Tokenizer(extract_policy_terms(d.text for d in docs)))
    bm25.save(path)
    return bm25
